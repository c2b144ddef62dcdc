import { Router, type Response } from 'express';
import { z } from 'zod';
import { comparisonCsv, dailyCsv } from '../../comparison/csv.js';
import { daysIncluded, MAX_CUSTOM_DAYS, PERIODS, PeriodError } from '../../comparison/period.js';
import { compareSites, MAX_SITES, totalsOf, TooManySitesError, type ComparisonDeps } from '../../comparison/service.js';
import type { ComparisonAnswer, DailyAnswer } from '../../comparison/types.js';
import type { SiteDirectory } from '../../energy/sites.js';
import type { FleetRegistry } from '../../fleet/registry.js';
import { RangeReader } from '../../rollup/reader.js';
import type { Store } from '../../store/store.js';
import { HttpError, id, parseQuery } from '../params.js';

const localDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a local date YYYY-MM-DD')
  .refine((d) => new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) === d, 'is not a calendar date');

const query = z
  .object({
    period: z.enum(PERIODS).default('today'),
    from: localDate.optional(),
    to: localDate.optional(),
    sites: z
      .string()
      .transform((s) => s.split(','))
      .pipe(z.array(id).min(1).max(MAX_SITES))
      .optional(),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .strict()
  .superRefine((q, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (q.period !== 'custom') {
      if (q.from !== undefined || q.to !== undefined) issue('from', `from and to go with period=custom only (period=${q.period} is set by the calendar)`);
      return;
    }
    if (q.from === undefined || q.to === undefined) return issue('from', 'period=custom needs from and to, local dates YYYY-MM-DD (both days included)');
    const days = daysIncluded(q.from, q.to);
    if (days < 1) issue('to', 'to must not be before from');
    else if (days > MAX_CUSTOM_DAYS) issue('to', `a custom period may span at most ${MAX_CUSTOM_DAYS} days (${days} asked)`);
  });

type Query = z.infer<typeof query>;

export interface ComparisonRouteDeps {
  store: Store;
  fleet: () => FleetRegistry;
  /** The reader /api/energy answers from (rollups); without one, everything is read raw. */
  reader?: RangeReader;
  sites?: SiteDirectory;
  clock?: () => number;
}

const NOTE =
  'Each site over the period in its own time zone, cut at now while the period runs. kwh is the IT load (Σ PDU outlets) and meter_kwh the facility meter, both as GET /api/energy gives them for [from, to). Demand, cost, carbon and curtailment use billed_source: the facility meter when it reported (or as the tariff says), else the IT load. peak_kw is the highest local 15-minute average kW; load_factor = avg_kw / peak_kw. Energy cost = Σ over time-of-use periods of kWh × price, the energy split exactly at period boundaries; the demand charge of each local month = rate × the month\'s peak so far × the period\'s share of the month. Curtailed: a complete hour below threshold_pct of the median hourly kW of the baseline_days before it. See docs/comparison.md.';

/**
 * GET /api/comparison — every site (or `sites=`) over a period, side by side: kWh, 15-minute demand, load factor,
 * J/TH, overhead, time-of-use and demand cost, carbon, curtailment, rigs and hashrate. GET /api/comparison/daily —
 * the same per local day. Both as CSV with `format=csv`, or at /api/comparison.csv and /api/comparison/daily.csv.
 */
export function comparisonRouter(deps: ComparisonRouteDeps): Router {
  const service: ComparisonDeps = {
    store: deps.store,
    reader: deps.reader ?? new RangeReader(deps.store, null),
    fleet: deps.fleet,
    clock: deps.clock ?? Date.now,
    ...(deps.sites && { sites: deps.sites }),
  };
  const router = Router();
  const table = (csv: boolean) => async (req: { query: unknown }, res: Response) => {
    const q = parseQuery(query, req.query);
    const result = await run(service, q);
    if (csv || q.format === 'csv') return sendCsv(res, `kilowatch-comparison-${fileSuffix(q, result.now)}.csv`, comparisonCsv(result.sites));
    const answer: ComparisonAnswer = { period: q.period, from_date: q.from ?? null, to_date: q.to ?? null, now: result.now, sites: result.sites, totals: totalsOf(result.sites), note: NOTE };
    res.json(answer);
  };
  const daily = (csv: boolean) => async (req: { query: unknown }, res: Response) => {
    const q = parseQuery(query, req.query);
    const result = await run(service, q);
    if (csv || q.format === 'csv') return sendCsv(res, `kilowatch-comparison-daily-${fileSuffix(q, result.now)}.csv`, dailyCsv(result.days));
    const answer: DailyAnswer = { period: q.period, from_date: q.from ?? null, to_date: q.to ?? null, now: result.now, sites: result.days, note: NOTE };
    res.json(answer);
  };
  router.get('/comparison', table(false));
  router.get('/comparison.csv', table(true));
  router.get('/comparison/daily', daily(false));
  router.get('/comparison/daily.csv', daily(true));
  return router;
}

async function run(service: ComparisonDeps, q: Query) {
  if (q.sites) {
    const known = new Set([...service.fleet().fleet.sites.map((s) => s.id), ...(await service.store.sites())]);
    const unknown = q.sites.filter((s) => !known.has(s));
    if (unknown.length > 0) throw new HttpError(400, `sites: no site ${unknown.join(', ')} in the fleet file or the store`);
  }
  try {
    return await compareSites(service, { period: q.period, ...(q.from && { from: q.from }), ...(q.to && { to: q.to }), ...(q.sites && { sites: q.sites }) });
  } catch (err) {
    if (err instanceof PeriodError) throw new HttpError(400, `period: ${err.message}`);
    if (err instanceof TooManySitesError) throw new HttpError(400, `sites: ${err.message}`);
    throw err;
  }
}

function fileSuffix(q: Query, now: number): string {
  return q.period === 'custom' ? `${q.from}_${q.to}` : `${q.period}-${new Date(now).toISOString().slice(0, 10)}`;
}

function sendCsv(res: Response, file: string, body: string): void {
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${file}"`);
  res.send(body);
}
