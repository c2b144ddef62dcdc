import { Yielder } from '../lib/yield-now.js';
import { NO_SERIES_SETTINGS, type SeriesSettings } from '../energy/settings.js';
import type { Adjustment, Gap } from '../energy/types.js';
import { BUCKET_MS, type RollupLevel, type RollupResolution, type Store } from '../store/store.js';
import { CONTEXT_WITHIN_MS, HOUR_MS, MINUTE_MS, MinuteAccounting, minutePieces, type SeriesKind } from './accounting.js';
import { readWindow, type Scope } from './fetch.js';
import { combine, copyFigures, emptyFigures, fromFields, type Figures } from './figures.js';
import type { RollupEngine } from './engine.js';
import { planRange, type Plan } from './plan.js';

/** What a range's energy is asked for: a site, or one rig or PDU of it. */
export interface EnergyScope {
  site: string;
  rig?: string;
  pdu?: string;
}

export interface RawDetail {
  adjustments: Array<Adjustment & { series: string }>;
  gaps: Array<Gap & { series: string }>;
  /** Per outlet series (`pdu/outlet`). */
  perSeries: Map<string, Figures>;
}

export interface RangeEnergy {
  /** The outlets of the scope: a rig's, a PDU's or the site's (with their miners' hash-work). */
  it: Figures;
  /** The site's facility meters, summed; null for a rig or PDU, or without meter readings. */
  meter: Figures | null;
  /** How the answer was put together. */
  source: { hours: number; minutes: number; raw_ms: number };
  /** Raw answers only: every adjustment and gap, and each outlet's figures. */
  detail: RawDetail | null;
}

/** Raw readings spanning more than this are read a day at a time (each day with its own context). */
export const RAW_CHUNK_MS = 24 * HOUR_MS;

/** More raw time than this in one planned answer means the rollups are still being built. */
export const MAX_RAW_MS = 31 * 24 * HOUR_MS;

export class RollupBacklogError extends Error {
  override name = 'RollupBacklogError';
}

/**
 * A range's energy, from rollups where they are up to date and from raw readings elsewhere — or all from raw
 * readings. Both ways use the one accounting (accounting.ts), so they agree to the mWh:
 * whole clean hours come from 1-hour buckets, whole clean minutes from 1-minute buckets, and the minutes the
 * ledger holds dirty, plus the partial minutes at the range's ends, from raw readings.
 */
export class RangeReader {
  /** The per-series settings raw answers are computed with: the engine's, so that both ways agree. */
  readonly settings: SeriesSettings;

  constructor(
    private readonly store: Store,
    private readonly engine: RollupEngine | null,
    settings?: SeriesSettings,
  ) {
    this.settings = settings ?? engine?.settings ?? NO_SERIES_SETTINGS;
  }

  /** All from raw readings, itemized (every adjustment with its reason, every gap, each outlet). */
  async raw(scope: EnergyScope, from: number, to: number): Promise<RangeEnergy> {
    const detail: RawDetail = { adjustments: [], gaps: [], perSeries: new Map() };
    const acc = new Accumulator(scope);
    await this.rawInto(acc, scope, from, to, detail);
    return acc.answer({ hours: 0, minutes: 0, raw_ms: to - from }, detail);
  }

  /** From rollups where they are clean; falls back to raw readings where they are not (or without an engine). */
  async planned(scope: EnergyScope, from: number, to: number): Promise<RangeEnergy> {
    if (!this.engine) return this.raw(scope, from, to);
    const plan = await planRead(this.engine, scope.site, from, to);
    const rawMs = plan.raw.reduce((s, r) => s + (r.to - r.from), 0);
    const acc = new Accumulator(scope);
    await Promise.all([
      ...plan.hours.map((r) => this.bucketsInto(acc, scope, '1h', r.from, r.to)),
      ...plan.minutes.map((r) => this.bucketsInto(acc, scope, '1m', r.from, r.to)),
      ...plan.raw.map((r) => this.rawInto(acc, scope, r.from, r.to, null)),
    ]);
    return acc.answer(sourceOf(plan, rawMs), null);
  }

  private async bucketsInto(acc: Accumulator, scope: EnergyScope, resolution: RollupResolution, from: number, to: number): Promise<void> {
    const levels: Array<[RollupLevel, string | undefined]> = scope.rig !== undefined ? [['rig', scope.rig]] : scope.pdu !== undefined ? [['pdu', scope.pdu]] : [['site', ''], ['meter', undefined]];
    await Promise.all(
      levels.map(async ([level, key]) => {
        const totals = await this.store.rollupTotals({ resolution, level, site: scope.site, from, to, ...(key !== undefined && { key }) });
        for (const t of totals) acc.add(level === 'meter' ? `meter/${t.key}` : acc.itGroup, fromFields(t.fields, BUCKET_MS[resolution]));
      }),
    );
  }

