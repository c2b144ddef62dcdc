import type { MeterReading, MinerReading, OutletReading } from '../domain/reading.js';
import { optionsForSite, type OptionsOf, type SeriesSettings } from '../energy/settings.js';
import { DEFAULT_MAX_GAP_MS } from '../energy/types.js';
import type { Store } from '../store/store.js';
import { CONTEXT_READINGS, CONTEXT_WITHIN_MS, MINUTE_MS } from './accounting.js';

/** What to read: all of a site, or only one rig's or PDU's outlets. */
export interface Scope {
  site: string;
  rig?: string;
  pdu?: string;
  /** Which kinds of series to read (a rig or PDU has no facility meter). */
  outlets: boolean;
  meters: boolean;
  miners: boolean;
}

export interface Window {
  outlets: OutletReading[];
  meters: MeterReading[];
  miners: MinerReading[];
  /** The site's per-series settings, for the accounting of these readings. */
  optionsOf?: OptionsOf;
}

/**
 * Everything the minutes of [from, to) need from the store: their readings, each series' context on either
 * side (accounting.ts), and the miners' readings within the gap limit of either end. `from` and `to` are
 * whole minutes. With `settings`, the window carries the site's per-series options (register width, rating).
 */
export async function readWindow(store: Store, scope: Scope, from: number, to: number, settings?: SeriesSettings): Promise<Window> {
  const q = { site: scope.site, from, to, energyOnly: true, ...(scope.rig !== undefined && { rig: scope.rig }), ...(scope.pdu !== undefined && { pdu: scope.pdu }) };
  const around = { ...q, count: CONTEXT_READINGS, withinMs: CONTEXT_WITHIN_MS };
  const none = Promise.resolve([]);
  const [outlets, outletContext, meters, meterContext, miners] = await Promise.all([
    scope.outlets ? store.outlets(q) : none,
    scope.outlets ? store.outletsAround(around) : none,
    scope.meters ? store.meters({ site: scope.site, from, to }) : none,
    scope.meters ? store.metersAround({ site: scope.site, from, to, count: CONTEXT_READINGS, withinMs: CONTEXT_WITHIN_MS }) : none,
    scope.miners ? store.miners({ site: scope.site, from: from - DEFAULT_MAX_GAP_MS, to: to + DEFAULT_MAX_GAP_MS, ...(scope.rig !== undefined && { rig: scope.rig }) }) : none,
  ]);
  const optionsOf = optionsForSite(settings, scope.site);
  return { outlets: [...outletContext, ...outlets] as OutletReading[], meters: [...meterContext, ...meters] as MeterReading[], miners: miners as MinerReading[], ...(optionsOf && { optionsOf }) };
}

/**
 * The minutes whose accounting can see a reading stored in [from, to): from the minute of the earliest
 * context reading before `from` to the minute of the latest one from `to` on (across gaps, however long, up
 * to twice the context reach: a minute in the middle of a long silence sees both of its ends).
 */
export async function reachOf(store: Store, site: string, from: number, to: number): Promise<{ from: number; to: number }> {
  const around = { site, from, to, count: CONTEXT_READINGS, withinMs: 2 * CONTEXT_WITHIN_MS + 2 * MINUTE_MS };
  const gap = DEFAULT_MAX_GAP_MS;
  const [outlets, meters, minersBefore, minersAfter] = await Promise.all([
    store.outletsAround(around),
    store.metersAround(around),
    store.miners({ site, from: from - gap, to: from }),
    store.miners({ site, from: to, to: to + gap }),
  ]);
  let lo = from;
  let hi = to;
  for (const r of [...outlets, ...meters, ...minersBefore, ...minersAfter]) {
    lo = Math.min(lo, Math.floor(r.ts / MINUTE_MS) * MINUTE_MS);
    hi = Math.max(hi, Math.floor(r.ts / MINUTE_MS) * MINUTE_MS + MINUTE_MS);
  }
  return { from: lo, to: hi };
}
