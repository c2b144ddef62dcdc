/**
 * The month's peak 15-minute load and its highest hashrate, from per-minute figures. Pure: no I/O, no clock.
 *
 * Peak load is what a utility's demand register shows, computed as GET /api/demand computes it: the minutes
 * put on the site's local quarter grid (comparison/grid.ts), each quarter's energy over its length, the
 * highest (comparison/demand.ts) — built here from the minutes of the rollups so a month is cheap.
 */
import { demandOfGrid, type DemandInterval } from '../comparison/demand.js';
import { QuarterGrid } from '../comparison/grid.js';
import { MINUTE_MS } from '../rollup/accounting.js';
import { combine, copyFigures, hashGhs, type Figures } from '../rollup/figures.js';

export type PeakQuarter = DemandInterval;

/** Σ of several series' minute figures, minute by minute (e.g. a site's facility meters). */
export function sumMinutes(series: Iterable<ReadonlyMap<number, Figures>>): Map<number, Figures> {
  const out = new Map<number, Figures>();
  for (const byMinute of series) {
    for (const [minute, f] of byMinute) {
      const into = out.get(minute);
      if (into) combine(into, f, 'series');
      else out.set(minute, copyFigures(f));
    }
  }
  return out;
}

/** The local quarter of [from, to) with the highest average kW; null when nothing was counted. */
export function peakQuarter(minutes: ReadonlyMap<number, Figures>, from: number, to: number, tz: string): PeakQuarter | null {
  const grid = new QuarterGrid(from, to, tz);
  for (const [minute, f] of minutes) grid.add('it', minute, f);
  const peak = demandOfGrid(grid, 'it').peak;
  return peak && peak.kwh > 0 ? peak : null;
}

export interface HashratePeak {
  /** The highest 1-minute mean hashrate, TH/s (hash-work in the minute / 60 s). */
  ths: number;
  at: number;
}

/** The minute with the most hash-work (the earliest of equals); null without miner readings. */
export function maxHashrate(minutes: ReadonlyMap<number, Figures>): HashratePeak | null {
  let best: HashratePeak | null = null;
  for (const minute of [...minutes.keys()].sort((a, b) => a - b)) {
    // GH·s over the minute's ms is TH/s (GH·s / s / 1000).
    const ths = hashGhs(minutes.get(minute)!) / MINUTE_MS;
    if (ths > 0 && (best === null || ths > best.ths)) best = { ths, at: minute };
  }
  return best;
}
