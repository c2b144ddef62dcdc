/**
 * What a replay plays back: the mean power of a site, PDU or rig per step over a past range, from stored history
 * only. Steps under a minute come from raw readings; longer ones from the 1-minute or 1-hour rollups (their
 * `power_mean_w`: ∫ power dt over the bucket / its length), with any bucket the rollup ledger holds out of date
 * read raw instead — so a replay of a year is a few thousand buckets, not billions of readings.
 */
import type { RollupEngine } from '../rollup/engine.js';
import { MAX_RAW_MS, RollupBacklogError } from '../rollup/reader.js';
import { BUCKET_MS, type RollupLevel, type RollupResolution, type Store } from '../store/store.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Steps a replay uses: each divides the next larger unit, so buckets line up with rollups and clock time. */
export const REPLAY_STEPS_MS: readonly number[] = [1, 2, 5, 10, 15, 30].map((s) => s * SECOND).concat([1, 2, 5, 10, 15, 30].map((m) => m * MINUTE), [1, 2, 3, 6, 12, 24].map((h) => h * HOUR));

export const DEFAULT_REPLAY_POINTS = 2000;
export const MAX_REPLAY_POINTS = 10_000;

/** The smallest step that keeps [from, to) within `maxPoints` points (the largest step if none does). */
export function replayStep(rangeMs: number, maxPoints: number): number {
  return REPLAY_STEPS_MS.find((s) => Math.ceil(rangeMs / s) <= maxPoints) ?? REPLAY_STEPS_MS[REPLAY_STEPS_MS.length - 1]!;
}

export interface ReplayScope {
  site: string;
  pdu?: string;
  rig?: string;
}

export interface ReplayPoint {
  /** Start of the step, ms epoch. */
  ts: number;
  /** Mean power over the step, W. */
  power_w: number;
}

export interface ReplaySeries {
  step_ms: number;
  resolution: 'raw' | RollupResolution;
  /** Steps with data, in time order; a step without readings has no point. */
  points: ReplayPoint[];
  /** Rollup buckets used, and spans read raw (out-of-date buckets, or steps under a minute). */
  answered_from: { buckets: number; raw_spans: number };
}

export interface ReplaySource {
  store: Store;
  rollups: RollupEngine | null;
}

export async function replaySeries(src: ReplaySource, scope: ReplayScope, from: number, to: number, maxPoints = DEFAULT_REPLAY_POINTS): Promise<ReplaySeries> {
  const step = replayStep(to - from, maxPoints);
  const gridFrom = Math.floor(from / step) * step;
  const filter = { site: scope.site, ...(scope.pdu !== undefined && { pdu: scope.pdu }), ...(scope.rig !== undefined && { rig: scope.rig }) };
  if (step < MINUTE || !src.rollups?.ready) {
    if (to - from > MAX_RAW_MS) throw new RollupBacklogError('rollups are not available for the readings stored so far; ask again shortly, or ask a shorter range');
    const points = await src.store.powerBuckets({ ...filter, from: gridFrom, to, stepMs: step });
    return { step_ms: step, resolution: 'raw', points: points.map((p) => ({ ts: p.ts, power_w: p.power_w })), answered_from: { buckets: 0, raw_spans: 1 } };
  }
  const resolution: RollupResolution = step % HOUR === 0 ? '1h' : '1m';
  const bucketMs = BUCKET_MS[resolution];
  const [level, key] = levelOf(scope);
  const marks = src.rollups.ledger.dirtyIn(scope.site, gridFrom, to, 0);
  const staleHours = new Set(marks.hours);
  for (const m of marks.minutes) staleHours.add(Math.floor(m / HOUR) * HOUR);
  const stale = (ts: number) => (resolution === '1m' ? marks.minutes.has(ts) : staleHours.has(ts));
  // ∫ power dt per step, W·ms.
  const energy = new Map<number, number>();
  const add = (ts: number, wms: number) => {
    const slot = Math.floor(ts / step) * step;
    energy.set(slot, (energy.get(slot) ?? 0) + wms);
  };
  const rows = await src.store.rollups({ resolution, level, site: scope.site, from: gridFrom, to, ...(key !== undefined && { key }) });
  let buckets = 0;
  for (const row of rows) {
    if (stale(row.ts)) continue;
    add(row.ts, row.fields.power_mean_w * bucketMs);
    buckets += 1;
  }
  const runs = staleRuns(resolution === '1m' ? [...marks.minutes] : [...staleHours], bucketMs, gridFrom, to);
  for (const run of runs) {
    for (const p of await src.store.powerBuckets({ ...filter, from: run.from, to: run.to, stepMs: MINUTE })) add(p.ts, p.power_w * MINUTE);
  }
  const points = [...energy].sort((a, b) => a[0] - b[0]).map(([ts, wms]) => ({ ts, power_w: wms / step }));
  return { step_ms: step, resolution, points, answered_from: { buckets, raw_spans: runs.length } };
}

function levelOf(scope: ReplayScope): [RollupLevel, string | undefined] {
  if (scope.rig !== undefined) return ['rig', scope.rig];
  if (scope.pdu !== undefined) return ['pdu', scope.pdu];
  return ['site', undefined];
}

/** Out-of-date buckets inside [from, to), joined into runs of consecutive buckets. */
export function staleRuns(starts: number[], bucketMs: number, from: number, to: number): Array<{ from: number; to: number }> {
  const runs: Array<{ from: number; to: number }> = [];
  for (const s of starts.filter((t) => t + bucketMs > from && t < to).sort((a, b) => a - b)) {
    const a = Math.max(s, from);
    const b = Math.min(s + bucketMs, to);
    const last = runs.at(-1);
    if (last && last.to >= a) last.to = Math.max(last.to, b);
    else runs.push({ from: a, to: b });
  }
  return runs;
}
