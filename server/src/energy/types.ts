/** Shared types of the energy accounting core. Energies are integer mWh unless a name says otherwise. */

/** One reading of a series as the accounting sees it (outlet or meter). */
export interface EnergyPoint {
  ts: number;
  power_w: number;
  /** The device's lifetime register, Wh (may be fractional). */
  energy_wh?: number;
}

/** Per-series settings. Everything has a default; per-device values come from the fleet registry later. */
export interface SeriesOptions {
  /** Integration never bridges an interval longer than this; such spans count as missing. */
  maxGapMs: number;
  /** Consecutive low readings needed before a register drop is believed to be a reset. */
  resetConfirmations: number;
  /** Register modulus, Wh (2^32 for a 32-bit Wh register). Unknown: no rollover is ever assumed. */
  registerWrapWh?: number;
  /** Highest average power the series can draw, W (the outlet rating, the meter's CT rating). */
  maxPowerW?: number;
  /**
   * A register delta over an interval no longer than `maxGapMs` is a spike when its average power exceeds
   * this factor times the larger power reported at either end. Over longer spans only `maxPowerW` applies.
   */
  spikeFactor: number;
  /** Register resolution, Wh: a delta may exceed the power limit by this much (a 1 Wh register ticking). */
  registerStepWh: number;
}

export const DEFAULT_MAX_GAP_MS = 5 * 60_000;

export const DEFAULT_SERIES_OPTIONS: SeriesOptions = {
  maxGapMs: DEFAULT_MAX_GAP_MS,
  resetConfirmations: 2,
  spikeFactor: 3,
  registerStepWh: 1,
};

/** A piece of counted energy over [start, end]. */
export interface Segment {
  start: number;
  end: number;
  /** mWh: an integer for register deltas; the trapezoid's exact value for integrated ones. */
  mwh: number;
  source: 'register' | 'integrated';
  /** For integrated segments: the power at either end, mW (the trapezoid, so it can be split exactly). */
  startMw?: number;
  endMw?: number;
}

export type AdjustmentKind = 'reset' | 'rollover' | 'spike' | 'glitch' | 'recovery' | 'duplicate';

/** A register delta that was not simply counted as next − previous, and why. */
export interface Adjustment {
  kind: AdjustmentKind;
  /** The span the adjustment concerns, ms epoch. */
  from: number;
  to: number;
  /** Register at either end of the span, Wh. */
  register_from_wh: number | null;
  register_to_wh: number | null;
  /** What was counted for the span, Wh, and from where. */
  counted_wh: number;
  counted_from: 'register' | 'integrated' | 'none';
  reason: string;
}

/** A span between consecutive readings longer than the gap limit. */
export interface Gap {
  start: number;
  end: number;
  /** The register's delta across the gap was counted, so its energy is exact though its timing is unknown. */
  bridged_by_register: boolean;
}

/** Where counted energy and coverage go, for callers that cut them into pieces of time (the minute accounting). */
export interface SegmentSink {
  segment(s: Segment): void;
  /** [start, end] lies between consecutive readings no further apart than the gap limit. */
  covered(start: number, end: number): void;
}
