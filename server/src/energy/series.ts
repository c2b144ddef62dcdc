/**
 * The energy of one series (one outlet, one meter) over a range, and where every Wh came from.
 * Pure: no I/O, no clock.
 *
 * Readings are sorted by ts; the same ts twice counts once. A series with a register (`energy_wh`) is counted
 * from it (register.ts); one without is integrated with trapezoids, never across an interval longer than
 * `maxGapMs`. Nothing is extrapolated beyond the first and last reading: for a range holding all of a device's
 * readings, the energy is exactly the sum of its accepted register deltas.
 */
import { HALF_MW_MS_PER_MWH, TrapezoidSum, toMw, toMwh, trapezoidMwh } from './exact.js';
import { walkRegister, type RegisterPoint } from './register.js';
import { DEFAULT_SERIES_OPTIONS, type Adjustment, type EnergyPoint, type Gap, type SegmentSink, type SeriesOptions } from './types.js';

export interface SeriesEnergy {
  key: string;
  method: 'register' | 'integrated' | 'none';
  /** Integer mWh: total = from registers + integrated. */
  mwh: number;
  mwh_register: number;
  mwh_integrated: number;
  /** Distinct readings (after removing duplicates) in the range. */
  readings: number;
  duplicates: number;
  /** Length of the range (or of the data, without one), ms. */
  span_ms: number;
  /** Time between consecutive readings no further apart than `maxGapMs`, ms. */
  covered_ms: number;
  completeness: number;
  resets: number;
  rollovers: number;
  spikes_rejected: number;
  glitches: number;
  recoveries: number;
  gaps: Gap[];
  adjustments: Adjustment[];
}

export interface SeriesRequest {
  key?: string;
  /** Half-open [from, to): readings outside are ignored, and completeness is measured against it. */
  range?: { from: number; to: number };
  options?: Partial<SeriesOptions>;
  /** Receives every counted segment and covered span (the minute accounting clips them to its minute). */
  sink?: SegmentSink;
}

interface Point {
  ts: number;
  mw: number;
  mwh: number | undefined;
}

export function seriesEnergy(points: readonly EnergyPoint[], req: SeriesRequest = {}): SeriesEnergy {
  const options = { ...DEFAULT_SERIES_OPTIONS, ...req.options };
  const { sorted, duplicates, conflicts } = prepare(points, req.range);
  const result = emptySeries(req.key ?? '', sorted, req.range);
  result.duplicates = duplicates;
  result.adjustments.push(...conflicts);
  measureCoverage(sorted, options.maxGapMs, result, req.sink);
  if (sorted.length === 0) return result;
  const integrated = new TrapezoidSum(HALF_MW_MS_PER_MWH);
  const integrate = (from: number, to: number): number => integrateSpan(sorted, from, to, options.maxGapMs, integrated, req.sink);
  const firstRegister = sorted.find((p) => p.mwh !== undefined);
  if (firstRegister) {
    result.method = 'register';
    // Readings without a register before the first (after the last) register reading: integrated.
    const lastRegister = sorted.findLast((p) => p.mwh !== undefined)!;
    integrate(sorted[0]!.ts, firstRegister.ts);
    countRegister(sorted, options, result, integrate, req.sink);
    integrate(lastRegister.ts, sorted[sorted.length - 1]!.ts);
  } else {
    result.method = 'integrated';
    integrate(sorted[0]!.ts, sorted[sorted.length - 1]!.ts);
  }
  result.mwh_integrated = integrated.rounded();
  result.mwh = result.mwh_register + result.mwh_integrated;
  return result;
}

/** Keeps readings inside the range, sorts them, and keeps one per ts (the later one in input order). */
function prepare(points: readonly EnergyPoint[], range: SeriesRequest['range']) {
  const byTs = new Map<number, EnergyPoint>();
  let duplicates = 0;
  const conflicts: Adjustment[] = [];
  for (const p of points) {
    if (range && (p.ts < range.from || p.ts >= range.to)) continue;
    const seen = byTs.get(p.ts);
    if (seen) {
      duplicates += 1;
      if (seen.power_w !== p.power_w || seen.energy_wh !== p.energy_wh) conflicts.push(conflict(seen, p));
    }
    byTs.set(p.ts, p);
  }
  const sorted: Point[] = [...byTs.values()]
    .sort((a, b) => a.ts - b.ts)
    .map((p) => ({ ts: p.ts, mw: toMw(p.power_w), mwh: p.energy_wh === undefined ? undefined : toMwh(p.energy_wh) }));
  return { sorted, duplicates, conflicts };
}

