import { Router } from 'express';
import { z } from 'zod';
import { encodeReadings } from '../../exports/readings-export.js';
import type { ExportRegistry } from '../../exports/registry.js';
import type { Store } from '../../store/store.js';
import { HttpError, id, parseQuery, range } from '../params.js';

const MAX_ROWS = 2_000_000;
const query = range({ site: id, kind: z.enum(['outlet', 'miner', 'meter']).default('outlet'), format: z.enum(['csv', 'json']).default('csv') }, 31);

/**
 * GET /api/exports/readings — raw readings of a site over [from, to) as CSV or JSON, with a manifest
 * (SHA-256, the query, software version, time, who): the manifest's id comes in `X-Kilowatch-Manifest`,
 * and GET /api/exports/<id>/manifest returns it. The manifest's hash goes into the audit log.
 */
export function exportsRouter(store: Store, registry: ExportRegistry, clock: () => number = Date.now): Router {
  const router = Router();
  router.get('/exports/readings', async (req, res) => {
    const q = parseQuery(query, req.query);
    const filter = { site: q.site, from: q.from, to: q.to };
    const readings = q.kind === 'outlet' ? await store.outlets(filter) : q.kind === 'miner' ? await store.miners(filter) : await store.meters(filter);
    if (readings.length > MAX_ROWS) throw new HttpError(400, `${readings.length} readings; at most ${MAX_ROWS} per export: narrow the range`);
    const { body, columns } = encodeReadings(q.kind, q.format, readings);
    const file = `kilowatch-${q.site}-${q.kind}-${new Date(q.from).toISOString().replace(/[:.]/g, '')}-${new Date(q.to).toISOString().replace(/[:.]/g, '')}.${q.format}`;
    const mediaType = q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json';
    const manifest = registry.create(file, mediaType, body, readings.length, columns, { export: 'readings', ...q }, req.principal?.name ?? 'anonymous', clock());
    res.locals.auditDetail = { manifest: manifest.id, sha256: manifest.sha256, rows: manifest.rows };
    res.setHeader('Content-Type', mediaType);
    res.setHeader('Content-Disposition', `attachment; filename="${file}"`);
    res.setHeader('X-Kilowatch-Manifest', manifest.id);
    res.send(body);
  });
  router.get('/exports/:id/manifest', (req, res) => {
    const manifest = registry.get(String(req.params.id));
    if (!manifest) throw new HttpError(404, 'no export with that id');
    res.setHeader('Content-Disposition', `attachment; filename="${manifest.file}.manifest.json"`);
    res.json(manifest);
  });
  return router;
}
