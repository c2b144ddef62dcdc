/**
 * The energy of any piece of a UTC minute, for every rig, PDU, site and meter — the one definition that rollups
 * and raw answers share, so that they agree to the mWh. Pure: no I/O, no clock.
 *
 * Each series (a PDU outlet, a facility meter) is accounted minute by minute. A minute's accounting walks the
 * series' readings in the minute plus its *context*: the last CONTEXT_READINGS readings before the minute and
 * the first CONTEXT_READINGS from its end on, each no further than CONTEXT_WITHIN_MS away, and none across an
 * interval longer than that. The walk is the
 * accounting of docs/energy.md (register branches, integration, gaps), and what it counts is split into the
 * minute exactly (split.ts): a register delta crossing the minute's edge in proportion to time, a trapezoid
 * along its line. So a minute's energy depends only on readings near it; minutes add up to hours, and any
 * range is the sum of its minutes' parts, however it is cut.
 *
 * Counts go to the minute holding the end of what they describe: an adjustment its `to`, a gap its end.
 */
import type { MeterReading, MinerReading, OutletReading } from '../domain/reading.js';
import { seriesEnergy } from '../energy/series.js';
import type { OptionsOf, SeriesKind } from '../energy/settings.js';
import { DEFAULT_SERIES_OPTIONS, type Adjustment, type EnergyPoint, type Gap, type Segment, type SeriesOptions } from '../energy/types.js';
import { combine, copyFigures, emptyFigures, type Figures } from './figures.js';
import { HALF_GH_MS_PER_GHS, HALF_MW_MS_PER_MWH, addUnits, registerShare, trapezoidShare } from './split.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
/** Readings of context on each side of a minute: the register checks need them (a reset is 2 readings that stay down). */
export const CONTEXT_READINGS = 3;
/** How far context reaches; an interval between two readings longer than this counts nothing (a silence of over a week). */
export const CONTEXT_WITHIN_MS = 7 * 86_400_000;

/** A half-open piece of time inside one UTC minute: a whole minute, or the part of one at a range's edge. */
export interface Piece {
  from: number;
  to: number;
}

/** `rig/<id>`, `pdu/<id>`, `site/`, `meter/<id>`. */
export type GroupKey = string;

/** Receives the itemized detail of every series' part of a piece (raw answers list it). */
export interface DetailSink {
  adjustment(kind: SeriesKind, series: string, a: Adjustment): void;
  gap(kind: SeriesKind, series: string, g: Gap): void;
  series(kind: SeriesKind, series: string, f: Figures): void;
}

export type { SeriesKind } from '../energy/settings.js';

export interface AccountingInput {
  /** The readings of the pieces' minutes and their context (store.outletsAround), in any order. */
  outlets?: readonly OutletReading[];
  meters?: readonly MeterReading[];
  /** Miner readings of the pieces and MAX_GAP before and after. */
  miners?: readonly MinerReading[];
  options?: Partial<SeriesOptions>;
  /** Per-series options over `options` (the register width, the outlet rating: energy/settings.ts). */
  optionsOf?: OptionsOf;
  detail?: DetailSink;
}

interface Series<T> {
  key: string;
  points: T[];
  options: SeriesOptions;
}

export class MinuteAccounting {
  private readonly outlets: Series<OutletReading>[];
  private readonly meters: Series<MeterReading>[];
  private readonly miners: Series<{ ts: number; gh: number }>[];
  private readonly options: SeriesOptions;

  constructor(private readonly input: AccountingInput) {
    this.options = { ...DEFAULT_SERIES_OPTIONS, ...input.options };
    const withOptions = <T>(kind: SeriesKind, list: { key: string; points: T[] }[]): Series<T>[] =>
      list.map((s) => ({ ...s, options: { ...this.options, ...input.optionsOf?.(kind, s.key) } }));
    this.outlets = withOptions('outlet', bySeries(input.outlets ?? [], (r) => `${r.pdu}/${r.outlet}`));
    this.meters = withOptions('meter', bySeries(input.meters ?? [], (r) => r.meter));
    // A miner is one series per rig (a swapped model is the same rig); TH/s → whole GH/s, so hash-work adds up exactly.
    this.miners = bySeries(input.miners ?? [], (r) => r.rig).map((s) => ({ key: s.key, points: s.points.map((p) => ({ ts: p.ts, gh: Math.round(p.hashrate_ths * 1000) })), options: this.options }));
  }