function conflict(kept: EnergyPoint, later: EnergyPoint): Adjustment {
  return {
    kind: 'duplicate',
    from: later.ts,
    to: later.ts,
    register_from_wh: kept.energy_wh ?? null,
    register_to_wh: later.energy_wh ?? null,
    counted_wh: 0,
    counted_from: 'none',
    reason: `two different readings at the same time (${kept.power_w} W / ${kept.energy_wh ?? '–'} Wh and ${later.power_w} W / ${later.energy_wh ?? '–'} Wh); the later one is kept, as the store keeps it.`,
  };
}

function emptySeries(key: string, sorted: readonly Point[], range: SeriesRequest['range']): SeriesEnergy {
  const span = range ? range.to - range.from : sorted.length > 1 ? sorted[sorted.length - 1]!.ts - sorted[0]!.ts : 0;
  return {
    key, method: 'none', mwh: 0, mwh_register: 0, mwh_integrated: 0, readings: sorted.length, duplicates: 0,
    span_ms: span, covered_ms: 0, completeness: 0,
    resets: 0, rollovers: 0, spikes_rejected: 0, glitches: 0, recoveries: 0, gaps: [], adjustments: [],
  };
}

function measureCoverage(sorted: readonly Point[], maxGapMs: number, result: SeriesEnergy, sink?: SegmentSink): void {
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (b.ts - a.ts <= maxGapMs) {
      result.covered_ms += b.ts - a.ts;
      sink?.covered(a.ts, b.ts);
    } else {
      result.gaps.push({ start: a.ts, end: b.ts, bridged_by_register: false });
    }
  }
  result.completeness = result.span_ms > 0 ? result.covered_ms / result.span_ms : 0;
}

function countRegister(sorted: readonly Point[], options: SeriesOptions, result: SeriesEnergy, integrate: (from: number, to: number) => number, sink?: SegmentSink): void {
  const gaps = result.gaps;
  let nextGap = 0;
  walkRegister(registerPoints(sorted), {
    options,
    register(a, b, mwh) {
      result.mwh_register += mwh;
      sink?.segment({ start: a.ts, end: b.ts, mwh, source: 'register' });
      // Segments come in time order and never overlap, so one pointer marks the gaps they bridge.
      while (nextGap < gaps.length && gaps[nextGap]!.start < a.ts) nextGap += 1;
      while (nextGap < gaps.length && gaps[nextGap]!.end <= b.ts) gaps[nextGap++]!.bridged_by_register = true;
    },
    integrate,
    adjust(adj) {
      result.adjustments.push(adj);
      if (adj.kind === 'reset') result.resets += 1;
      else if (adj.kind === 'rollover') result.rollovers += 1;
      else if (adj.kind === 'spike') result.spikes_rejected += 1;
      else if (adj.kind === 'glitch') result.glitches += 1;
      else if (adj.kind === 'recovery') result.recoveries += 1;
    },
  });
}

function* registerPoints(sorted: readonly Point[]): Generator<RegisterPoint> {
  for (const p of sorted) if (p.mwh !== undefined) yield { ts: p.ts, mwh: p.mwh, mw: p.mw };
}

/** Trapezoids over the readings in [from, to], skipping intervals longer than the gap limit. Returns mWh. */
function integrateSpan(sorted: readonly Point[], from: number, to: number, maxGapMs: number, sum: TrapezoidSum, sink?: SegmentSink): number {
  let counted = 0;
  for (let i = firstAtOrAfter(sorted, from) + 1; i < sorted.length && sorted[i]!.ts <= to; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    const dt = b.ts - a.ts;
    if (dt > maxGapMs) continue;
    sum.add(a.mw + b.mw, dt);
    const mwh = trapezoidMwh(a.mw, b.mw, dt);
    counted += mwh;
    sink?.segment({ start: a.ts, end: b.ts, mwh, source: 'integrated', startMw: a.mw, endMw: b.mw });
  }
  return counted;
}

function firstAtOrAfter(sorted: readonly Point[], ts: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]!.ts < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
