/**
 * The comparison of every site over a period: each site's range in its own zone, its grid from the store, its
 * figures (compute.ts), and the fleet's totals.
 */
import { UNASSIGNED_SITE } from '../ingest/dialects/shared/device.js';
import type { FleetRegistry } from '../fleet/registry.js';
import type { SiteDirectory } from '../energy/sites.js';
import type { RangeReader } from '../rollup/reader.js';
import type { Store } from '../store/store.js';
import { compareSite, windowStart } from './compute.js';
import { resolvePeriod, type PeriodRequest } from './period.js';
import { DEFAULT_CURTAILMENT } from './settings.js';
import { loadGrid, rigsReporting } from './source.js';
import type { ComparisonTotals, SiteComparison, SiteDays } from './types.js';

/** Sites in one answer at most (each is a month or two of quarters). */
export const MAX_SITES = 50;

export interface ComparisonDeps {
  store: Store;
  reader: RangeReader;
  fleet: () => FleetRegistry;
  /** Time zones; the fleet file's when not given. */
  sites?: SiteDirectory;
  clock: () => number;
}

export interface ComparisonRequest extends PeriodRequest {
  /** Only these sites; every site in the fleet file and the store when not given. */
  sites?: readonly string[];
}

export interface Comparison {
  now: number;
  sites: SiteComparison[];
  days: SiteDays[];
}

export class TooManySitesError extends Error {
  override name = 'TooManySitesError';
}

/** The sites compared: those asked for, or every site of the fleet file (in its order) and then those only in the store. */
async function siteIds(deps: ComparisonDeps, fleet: FleetRegistry, asked: readonly string[] | undefined): Promise<string[]> {
  if (asked) return [...new Set(asked)];
  const listed = fleet.fleet.sites.map((s) => s.id);
  const stored = (await deps.store.sites()).filter((s) => s !== UNASSIGNED_SITE && !listed.includes(s)).sort();
  return [...listed, ...stored];
}

export async function compareSites(deps: ComparisonDeps, req: ComparisonRequest): Promise<Comparison> {
  const now = deps.clock();
  const fleet = deps.fleet();
  const ids = await siteIds(deps, fleet, req.sites);
  if (ids.length > MAX_SITES) throw new TooManySitesError(`${ids.length} sites: at most ${MAX_SITES} in one comparison; name them with sites=`);
  const out: Comparison = { now, sites: [], days: [] };
  // One site at a time: each reads a month or two of minute buckets, and the store serves the dashboard too.
  for (const site of ids) {
    const fs = fleet.site(site);
    const tz = deps.sites?.timeZoneOf(site) ?? fleet.timeZoneOf(site);
    const rule = fs?.curtailment ?? DEFAULT_CURTAILMENT;
    const range = resolvePeriod(req, tz, now);
    const from = windowStart(range, tz, rule);
    const [grid, rigs] = await Promise.all([loadGrid(deps, site, tz, from, range.from, range.to), rigsReporting(deps.store, site, range.from, range.to)]);
    const rigsConfigured = fs ? fs.racks.reduce((n, r) => n + r.pdus.reduce((m, p) => m + p.outlets.filter((o) => o.rig !== undefined).length, 0), 0) : 0;
    const result = compareSite({
      site,
      name: fs?.name ?? null,
      tz,
      range,
      grid,
      tariff: fs?.tariff ?? null,
      carbon: fs?.carbon ?? null,
      curtailment: rule,
      rigs,
      rigsConfigured,
    });
    out.sites.push(result.site);
    out.days.push(result.days);
  }
  return out;
}

/** The fleet's totals: energies and hash-work add up; money only in one currency; carbon where every site has a factor. */
export function totalsOf(sites: readonly SiteComparison[]): ComparisonTotals {
  const sum = (f: (s: SiteComparison) => number) => sites.reduce((t, s) => t + f(s), 0);
  const costed = sites.filter((s) => s.cost !== null);
  const currencies = new Set(costed.map((s) => s.cost!.currency));
  const oneCurrency = costed.length > 0 && currencies.size === 1;
  const metered = sites.filter((s) => s.meter_kwh !== null);
  const kwhSum = sum((s) => s.kwh);
  const th = sum((s) => s.th);
  const withCarbon = sites.filter((s) => s.carbon !== null);
  return {
    sites: sites.length,
    kwh: round6(kwhSum),
    meter_kwh: metered.length > 0 ? round6(metered.reduce((t, s) => t + s.meter_kwh!, 0)) : null,
    billed_kwh: round6(sum((s) => s.billed_kwh)),
    th,
    // kWh · 3.6e6 J / TH
    jth: th > 0 ? (kwhSum * 3_600_000) / th : null,
    rigs: sum((s) => s.rigs),
    currency: oneCurrency ? [...currencies][0]! : null,
    cost: oneCurrency ? round6(costed.reduce((t, s) => t + s.cost!.total, 0)) : null,
    energy_cost: oneCurrency ? round6(costed.reduce((t, s) => t + s.cost!.energy, 0)) : null,
    demand_cost: oneCurrency ? round6(costed.reduce((t, s) => t + s.cost!.demand, 0)) : null,
    carbon_tonnes: withCarbon.length > 0 ? round6(withCarbon.reduce((t, s) => t + s.carbon!.tonnes, 0)) : null,
    curtailed_hours: sum((s) => s.curtailment.curtailed_hours),
    avoided_kwh: round6(sum((s) => s.curtailment.avoided_kwh)),
  };
}

/** kWh carry 6 decimals (mWh); a float sum of them is brought back there. */
function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