  /** Every group's figures in `piece` (which must lie inside one UTC minute). */
  piece(piece: Piece): Map<GroupKey, Figures> {
    const groups = new Map<GroupKey, Figures>();
    const add = (key: GroupKey, f: Figures) => {
      const g = groups.get(key);
      if (g) combine(g, f, 'series');
      else groups.set(key, copyFigures(f));
    };
    const rigPdu = new Map<string, string>();
    for (const s of this.outlets) {
      const part = this.seriesPiece('outlet', s, piece);
      if (!part) continue;
      const { figures, last } = part;
      add('site/', figures);
      add(`pdu/${last.pdu}`, figures);
      if (last.rig) {
        add(`rig/${last.rig}`, figures);
        rigPdu.set(last.rig, last.pdu);
      }
    }
    for (const s of this.meters) {
      const part = this.seriesPiece('meter', s, piece);
      if (part) add(`meter/${s.key}`, part.figures);
    }
    for (const s of this.miners) {
      const f = this.minerPiece(s.points, piece);
      if (!f) continue;
      add(`rig/${s.key}`, f);
      add('site/', f);
      const pdu = rigPdu.get(s.key);
      if (pdu !== undefined) add(`pdu/${pdu}`, f);
    }
    return groups;
  }

  /** One series' part of a piece, from the walk over its minute's window; null when the series is absent. */
  private seriesPiece<T extends EnergyPoint>(kind: SeriesKind, s: Series<T>, piece: Piece): { figures: Figures; last: T } | null {
    const pts = s.points;
    const m = Math.floor(piece.from / MINUTE_MS) * MINUTE_MS;
    const mEnd = m + MINUTE_MS;
    const i0 = lowerBound(pts, m);
    const i1 = lowerBound(pts, mEnd);
    const reach = CONTEXT_WITHIN_MS;
    const start = Math.max(i0 - CONTEXT_READINGS, lowerBound(pts, m - reach));
    const end = Math.min(i1 + CONTEXT_READINGS, lowerBound(pts, mEnd + reach));
    // The window is cut at any interval longer than the reach: such a silence counts nothing.
    let lo = i0;
    let hi = i1;
    if (i1 === i0) {
      if (i0 - 1 < start || i0 >= end || pts[i0]!.ts - pts[i0 - 1]!.ts > reach) return null;
      lo = i0 - 1;
      hi = i0 + 1;
    }
    while (lo > start && pts[lo]!.ts - pts[lo - 1]!.ts <= reach) lo -= 1;
    while (hi < end && pts[hi]!.ts - pts[hi - 1]!.ts <= reach) hi += 1;
    const p0 = lowerBound(pts, piece.from, i0, i1);
    const p1 = lowerBound(pts, piece.to, p0, i1);
    // Present: a reading in the piece, or an interval between two readings of the window across it.
    if (p1 === p0 && !(p0 - 1 >= lo && p0 < hi)) return null;
    const f = emptyFigures();
    f.series = 1;
    f.series_ms = piece.to - piece.from;
    f.samples = p1 - p0;
    for (let i = p0; i < p1; i++) f.power_max_w = Math.max(f.power_max_w, pts[i]!.power_w);
    const window = pts.slice(lo, hi);
    const result = seriesEnergy(window, { key: s.key, options: s.options, sink: clipSink(f, piece) });
    for (const a of result.adjustments) {
      if (a.to < piece.from || a.to >= piece.to) continue;
      if (a.kind === 'reset') f.resets += 1;
      else if (a.kind === 'rollover') f.rollovers += 1;
      else if (a.kind === 'spike') f.spikes += 1;
      else if (a.kind === 'glitch') f.glitches += 1;
      else if (a.kind === 'recovery') f.recoveries += 1;
      this.input.detail?.adjustment(kind, s.key, a);
    }
    for (const g of result.gaps) {
      if (g.end < piece.from || g.end >= piece.to) continue;
      f.gaps += 1;
      this.input.detail?.gap(kind, s.key, g);
    }
    f.power_mwh = powerIntegral(window, piece, s.options.maxGapMs);
    this.input.detail?.series(kind, s.key, f);
    const last = pts[Math.max(lo, i1 - 1)]!;
    return { figures: f, last };
  }

