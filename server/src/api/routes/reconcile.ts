import { Router } from 'express';
import { z } from 'zod';
import { utcSites } from '../../energy/sites.js';
import { DEFAULT_TOLERANCES } from '../../reconcile/checks.js';
import { buildReconciliation, gatherReconciliation } from '../../reconcile/reconcile.js';
import { monthRange } from '../../reports/gather.js';
import { RangeReader } from '../../rollup/reader.js';
import { HttpError, id, instant, parseQuery } from '../params.js';
import { timeZone } from './demand.js';
import type { AuditingRouteDeps } from './reports.js';

/** A local month is at most 31 days and an hour (a DST change in it). */
const MAX_MS = 31 * 86_400_000 + 3_600_000;

const query = z
  .object({
    site: id,
    from: instant.optional(),
    to: instant.optional(),
    month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM').optional(),
    tz: timeZone.optional(),
    min_coverage_pct: z.coerce.number().min(0).max(100).default(DEFAULT_TOLERANCES.min_coverage * 100),
    tolerance_pct: z.coerce.number().min(0).max(100).default(DEFAULT_TOLERANCES.energy_pct),
    max_overhead: z.coerce.number().min(1).max(100).default(DEFAULT_TOLERANCES.max_overhead),
    interval_s: z.coerce.number().positive().max(86_400).optional(),
  })
  .refine((q) => (q.month !== undefined) !== (q.from !== undefined && q.to !== undefined), { message: 'give from and to, or month', path: ['from'] });

/**
 * GET /api/reconcile?site=&from=&to= (or &month=YYYY-MM) — completeness and reconciliation of a site over a range:
 * coverage per device (expected vs received readings), every gap, reset and rejected spike with its reason,
 * register-based vs integrated energy, and the facility meter vs Σ PDUs, per range and per local day; each
 * difference beyond tolerance flagged (reconcile/checks.ts, docs/auditing.md).
 */
export function reconcileRouter(deps: AuditingRouteDeps): Router {
  const reader = deps.reader ?? new RangeReader(deps.store, deps.rollups);
  const sites = deps.sites ?? utcSites;
  const router = Router();
  router.get('/reconcile', async (req, res) => {
    const q = parseQuery(query, req.query);
    const tz = q.tz ?? sites.timeZoneOf(q.site);
    const { from, to } = q.month !== undefined ? monthRange(q.month, tz) : { from: q.from!, to: q.to! };
    if (!(from < to)) throw new HttpError(400, 'from: from must be before to');
    if (to - from > MAX_MS) throw new HttpError(400, 'to: the range may span at most 31 days (a month)');
    const tolerances = { min_coverage: q.min_coverage_pct / 100, energy_pct: q.tolerance_pct, max_overhead: q.max_overhead, interval_ms: q.interval_s === undefined ? null : Math.round(q.interval_s * 1000) };
    const input = await gatherReconciliation({ store: deps.store, rollups: deps.rollups, reader }, { site: q.site, from, to, tz, fleetSite: deps.fleet().site(q.site), tolerances });
    res.json(buildReconciliation(input));
  });
  return router;
}
