/**
 * 15-minute demand: the average kW in each local clock quarter, and the peak — what a utility bills. Read off a
 * site's quarter grid (grid.ts), the same one the comparison page bills from: 1-minute rollups where they are
 * clean, the minute accounting of raw readings elsewhere, so demand agrees with /api/energy to the mWh and a
 * month of it is quick. Pure: no I/O, no clock.
 */
import { formatLocal } from '../energy/time.js';
import { energyMwh } from '../rollup/figures.js';
import type { Group, Quarter, QuarterGrid } from './grid.js';

export interface DemandInterval {
  start: number;
  end: number;
  /** Local start with its offset: the two 01:15 quarters of a fall-back night differ by their offset. */
  local_start: string;
  kwh: number;
  kw: number;
  coverage: number;
}

export interface DemandReport {
  tz: string;
  interval_minutes: 15;
  /** Most series (outlets or meters) present in any one minute of the range. */
  series: number;
  /** The highest-kW quarter (the earliest of equals), or null with no data. */
  peak: DemandInterval | null;
  intervals: DemandInterval[];
}

/** A quarter's average kW: its energy over its whole length (mWh · 3600 / (ms · 1000), two exact integers). */
export function quarterKw(q: Quarter | null, group: Group): number | null {
  return q ? (energyMwh(q[group]) * 3600) / (q.length * 1000) : null;
}

/** The highest-kW quarter (earliest of equals) among quarters with readings; null when none has any. */
export function peakOf(quarters: readonly Quarter[], group: Group): Quarter | null {
  let best: Quarter | null = null;
  let bestKw = -Infinity;
  for (const q of quarters) {
    if (q[group].series_ms === 0) continue;
    const k = quarterKw(q, group)!;
    if (k > bestKw) {
      best = q;
      bestKw = k;
    }
  }
  return best;
}

/**
 * Demand of one group of the grid (the IT load or the facility meters). A quarter's kW is its energy over its
 * whole length, as a demand register does, so a quarter cut by the range or by the data shows a lower kW; its
 * coverage (the share of the quarter in the range that lay between readings, over every series) says so.
 */
export function demandOfGrid(grid: QuarterGrid, group: Group): DemandReport {
  const series = grid.quarters.reduce((n, q) => Math.max(n, q[group].series), 0);
  const intervals = grid.quarters.map((q): DemandInterval => {
    const mwh = energyMwh(q[group]);
    const span = q.end - q.start;
    return {
      start: q.start,
      end: q.end,
      local_start: formatLocal(q.start, grid.tz),
      kwh: mwh / 1_000_000,
      kw: quarterKw(q, group)!,
      coverage: series > 0 && span > 0 ? q[group].covered_ms / (span * series) : 0,
    };
  });
  const peakQuarter = peakOf(grid.quarters, group);
  const peak = peakQuarter ? intervals[grid.quarters.indexOf(peakQuarter)]! : null;
  return { tz: grid.tz, interval_minutes: 15, series, peak, intervals };
}
