/**
 * Energy of many series (outlets of a site, a PDU or a rig; facility meters), summed, with where it came from.
 * Pure: no I/O, no clock. One series is counted by series.ts (register branches in register.ts).
 */
import { mwhToWh } from './exact.js';
import { seriesEnergy, type SeriesEnergy } from './series.js';
import type { Adjustment, EnergyPoint, Gap, SegmentSink, SeriesOptions } from './types.js';

export { DEFAULT_MAX_GAP_MS, type EnergyPoint, type SeriesOptions } from './types.js';
export { seriesEnergy, type SeriesEnergy } from './series.js';

export interface EnergyBreakdown {
  /** Integer mWh; `wh*` are the same figures in Wh (at most 3 decimals). */
  mwh: number;
  mwh_register: number;
  mwh_integrated: number;
  wh: number;
  wh_register: number;
  wh_integrated: number;
  series: number;
  series_register: number;
  series_integrated: number;
  readings: number;
  duplicates: number;
  /** Σ covered time over Σ range length, over the series that have readings. */
  completeness: number;
  covered_ms: number;
  span_ms: number;
  resets: number;
  rollovers: number;
  spikes_rejected: number;
  glitches: number;
  recoveries: number;
  gaps: Array<Gap & { series: string }>;
  adjustments: Array<Adjustment & { series: string }>;
  per_series: SeriesEnergy[];
}

export interface EnergyRequest {
  range?: { from: number; to: number };
  /** Options for every series, then per series (e.g. the outlet rating, the register width). */
  options?: Partial<SeriesOptions>;
  optionsOf?: (key: string) => Partial<SeriesOptions> | undefined;
  sink?: SegmentSink;
}

export function emptyBreakdown(): EnergyBreakdown {
  return {
    mwh: 0, mwh_register: 0, mwh_integrated: 0, wh: 0, wh_register: 0, wh_integrated: 0,
    series: 0, series_register: 0, series_integrated: 0, readings: 0, duplicates: 0,
    completeness: 0, covered_ms: 0, span_ms: 0,
    resets: 0, rollovers: 0, spikes_rejected: 0, glitches: 0, recoveries: 0, gaps: [], adjustments: [], per_series: [],
  };
}

/** Energy of many series, each given by its key (e.g. `pdu/outlet`). */
export function energyOf<T extends EnergyPoint>(readings: Iterable<T>, keyOf: (r: T) => string, req: EnergyRequest = {}): EnergyBreakdown {
  const total = emptyBreakdown();
  for (const [key, points] of groupBy(readings, keyOf)) {
    const options = { ...req.options, ...req.optionsOf?.(key) };
    const s = seriesEnergy(points, { key, options, ...(req.range && { range: req.range }), ...(req.sink && { sink: req.sink }) });
    if (s.readings > 0) addSeries(total, s);
  }
  return total;
}

export function groupBy<T>(items: Iterable<T>, keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = groups.get(key);
    if (list) list.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** Adds one series into a breakdown (mutates `total`). */
export function addSeries(total: EnergyBreakdown, s: SeriesEnergy): void {
  total.mwh += s.mwh;
  total.mwh_register += s.mwh_register;
  total.mwh_integrated += s.mwh_integrated;
  total.wh = mwhToWh(total.mwh);
  total.wh_register = mwhToWh(total.mwh_register);
  total.wh_integrated = mwhToWh(total.mwh_integrated);
  total.series += 1;
  if (s.method === 'register') total.series_register += 1;
  if (s.method === 'integrated') total.series_integrated += 1;
  total.readings += s.readings;
  total.duplicates += s.duplicates;
  total.covered_ms += s.covered_ms;
  total.span_ms += s.span_ms;
  total.completeness = total.span_ms > 0 ? total.covered_ms / total.span_ms : 0;
  total.resets += s.resets;
  total.rollovers += s.rollovers;
  total.spikes_rejected += s.spikes_rejected;
  total.glitches += s.glitches;
  total.recoveries += s.recoveries;
  for (const g of s.gaps) total.gaps.push({ series: s.key, ...g });
  for (const a of s.adjustments) total.adjustments.push({ series: s.key, ...a });
  total.per_series.push(s);
}

/** How a figure was computed, in one word, for API answers. */
export function methodOf(b: EnergyBreakdown): 'register' | 'integrated' | 'mixed' | 'none' {
  if (b.series === 0) return 'none';
  if (b.series_integrated === 0) return 'register';
  if (b.series_register === 0) return 'integrated';
  return 'mixed';
}