  private minerPiece(pts: readonly { ts: number; gh: number }[], piece: Piece): Figures | null {
    const q0 = lowerBound(pts, piece.from);
    const q1 = lowerBound(pts, piece.to, q0);
    const f = emptyFigures();
    let present = q1 > q0;
    for (let j = Math.max(0, q0 - 1); j + 1 < pts.length && pts[j]!.ts < piece.to; j++) {
      const a = pts[j]!;
      const b = pts[j + 1]!;
      if (b.ts - a.ts > this.options.maxGapMs) continue;
      const lo = Math.max(a.ts, piece.from);
      const hi = Math.min(b.ts, piece.to);
      if (hi <= lo) continue;
      addUnits(f.hash, trapezoidShare(a.gh, b.gh, a.ts, b.ts, piece.from, piece.to), HALF_GH_MS_PER_GHS);
      f.hash_covered_ms += hi - lo;
      present = true;
    }
    if (!present) return null;
    f.miner_series_ms = piece.to - piece.from;
    f.miner_samples = q1 - q0;
    return f;
  }
}

/** Takes what one walk counted and keeps the part inside the piece. */
function clipSink(f: Figures, piece: Piece) {
  return {
    segment(s: Segment): void {
      // Segments join two readings, so they always have a length.
      const overlap = Math.min(s.end, piece.to) - Math.max(s.start, piece.from);
      if (overlap <= 0) return;
      if (s.source === 'register') {
        f.register_mwh += registerShare(s.mwh, s.start, s.end, piece.from, piece.to);
        f.register_ms += overlap;
      } else {
        addUnits(f.integrated, trapezoidShare(s.startMw!, s.endMw!, s.start, s.end, piece.from, piece.to), HALF_MW_MS_PER_MWH);
        f.integrated_ms += overlap;
      }
    },
    covered(start: number, end: number): void {
      f.covered_ms += Math.max(0, Math.min(end, piece.to) - Math.max(start, piece.from));
    },
  };
}

/** ∫ power dt over the piece (trapezoids, not across gaps), mWh; W·ms / 3600 = mWh. */
function powerIntegral(pts: readonly EnergyPoint[], piece: Piece, maxGapMs: number): number {
  let sum = 0;
  for (let j = 0; j + 1 < pts.length; j++) {
    const a = pts[j]!;
    const b = pts[j + 1]!;
    if (b.ts <= piece.from) continue;
    if (a.ts >= piece.to) break;
    if (b.ts - a.ts > maxGapMs) continue;
    const at = (t: number) => a.power_w + ((b.power_w - a.power_w) * (t - a.ts)) / (b.ts - a.ts);
    const lo = Math.max(a.ts, piece.from);
    const hi = Math.min(b.ts, piece.to);
    sum += ((at(lo) + at(hi)) / 2) * (hi - lo);
  }
  return sum / 3600;
}

/** Groups readings into series sorted by ts, one reading per ts (the later one in input order, as the store keeps). */
function bySeries<T extends { ts: number }>(readings: readonly T[], keyOf: (r: T) => string): { key: string; points: T[] }[] {
  const map = new Map<string, Map<number, T>>();
  for (const r of readings) {
    const key = keyOf(r);
    let byTs = map.get(key);
    if (!byTs) map.set(key, (byTs = new Map()));
    byTs.set(r.ts, r);
  }
  return [...map]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([key, byTs]) => ({ key, points: [...byTs.values()].sort((a, b) => a.ts - b.ts) }));
}

/** First index in [lo, hi) whose ts is ≥ t. */
function lowerBound(pts: readonly { ts: number }[], t: number, lo = 0, hi = pts.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pts[mid]!.ts < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Every piece of [from, to) cut at UTC minutes. */
export function minutePieces(from: number, to: number): Piece[] {
  const pieces: Piece[] = [];
  for (let t = from; t < to; ) {
    const next = Math.min(to, Math.floor(t / MINUTE_MS) * MINUTE_MS + MINUTE_MS);
    pieces.push({ from: t, to: next });
    t = next;
  }
  return pieces;
}
