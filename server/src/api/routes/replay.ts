import { Router } from 'express';
import { z } from 'zod';
import { utcSites } from '../../energy/sites.js';
import { DEFAULT_REPLAY_POINTS, MAX_REPLAY_POINTS, replaySeries } from '../../replay/series.js';
import { id, parseQuery, range } from '../params.js';
import { timeZone } from './demand.js';
import type { AuditingRouteDeps } from './reports.js';

const query = range(
  { site: id, pdu: id.optional(), rig: id.optional(), tz: timeZone.optional(), points: z.coerce.number().int().min(10).max(MAX_REPLAY_POINTS).default(DEFAULT_REPLAY_POINTS) },
  370,
).refine((q) => !((q as { rig?: string }).rig && (q as { pdu?: string }).pdu), { message: 'give rig or pdu, not both', path: ['pdu'] });

/**
 * GET /api/replay?site=&from=&to=[&pdu=|&rig=][&points=] — a past range of a site, PDU or rig as mean power per
 * step, for the auditors' page to play back through the live chart. From stored history only: raw readings for
 * steps under a minute, rollups beyond (replay/series.ts). The step is the smallest that keeps `points` points.
 */
export function replayRouter(deps: AuditingRouteDeps): Router {
  const sites = deps.sites ?? utcSites;
  const router = Router();
  router.get('/replay', async (req, res) => {
    const q = parseQuery(query, req.query);
    const scope = { site: q.site, ...(q.pdu !== undefined && { pdu: q.pdu }), ...(q.rig !== undefined && { rig: q.rig }) };
    const series = await replaySeries({ store: deps.store, rollups: deps.rollups }, scope, q.from, q.to, q.points);
    res.json({
      site: q.site,
      pdu: q.pdu ?? null,
      rig: q.rig ?? null,
      from: q.from,
      to: q.to,
      tz: q.tz ?? sites.timeZoneOf(q.site),
      ...series,
      note: 'power_w = mean power over the step (W), IT load of the outlets in scope: from raw readings for steps under a minute, else from 1-minute or 1-hour rollups (∫ power dt / bucket length, gaps counting as 0), out-of-date buckets read raw. See docs/auditing.md.',
    });
  });
  return router;
}
