/**
 * An outlet's energy since the local midnight, counted as readings arrive: the rule both live views use
 * (the overview's `site:frame` and the operations page), so their kWh today agree. Pure: no I/O, no clock.
 *
 * Register deltas where the outlet has a register (a register that went down was reset: nothing is counted
 * for that step), else trapezoids of power, never across a gap longer than 15 minutes; the site's local day
 * (DST included); seeded once a day from the store's first register of the day, for the energy used before
 * this process saw the outlet.
 */
import type { OutletReading } from '../domain/reading.js';
import { localDayStart, nextLocalDayStart } from '../energy/time.js';
import type { FirstRegister } from '../store/store.js';

const MAX_TRAPEZOID_H = 0.25;

export interface TodayEnergy {
  power_w: number;
  ts: number;
  /** Energy counted today, Wh. */
  todayWh: number;
  /** Start of the site's local day `todayWh` belongs to. */
  day: number;
  register: number | null;
  /** The first register value seen today, to merge with a store-seeded earlier one. */
  firstRegisterToday: number | null;
}

/** The counter of an outlet first seen with reading `r`, on local day `day`. */
export function startToday(r: Pick<OutletReading, 'power_w' | 'ts' | 'energy_wh'>, day: number): TodayEnergy {
  const register = r.energy_wh ?? null;
  return { power_w: r.power_w, ts: r.ts, todayWh: 0, day, register, firstRegisterToday: register };
}

/**
 * A reading of the outlet: counts the energy since the last one, or starts the day over. Returns 'late' for a
 * reading not newer than the last (the store has it; the live figure moves on), 'new-day' when the day turned.
 */
export function countToday(o: TodayEnergy, r: OutletReading, day: number): 'late' | 'new-day' | 'counted' {
  if (r.ts <= o.ts) return 'late';
  if (day !== o.day) {
    Object.assign(o, startToday(r, day));
    return 'new-day';
  }
  o.todayWh += energySince(o, r);
  o.power_w = r.power_w;
  o.ts = r.ts;
  if (r.energy_wh !== undefined) {
    o.register = r.energy_wh;
    o.firstRegisterToday ??= r.energy_wh;
  }
  return 'counted';
}

/**
 * The store's first register of the day for an outlet: a counter for an outlet not seen yet (null if it was),
 * or, merged into `o`, the energy between that register and the first one this process saw today.
 */
export function seedToday(o: TodayEnergy | undefined, f: FirstRegister, day: number): TodayEnergy | null {
  if (!o) return { power_w: 0, ts: f.ts, todayWh: 0, day, register: f.energy_wh, firstRegisterToday: f.energy_wh };
  if (o.day === day && o.firstRegisterToday !== null && f.energy_wh <= o.firstRegisterToday) {
    o.todayWh += o.firstRegisterToday - f.energy_wh;
    o.firstRegisterToday = f.energy_wh;
  }
  return null;
}

function energySince(o: TodayEnergy, r: OutletReading): number {
  if (o.register !== null && r.energy_wh !== undefined) return Math.max(0, r.energy_wh - o.register);
  const hours = (r.ts - o.ts) / 3_600_000;
  return hours <= MAX_TRAPEZOID_H ? ((o.power_w + r.power_w) / 2) * hours : 0;
}

/** Each site's local day, the one `now` is in cached: most readings fall in it, so the zone maths runs once a day. */
export class LocalDays {
  private readonly days = new Map<string, { start: number; end: number }>();

  constructor(private readonly timeZoneOf: (site: string) => string) {}

  /** Start of the site's local day holding `ts`. */
  dayStart(site: string, ts: number): number {
    const cached = this.days.get(site);
    if (cached && ts >= cached.start && ts < cached.end) return cached.start;
    const tz = this.timeZoneOf(site);
    const day = { start: localDayStart(ts, tz), end: nextLocalDayStart(ts, tz) };
    // An old reading's day is computed but not cached over the current one.
    if (!cached || day.start >= cached.start) this.days.set(site, day);
    return day.start;
  }
}