  private async rawInto(acc: Accumulator, scope: EnergyScope, from: number, to: number, detail: RawDetail | null): Promise<void> {
    const whole: Scope = { site: scope.site, outlets: true, meters: scope.rig === undefined && scope.pdu === undefined, miners: false, ...(scope.rig !== undefined && { rig: scope.rig }), ...(scope.pdu !== undefined && { pdu: scope.pdu }) };
    for (let start = from; start < to; ) {
      const end = Math.min(to, Math.floor(start / MINUTE_MS) * MINUTE_MS + RAW_CHUNK_MS);
      const window = await readWindow(this.store, whole, Math.floor(start / MINUTE_MS) * MINUTE_MS, Math.ceil(end / MINUTE_MS) * MINUTE_MS, this.settings);
      const accounting = new MinuteAccounting({ ...window, ...(detail && { detail: detailSink(detail) }) });
      const turn = new Yielder();
      for (const piece of minutePieces(start, end)) {
        await turn.maybe();
        for (const [group, f] of accounting.piece(piece)) acc.add(group, f);
      }
      start = end;
    }
  }
}

/**
 * Which parts of a site's [from, to) come from hour buckets, minute buckets and raw readings: fresh marks near
 * the range expanded first, then the ledger's dirty minutes and hours read raw. Without rollups (none, or not
 * yet marked for the readings already stored) all of it is raw. More than MAX_RAW_MS to read raw is a
 * RollupBacklogError (the API's 503).
 */
export async function planRead(engine: RollupEngine | null, site: string, from: number, to: number): Promise<Plan> {
  if (!engine || !engine.ready) {
    if (to - from > MAX_RAW_MS) throw new RollupBacklogError('rollups are being set up for the readings already stored; ask again shortly, or ask a shorter range');
    return { hours: [], minutes: [], raw: [{ from, to }] };
  }
  const reach = 2 * CONTEXT_WITHIN_MS + 2 * MINUTE_MS;
  let marks = engine.ledger.dirtyIn(site, from, to, reach);
  if (marks.fresh) {
    await engine.expandFresh();
    marks = engine.ledger.dirtyIn(site, from, to, reach);
  }
  const plan = planRange(from, to, marks);
  const rawMs = plan.raw.reduce((s, r) => s + (r.to - r.from), 0);
  if (rawMs > MAX_RAW_MS) throw new RollupBacklogError(`the rollups of this range are still being computed (${Math.round(rawMs / 60_000)} minutes left to read raw); ask again shortly, or ask a shorter range`);
  return plan;
}

/** Sums pieces: the scope's outlet group over time, and each meter over time (then the meters together). */
class Accumulator {
  readonly itGroup: string;
  private readonly it = emptyFigures();
  private readonly meters = new Map<string, Figures>();

  constructor(scope: EnergyScope) {
    this.itGroup = scope.rig !== undefined ? `rig/${scope.rig}` : scope.pdu !== undefined ? `pdu/${scope.pdu}` : 'site/';
  }

  add(group: string, f: Figures): void {
    if (group === this.itGroup) combine(this.it, f, 'time');
    else if (group.startsWith('meter/')) {
      const m = this.meters.get(group);
      if (m) combine(m, f, 'time');
      else this.meters.set(group, copyFigures(f));
    }
  }

  answer(source: RangeEnergy['source'], detail: RawDetail | null): RangeEnergy {
    let meter: Figures | null = null;
    for (const m of this.meters.values()) {
      if (!meter) meter = emptyFigures();
      combine(meter, m, 'series');
    }
    return { it: this.it, meter, source, detail };
  }
}

function detailSink(detail: RawDetail) {
  return {
    adjustment(kind: SeriesKind, series: string, a: Adjustment) {
      if (kind === 'outlet') detail.adjustments.push({ series, ...a });
    },
    gap(kind: SeriesKind, series: string, g: Gap) {
      if (kind === 'outlet') detail.gaps.push({ series, ...g });
    },
    series(kind: SeriesKind, series: string, f: Figures) {
      if (kind !== 'outlet') return;
      const s = detail.perSeries.get(series);
      if (s) combine(s, f, 'time');
      else detail.perSeries.set(series, copyFigures(f));
    },
  };
}

function sourceOf(plan: Plan, rawMs: number): RangeEnergy['source'] {
  const count = (runs: readonly { from: number; to: number }[], step: number) => runs.reduce((s, r) => s + (r.to - r.from) / step, 0);
  return { hours: count(plan.hours, HOUR_MS), minutes: count(plan.minutes, MINUTE_MS), raw_ms: rawMs };
}
