/**
 * 15-minute demand: the average kW in each local clock quarter, and the peak — what a utility bills.
 * Pure: no I/O, no clock.
 *
 * The energy counted by the series accounting (register deltas, integrated trapezoids) is spread into the
 * quarters it overlaps: a register delta in proportion to time (its power between two readings is unknown,
 * so taken as constant), a trapezoid exactly along its straight line. A quarter's average kW is its energy
 * over its length. Coverage is the share of the quarter (times the number of series) lying between readings
 * no further apart than the gap limit; a quarter at the edge of the data, or in a gap, says so.
 */
import { energyOf } from './energy.js';
import { HALF_MW_MS_PER_MWH, apportion } from './exact.js';
import { formatLocal, localQuarters } from './time.js';
import type { EnergyPoint, Segment, SegmentSink, SeriesOptions } from './types.js';

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
  series: number;
  /** The highest-kW quarter (the earliest of equals), or null with no data. */
  peak: DemandInterval | null;
  intervals: DemandInterval[];
}

export interface DemandRequest<T> {
  readings: Iterable<T>;
  keyOf: (r: T) => string;
  range: { from: number; to: number };
  tz: string;
  options?: Partial<SeriesOptions>;
}

/** Demand of the series in `readings` summed (a site's outlets, or its facility meter). */
export function demandOf<T extends EnergyPoint>(req: DemandRequest<T>): DemandReport {
  const bins = new QuarterBins(req.range.from, req.range.to, req.tz);
  const energy = energyOf(req.readings, req.keyOf, { range: req.range, ...(req.options && { options: req.options }), sink: bins });
  const intervals = bins.intervals(energy.series);
  let peak: DemandInterval | null = null;
  for (const q of intervals) if (energy.series > 0 && (peak === null || q.kw > peak.kw)) peak = q;
  return { tz: req.tz, interval_minutes: 15, series: energy.series, peak, intervals };
}

/** Accumulates segments and coverage into local clock quarters. */
export class QuarterBins implements SegmentSink {
  private readonly quarters: Array<{ start: number; end: number }>;
  /** Register energy per quarter, integer mWh; integrated energy, exact-as-float mWh; covered ms. */
  private readonly registerMwh: number[];
  private readonly integratedMwh: number[];
  private readonly coveredMs: number[];

  constructor(from: number, to: number, private readonly tz: string) {
    this.quarters = localQuarters(from, to, tz);
    this.registerMwh = this.quarters.map(() => 0);
    this.integratedMwh = this.quarters.map(() => 0);
    this.coveredMs = this.quarters.map(() => 0);
  }

  segment(s: Segment): void {
    const overlaps = this.overlaps(s.start, s.end);
    if (s.source === 'register') {
      const parts = apportion(s.mwh, overlaps.map((o) => o.to - o.from));
      overlaps.forEach((o, i) => (this.registerMwh[o.index]! += parts[i]!));
      return;
    }
    // Power along the trapezoid's line at t; the energy of [x, y] is the mean of its ends times the length.
    const at = (t: number): number => s.startMw! + ((s.endMw! - s.startMw!) * (t - s.start)) / (s.end - s.start);
    for (const o of overlaps) this.integratedMwh[o.index]! += ((at(o.from) + at(o.to)) * (o.to - o.from)) / HALF_MW_MS_PER_MWH;
  }

  covered(start: number, end: number): void {
    for (const o of this.overlaps(start, end)) this.coveredMs[o.index]! += o.to - o.from;
  }

  intervals(series: number): DemandInterval[] {
    return this.quarters.map((q, i) => {
      const mwh = this.registerMwh[i]! + Math.round(this.integratedMwh[i]!);
      const ms = q.end - q.start;
      return {
        start: q.start,
        end: q.end,
        local_start: formatLocal(q.start, this.tz),
        kwh: mwh / 1_000_000,
        // mWh · 3600 / (ms · 1000) = kW, as one division of two exact integers.
        kw: (mwh * 3600) / (ms * 1000),
        coverage: series > 0 ? this.coveredMs[i]! / (ms * series) : 0,
      };
    });
  }

  /** The quarters [start, end] overlaps, with the overlapping part of each. */
  private overlaps(start: number, end: number): Array<{ index: number; from: number; to: number }> {
    const result: Array<{ index: number; from: number; to: number }> = [];
    for (let i = this.indexOf(start); i < this.quarters.length && this.quarters[i]!.start < end; i++) {
      const q = this.quarters[i]!;
      const from = Math.max(start, q.start);
      const to = Math.min(end, q.end);
      if (to > from) result.push({ index: i, from, to });
    }
    return result;
  }

  /** Index of the quarter holding `ts` (binary search; quarters are contiguous and sorted). */
  private indexOf(ts: number): number {
    let lo = 0;
    let hi = this.quarters.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.quarters[mid]!.start <= ts) lo = mid;
      else hi = mid - 1;
    }
    return Math.max(0, lo);
  }
}
