/**
 * The figures of one bucket (or any piece of time) for a group of series, held so that they add up exactly:
 * energy as integer mWh plus an integer remainder, hash-work likewise, times and counts as integers.
 * Pure: no I/O, no clock. docs/schema.md lists the stored fields; docs/energy.md how a range is answered.
 */
import type { RollupFields } from '../store/store.js';
import { HALF_GH_MS_PER_GHS, HALF_MW_MS_PER_MWH, addExact, roundExact, type Exact } from './split.js';

export interface Figures {
  /** Energy counted from registers, integer mWh. */
  register_mwh: number;
  /** Energy from integrated power: whole mWh plus half-mW·ms. */
  integrated: Exact;
  /** Time counted from registers / from integration, ms (Σ over series). */
  register_ms: number;
  integrated_ms: number;
  /** Time between readings no further apart than the gap limit, and the time series were present, ms (Σ over series). */
  covered_ms: number;
  series_ms: number;
  /** Series present: within a bucket the count; over time the largest count in any one minute. */
  series: number;
  samples: number;
  /** ∫ power dt over covered time, mWh (a float: for the mean power only). */
  power_mwh: number;
  /** Σ over series of each one's highest reading in a minute; over time, the highest. */
  power_max_w: number;
  /** Hash-work: whole GH·s plus half-(GH/s)·ms. */
  hash: Exact;
  hash_covered_ms: number;
  miner_series_ms: number;
  miner_samples: number;
  resets: number;
  rollovers: number;
  spikes: number;
  glitches: number;
  recoveries: number;
  gaps: number;
}

export function emptyFigures(): Figures {
  return {
    register_mwh: 0, integrated: { whole: 0, frac: 0 }, register_ms: 0, integrated_ms: 0, covered_ms: 0, series_ms: 0, series: 0,
    samples: 0, power_mwh: 0, power_max_w: 0, hash: { whole: 0, frac: 0 }, hash_covered_ms: 0, miner_series_ms: 0, miner_samples: 0,
    resets: 0, rollovers: 0, spikes: 0, glitches: 0, recoveries: 0, gaps: 0,
  };
}

const SUMMED = [
  'register_mwh', 'register_ms', 'integrated_ms', 'covered_ms', 'series_ms', 'samples', 'power_mwh', 'hash_covered_ms', 'miner_series_ms',
  'miner_samples', 'resets', 'rollovers', 'spikes', 'glitches', 'recoveries', 'gaps',
] as const;

/**
 * Adds `add` into `into`. `over: 'series'` combines different series (or keys) in the same time: counts and
 * maxima add up. `over: 'time'` combines consecutive pieces of the same group: `series` and `power_max_w` take
 * the larger.
 */
export function combine(into: Figures, add: Readonly<Figures>, over: 'series' | 'time'): void {
  for (const f of SUMMED) into[f] += add[f];
  addExact(into.integrated, add.integrated, HALF_MW_MS_PER_MWH);
  addExact(into.hash, add.hash, HALF_GH_MS_PER_GHS);
  if (over === 'series') {
    into.series += add.series;
    into.power_max_w += add.power_max_w;
  } else {
    into.series = Math.max(into.series, add.series);
    into.power_max_w = Math.max(into.power_max_w, add.power_max_w);
  }
}

/** A copy that can be added to without changing `f` (its exact sums are objects). */
export function copyFigures(f: Readonly<Figures>): Figures {
  return { ...f, integrated: { ...f.integrated }, hash: { ...f.hash } };
}

/** Total energy, integer mWh: the integrated part is rounded once, here. */
export function energyMwh(f: Readonly<Figures>): number {
  return f.register_mwh + integratedMwh(f);
}

export function integratedMwh(f: Readonly<Figures>): number {
  return roundExact(f.integrated, HALF_MW_MS_PER_MWH);
}

/** `register` when every counted ms came from registers, `integrated` when all from power, else `mixed`. */
export function methodOf(f: Readonly<Figures>): 'register' | 'integrated' | 'mixed' | 'none' {
  if (f.register_ms > 0) return f.integrated_ms > 0 ? 'mixed' : 'register';
  return f.integrated_ms > 0 ? 'integrated' : 'none';
}

/** Hash-work in GH·s (a float of the exact value, for ratios). */
export function hashGhs(f: Readonly<Figures>): number {
  return f.hash.whole + f.hash.frac / HALF_GH_MS_PER_GHS;
}

/** The stored form of a bucket `bucketMs` long. */
export function toFields(f: Readonly<Figures>, bucketMs: number): RollupFields {
  return {
    register_mwh: f.register_mwh,
    integrated_mwh: f.integrated.whole,
    integrated_frac: f.integrated.frac,
    register_ms: f.register_ms,
    integrated_ms: f.integrated_ms,
    covered_ms: f.covered_ms,
    series_ms: f.series_ms,
    series: f.series,
    samples: f.samples,
    // W = mWh · 3600 / ms
    power_mean_w: (f.power_mwh * 3600) / bucketMs,
    power_max_w: f.power_max_w,
    hash_ghs: f.hash.whole,
    hash_frac: f.hash.frac,
    // TH/s = GH·s / s / 1000
    hashrate_mean_ths: hashGhs(f) / bucketMs,
    hash_covered_ms: f.hash_covered_ms,
    miner_series_ms: f.miner_series_ms,
    miner_samples: f.miner_samples,
    resets: f.resets,
    rollovers: f.rollovers,
    spikes: f.spikes,
    glitches: f.glitches,
    recoveries: f.recoveries,
    gaps: f.gaps,
  };
}

/**
 * Back from stored fields: one bucket, or a RollupTotal's combined fields over buckets that are all
 * `bucketMs` long (power_mean_w then holds the sum of their means).
 */
export function fromFields(r: Readonly<RollupFields>, bucketMs: number): Figures {
  const f = emptyFigures();
  f.register_mwh = r.register_mwh;
  addExact(f.integrated, { whole: r.integrated_mwh, frac: r.integrated_frac }, HALF_MW_MS_PER_MWH);
  f.register_ms = r.register_ms;
  f.integrated_ms = r.integrated_ms;
  f.covered_ms = r.covered_ms;
  f.series_ms = r.series_ms;
  f.series = r.series;
  f.samples = r.samples;
  f.power_mwh = (r.power_mean_w * bucketMs) / 3600;
  f.power_max_w = r.power_max_w;
  addExact(f.hash, { whole: r.hash_ghs, frac: r.hash_frac }, HALF_GH_MS_PER_GHS);
  f.hash_covered_ms = r.hash_covered_ms;
  f.miner_series_ms = r.miner_series_ms;
  f.miner_samples = r.miner_samples;
  f.resets = r.resets;
  f.rollovers = r.rollovers;
  f.spikes = r.spikes;
  f.glitches = r.glitches;
  f.recoveries = r.recoveries;
  f.gaps = r.gaps;
  return f;
}

/** An hour bucket from its minute buckets (the stored fields of each), as the store's totals would combine them. */
export function hourFromMinutes(minutes: readonly Readonly<RollupFields>[]): RollupFields {
  const f = emptyFigures();
  for (const m of minutes) combine(f, fromFields(m, 60_000), 'time');
  return toFields(f, 3_600_000);
}
