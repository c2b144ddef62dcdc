/**
 * Reads what a monthly report needs, all groups of the site at once (reconcile/groups.ts): the site's outlets and
 * its meters over the local month — the same plan and minute accounting as GET /api/energy?month=, so the report's
 * MWh and the API's kWh are one figure — its rigs, and per-minute figures for peak load and hashrate.
 */
import type { FleetSite } from '../fleet/schema.js';
import { instantOfWall, nextLocalMonthStart } from '../energy/time.js';
import { MINUTE_MS } from '../rollup/accounting.js';
import { groupFigures, groupsOf, sumFigures, type GroupSource } from '../reconcile/groups.js';
import { emptyFigures, type Figures } from '../rollup/figures.js';
import type { Store } from '../store/store.js';
import type { AsicCatalog } from './catalog.js';
import type { MonthlyInput } from './monthly.js';

export interface ReportSource extends GroupSource {
  catalog: AsicCatalog;
}

/** The local month `YYYY-MM` in a zone: [its first local midnight, the next month's). */
export function monthRange(month: string, tz: string): { from: number; to: number } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const from = instantOfWall(Date.UTC(y, m - 1, 1), tz);
  return { from, to: nextLocalMonthStart(from, tz) };
}

export async function gatherMonthly(src: ReportSource, q: { site: string; month: string; tz: string; fleetSite: FleetSite | undefined }): Promise<MonthlyInput> {
  const { from, to } = monthRange(q.month, q.tz);
  const figures = await groupFigures(src, q.site, from, to, { minutes: true });
  const minutes = figures.minutes ?? new Map<string, Map<number, Figures>>();
  const meters = groupsOf(figures.groups, 'meter');
  const lastMinerMinute = lastWith(minutes.get('site/'), (f) => f.miner_samples > 0);
  const reportedModels = lastMinerMinute === null ? new Map<string, string>() : await modelsReported(src.store, q.site, Math.max(from, lastMinerMinute - 10 * MINUTE_MS), Math.min(to, lastMinerMinute + MINUTE_MS));
  return {
    site: q.site,
    month: q.month,
    tz: q.tz,
    from,
    to,
    fleetSite: q.fleetSite,
    totals: { it: figures.groups.get('site/') ?? emptyFigures(), meter: meters.size > 0 ? sumFigures(meters.values()) : null },
    groups: figures.groups,
    minutes,
    reportedModels,
    catalog: src.catalog,
    answered_from: figures.answered_from,
  };
}

/** The model each rig's miner reported last in [from, to) (a few minutes: the month's end, not all of it). */
async function modelsReported(store: Store, site: string, from: number, to: number): Promise<Map<string, string>> {
  const models = new Map<string, string>();
  const readings = (await store.miners({ site, from, to })).sort((a, b) => a.ts - b.ts);
  for (const r of readings) if (r.model) models.set(r.rig, r.model);
  return models;
}

function lastWith<T>(byMinute: ReadonlyMap<number, T> | undefined, test: (v: T) => boolean): number | null {
  let last: number | null = null;
  for (const [minute, v] of byMinute ?? []) if (test(v) && (last === null || minute > last)) last = minute;
  return last;
}
