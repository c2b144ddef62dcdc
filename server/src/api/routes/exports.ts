import { Router } from 'express';
import { z } from 'zod';
import { encodeReadings } from '../../exports/readings-export.js';
import type { ExportRegistry } from '../../exports/registry.js';
import { encodeRollups, ROLLUP_EXPORT_COLUMNS } from '../../exports/rollups-export.js';
import { fileTime, sendExport } from '../../exports/send.js';
import type { RollupEngine } from '../../rollup/engine.js';
import { ROLLUP_LEVELS, ROLLUP_RESOLUTIONS, type RollupRow, type Store } from '../../store/store.js';
import { HttpError, id, parseQuery, range } from '../params.js';

const MAX_ROWS = 2_000_000;
const query = range({ site: id, kind: z.enum(['outlet', 'miner', 'meter']).default('outlet'), format: z.enum(['csv', 'json']).default('csv') }, 31);
const rollupQuery = range(
  { site: id, level: z.enum(ROLLUP_LEVELS).default('site'), resolution: z.enum(ROLLUP_RESOLUTIONS).default('1h'), key: id.optional(), format: z.enum(['csv', 'json']).default('csv') },
  370,
);
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/**
 * GET /api/exports/readings — raw readings of a site over [from, to) as CSV or JSON, with a manifest
 * (SHA-256, the query, software version, time, who): the manifest's id comes in `X-Kilowatch-Manifest`,
 * and GET /api/exports/<id>/manifest returns it. The manifest's hash goes into the audit log.
 * GET /api/exports/rollups — 1-minute or 1-hour buckets of a site, PDU, rig or meter, the same way.
 */
export function exportsRouter(store: Store, registry: ExportRegistry, clock: () => number = Date.now, rollups: RollupEngine | null = null): Router {
  const router = Router();
  router.get('/exports/readings', async (req, res) => {
    const q = parseQuery(query, req.query);
    const filter = { site: q.site, from: q.from, to: q.to };
    const readings = q.kind === 'outlet' ? await store.outlets(filter) : q.kind === 'miner' ? await store.miners(filter) : await store.meters(filter);
    if (readings.length > MAX_ROWS) throw new HttpError(400, `${readings.length} readings; at most ${MAX_ROWS} per export: narrow the range`);
    const { body, columns } = encodeReadings(q.kind, q.format, readings);
    const file = `kilowatch-${q.site}-${q.kind}-${new Date(q.from).toISOString().replace(/[:.]/g, '')}-${new Date(q.to).toISOString().replace(/[:.]/g, '')}.${q.format}`;
    const mediaType = q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json';
    sendExport(req, res, registry, { file, mediaType, body, rows: readings.length, columns, query: { export: 'readings', ...q } }, clock());
  });
  // Rollup buckets as stored; those the ledger holds out of date are marked `stale` (exports/rollups-export.ts).
  router.get('/exports/rollups', async (req, res) => {
    const q = parseQuery(rollupQuery, req.query);
    if (q.resolution === '1m' && q.to - q.from > 31 * 86_400_000) throw new HttpError(400, 'to: 1-minute buckets may span at most 31 days; ask resolution=1h');
    if (q.level === 'site' && q.key !== undefined) throw new HttpError(400, 'key: a site bucket has no key');
    const rows = await store.rollups({ resolution: q.resolution, level: q.level, site: q.site, from: q.from, to: q.to, ...(q.key !== undefined && { key: q.key }) });
    if (rows.length > MAX_ROWS) throw new HttpError(400, `${rows.length} buckets; at most ${MAX_ROWS} per export: narrow the range`);
    // Before the rollups' first backfill is marked, no bucket is known to be up to date.
    const marks = rollups?.ready ? rollups.ledger.dirtyIn(q.site, q.from, q.to, 0) : null;
    const staleHours = new Set(marks?.hours ?? []);
    for (const m of marks?.minutes ?? []) staleHours.add(Math.floor(m / HOUR_MS) * HOUR_MS);
    const isStale = (r: RollupRow) => marks === null || (r.resolution === '1m' ? marks.minutes.has(r.ts) : staleHours.has(r.ts));
    const body = encodeRollups(q.format, rows, isStale);
    const file = `kilowatch-${q.site}-${q.level}_${q.resolution}${q.key ? `-${q.key}` : ''}-${fileTime(q.from)}-${fileTime(q.to)}.${q.format}`;
    const mediaType = q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json';
    const query = { export: 'rollups', ...q, stale_buckets: rows.filter(isStale).length, bucket_ms: q.resolution === '1m' ? MINUTE_MS : HOUR_MS };
    sendExport(req, res, registry, { file, mediaType, body, rows: rows.length, columns: ROLLUP_EXPORT_COLUMNS, query }, clock());
  });
  // The stored file itself, byte for byte: its SHA-256 is the one the audit log recorded for the export.
  router.get('/exports/:id/manifest', (req, res) => {
    const text = registry.text(String(req.params.id));
    if (text === null) throw new HttpError(404, 'no export with that id');
    const manifest = JSON.parse(text) as { file: string };
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${manifest.file}.manifest.json"`);
    res.send(text);
  });
  return router;
}
