/**
 * Fills a site's quarter grid from the store, checked against the same reader /api/energy answers from.
 *
 * 1. The 1-minute rollup buckets of the window (site and meter levels) are read in one query each and summed
 *    into local quarters: a month of quarters without touching raw readings.
 * 2. Buckets can lag: the last minute or two of live data are not rolled up yet, and late data leaves its minutes
 *    stale until the worker recomputes them. So the grid is checked against RangeReader.planned — which reads
 *    exactly those minutes raw — range by range: the range before the period and the period itself, then (where
 *    they differ) halves down to local days, a day's hours, an hour's quarters; a quarter that still differs is
 *    filled from raw readings with the minute accounting the rollups use. The energies then add up to the
 *    reader's totals to the mWh, checked by exact comparison of the exact sums.
 */
import { readWindow } from '../rollup/fetch.js';
import { combine, emptyFigures, fromFields, type Figures } from '../rollup/figures.js';
import { RollupBacklogError, type RangeReader } from '../rollup/reader.js';
import type { Store } from '../store/store.js';
import { sameEnergy, type Quarter, QuarterGrid } from './grid.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** Checks and raw quarters one answer may need before it says the rollups are behind (503). */
const MAX_CHECKS = 600;
const MAX_RAW_QUARTERS = 96;

export interface GridSource {
  store: Store;
  reader: RangeReader;
}

type Level = 'day' | 'hour' | 'quarter';

interface Budget {
  checks: number;
  raw: number;
}

/** The grid of [from, to) in the site's zone, verified over [from, split) and [split, to). */
export async function loadGrid(src: GridSource, site: string, tz: string, from: number, split: number, to: number): Promise<QuarterGrid> {
  const grid = new QuarterGrid(from, to, tz);
  const mFrom = Math.ceil(from / MINUTE_MS) * MINUTE_MS;
  const mTo = Math.floor(to / MINUTE_MS) * MINUTE_MS;
  if (mFrom < mTo) {
    const q = { resolution: '1m' as const, site, from: mFrom, to: mTo };
    const [itRows, meterRows] = await Promise.all([src.store.rollups({ ...q, level: 'site' }), src.store.rollups({ ...q, level: 'meter' })]);
    for (const r of itRows) grid.add('it', r.ts, fromFields(r.fields, MINUTE_MS));
    // Several meters in one minute are several series at once, then one piece of the grid's time.
    const meters = new Map<number, Figures>();
    for (const r of meterRows) {
      const f = meters.get(r.ts);
      if (f) combine(f, fromFields(r.fields, MINUTE_MS), 'series');
      else meters.set(r.ts, fromFields(r.fields, MINUTE_MS));
    }
    for (const [ts, f] of meters) grid.add('meter', ts, f);
  }
  const budget: Budget = { checks: 0, raw: 0 };
  const verifier = new Verifier(src, site, grid, budget);
  await Promise.all([verifier.verify(units(grid, from, split, 'day'), 'day'), verifier.verify(units(grid, split, to, 'day'), 'day')]);
  return grid;
}

class Verifier {
  constructor(
    private readonly src: GridSource,
    private readonly site: string,
    private readonly grid: QuarterGrid,
    private readonly budget: Budget,
  ) {}

  /** Checks a run of consecutive units as one range; where it differs, halves it, or descends a level. */
  async verify(list: ReadonlyArray<[number, number]>, level: Level): Promise<void> {
    if (list.length === 0) return;
    const a = list[0]![0];
    const b = list[list.length - 1]![1];
    if (await this.matches(a, b)) return;
    if (list.length > 1) {
      const mid = list.length >> 1;
      await Promise.all([this.verify(list.slice(0, mid), level), this.verify(list.slice(mid), level)]);
      return;
    }
    if (level === 'day') return this.verify(units(this.grid, a, b, 'hour'), 'hour');
    if (level === 'hour') return this.verify(units(this.grid, a, b, 'quarter'), 'quarter');
    await this.raw(a, b);
  }

  private async matches(a: number, b: number): Promise<boolean> {
    if (++this.budget.checks > MAX_CHECKS) throw new RollupBacklogError('the rollups of this period are still being computed; ask again shortly');
    const anchor = await this.src.reader.planned({ site: this.site }, a, b);
    const sum = this.grid.sum(a, b);
    return sameEnergy(sum.it, anchor.it) && sameEnergy(sum.meter, anchor.meter ?? emptyFigures());
  }

  /** One quarter from raw readings (its minutes and their context), miners included for the hash-work. */
  private async raw(a: number, b: number): Promise<void> {
    if (++this.budget.raw > MAX_RAW_QUARTERS) throw new RollupBacklogError('the rollups of this period are still being computed; ask again shortly');
    const scope = { site: this.site, outlets: true, meters: true, miners: true };
    const window = await readWindow(this.src.store, scope, Math.floor(a / MINUTE_MS) * MINUTE_MS, Math.ceil(b / MINUTE_MS) * MINUTE_MS, this.src.reader.settings);
    this.grid.clear(a, b);
    this.grid.fillFromReadings(window, a, b);
  }
}

/** The grid's local days, hours or quarters lying in [from, to), as [start, end) ranges. */
function units(grid: QuarterGrid, from: number, to: number, level: Level): Array<[number, number]> {
  const key = (q: Quarter): number =>
    level === 'quarter' ? q.start : level === 'hour' ? q.start - (((q.wall % HOUR_MS) + HOUR_MS) % HOUR_MS) : Math.floor(q.wall / 86_400_000);
  const out: Array<[number, number]> = [];
  let last: number | null = null;
  for (const q of grid.slice(from, to)) {
    const k = key(q);
    if (k === last) out[out.length - 1]![1] = q.end;
    else out.push([q.start, q.end]);
    last = k;
  }
  return out;
}

/** Rigs with readings (outlet or miner) in [from, to): whole UTC hours from 1-hour buckets, the edges from minutes. */
export async function rigsReporting(store: Store, site: string, from: number, to: number): Promise<number> {
  const mFrom = Math.ceil(from / MINUTE_MS) * MINUTE_MS;
  const mTo = Math.floor(to / MINUTE_MS) * MINUTE_MS;
  const hFrom = Math.ceil(mFrom / HOUR_MS) * HOUR_MS;
  const hTo = Math.floor(mTo / HOUR_MS) * HOUR_MS;
  const runs: Array<['1m' | '1h', number, number]> = hFrom < hTo ? [['1m', mFrom, hFrom], ['1h', hFrom, hTo], ['1m', hTo, mTo]] : [['1m', mFrom, mTo]];
  const totals = await Promise.all(runs.filter(([, a, b]) => a < b).map(([resolution, a, b]) => store.rollupTotals({ resolution, level: 'rig', site, from: a, to: b })));
  const rigs = new Set<string>();
  for (const t of totals.flat()) if (t.fields.samples + t.fields.miner_samples > 0) rigs.add(t.key);
  return rigs.size;
}
