/**
 * Every rig's, PDU's, meter's and the site's figures over a range at once — what RangeReader does for one
 * scope, done for all groups of a site, so a month of 500 rigs is a handful of queries rather than 500 answers.
 * The same plan (rollup/plan.ts) and the same minute accounting (rollup/accounting.ts) as /api/energy: whole
 * clean hours from 1-hour buckets, clean minutes from 1-minute buckets, the rest from raw readings — so the
 * figures here agree with /api/energy to the mWh.
 */
import type { Adjustment, Gap } from '../energy/types.js';
import { Yielder } from '../lib/yield-now.js';
import { HOUR_MS, MINUTE_MS, MinuteAccounting, minutePieces, type DetailSink, type GroupKey, type Piece, type SeriesKind } from '../rollup/accounting.js';
import type { RollupEngine } from '../rollup/engine.js';
import { readWindow } from '../rollup/fetch.js';
import { combine, copyFigures, emptyFigures, fromFields, type Figures } from '../rollup/figures.js';
import { floorMinute } from '../rollup/ledger.js';
import type { Plan, Run } from '../rollup/plan.js';
import { planRead, RAW_CHUNK_MS } from '../rollup/reader.js';
import { BUCKET_MS, ROLLUP_LEVELS, type RollupLevel, type RollupResolution, type RollupRow, type Store } from '../store/store.js';

export interface GroupSource {
  store: Store;
  /** Without one (or before its first backfill is marked) everything is read raw, 31 days at most. */
  rollups: RollupEngine | null;
}

export interface AnsweredFrom {
  hours_1h: number;
  minutes_1m: number;
  raw_ms: number;
}

export interface GroupFigures {
  /** `site/`, `pdu/<id>`, `rig/<id>`, `meter/<id>` → figures over the whole range. */
  groups: Map<GroupKey, Figures>;
  /** With `minutes`: `site/` and `meter/<id>` → UTC minute → figures. */
  minutes?: Map<GroupKey, Map<number, Figures>>;
  plan: Plan;
  answered_from: AnsweredFrom;
}


export interface GroupOptions {
  /** Hears every adjustment and gap in the parts read raw. */
  detail?: DetailSink;
  /** Also keep each minute's figures of `site/` and each `meter/<id>` (peak load, highest hashrate). */
  minutes?: boolean;
}

/**
 * Every group's figures over [from, to), miners' hash-work included, and with `minutes` each minute's figures of
 * the site and its meters: 1-minute buckets where clean (a clean hour has clean minutes), raw elsewhere — one
 * raw pass for both. A partial minute at an edge of the range is keyed by its minute's start.
 */
export async function groupFigures(src: GroupSource, site: string, from: number, to: number, opts: GroupOptions = {}): Promise<GroupFigures> {
  const plan = await planRead(src.rollups, site, from, to);
  const groups = new Map<GroupKey, Figures>();
  const minutes = opts.minutes ? new Map<GroupKey, Map<number, Figures>>() : undefined;
  const add = (key: GroupKey, f: Figures) => addInto(groups, key, f, 'time');
  const addMinute = (key: GroupKey, minute: number, f: Figures) => {
    if (!minutes || !(key === 'site/' || key.startsWith('meter/'))) return;
    let byMinute = minutes.get(key);
    if (!byMinute) minutes.set(key, (byMinute = new Map()));
    addInto(byMinute, minute, f, 'time');
  };
  const buckets = (resolution: RollupResolution) => async (r: Run) => {
    await Promise.all(
      ROLLUP_LEVELS.map(async (level) => {
        for (const t of await src.store.rollupTotals({ resolution, level, site, from: r.from, to: r.to })) add(groupKey(level, t.key), fromFields(t.fields, BUCKET_MS[resolution]));
        if (minutes && (level === 'site' || level === 'meter')) {
          for (const row of await src.store.rollups({ resolution: '1m', level, site, from: r.from, to: r.to })) addMinute(groupKey(level, row.key), row.ts, fromFields(row.fields, MINUTE_MS));
        }
      }),
    );
  };
  await Promise.all([...plan.hours.map(buckets('1h')), ...plan.minutes.map(buckets('1m'))]);
  for (const r of plan.raw) {
    await rawPieces(
      src,
      site,
      r.from,
      r.to,
      (piece, pieceGroups) => {
        for (const [key, f] of pieceGroups) {
          add(key, f);
          addMinute(key, floorMinute(piece.from), f);
        }
      },
      opts.detail,
    );
  }
  return {
    groups,
    ...(minutes && { minutes }),
    plan,
    answered_from: { hours_1h: spanOf(plan.hours) / HOUR_MS, minutes_1m: spanOf(plan.minutes) / MINUTE_MS, raw_ms: spanOf(plan.raw) },
  };
}

/** Bucket rows of one level in the plan's rollup runs (1-hour buckets where the plan has hours). */
export async function bucketRows(src: GroupSource, site: string, level: RollupLevel, plan: Plan): Promise<RollupRow[]> {
  const read = (resolution: RollupResolution) => (r: Run) => src.store.rollups({ resolution, level, site, from: r.from, to: r.to });
  return (await Promise.all([...plan.hours.map(read('1h')), ...plan.minutes.map(read('1m'))])).flat();
}

export interface ItemizedAdjustment extends Adjustment {
  series_kind: SeriesKind;
  series: string;
}

export interface ItemizedGap extends Gap {
  series_kind: SeriesKind;
  series: string;
}

/** Walks raw readings of [from, to) minute by minute; `detail` receives every adjustment and gap ending in it. */
export async function rawPieces(src: GroupSource, site: string, from: number, to: number, visit: (piece: Piece, groups: Map<GroupKey, Figures>) => void, detail?: DetailSink): Promise<void> {
  const scope = { site, outlets: true, meters: true, miners: true };
  for (let start = from; start < to; ) {
    const end = Math.min(to, floorMinute(start) + RAW_CHUNK_MS);
    const window = await readWindow(src.store, scope, floorMinute(start), Math.ceil(end / MINUTE_MS) * MINUTE_MS, src.rollups?.settings);
    const accounting = new MinuteAccounting({ ...window, ...(detail && { detail }) });
    const turn = new Yielder();
    for (const piece of minutePieces(start, end)) {
      await turn.maybe();
      visit(piece, accounting.piece(piece));
    }
    start = end;
  }
}

export type CollectingSink = DetailSink & { adjustments: ItemizedAdjustment[]; gaps: ItemizedGap[] };

/** A DetailSink that keeps what it is told, outlets and meters alike. */
export function collectingSink(): CollectingSink {
  const adjustments: ItemizedAdjustment[] = [];
  const gaps: ItemizedGap[] = [];
  return {
    adjustments,
    gaps,
    adjustment: (kind, series, a) => adjustments.push({ series_kind: kind, series, ...a }),
    gap: (kind, series, g) => gaps.push({ series_kind: kind, series, ...g }),
    series: () => undefined,
  };
}

export function groupKey(level: RollupLevel, key: string): GroupKey {
  return level === 'site' ? 'site/' : `${level}/${key}`;
}

/** The groups of one kind, by id: `pdu` → Map(pduId → figures). */
export function groupsOf(groups: ReadonlyMap<GroupKey, Figures>, level: Exclude<RollupLevel, 'site'>): Map<string, Figures> {
  const prefix = `${level}/`;
  const out = new Map<string, Figures>();
  for (const [key, f] of groups) if (key.startsWith(prefix)) out.set(key.slice(prefix.length), f);
  return out;
}

/** Σ of several groups' figures (different series at the same time). */
export function sumFigures(list: Iterable<Figures>): Figures {
  const total = emptyFigures();
  for (const f of list) combine(total, f, 'series');
  return total;
}

function addInto<K>(map: Map<K, Figures>, key: K, f: Figures, over: 'series' | 'time'): void {
  const g = map.get(key);
  if (g) combine(g, f, over);
  else map.set(key, copyFigures(f));
}

function spanOf(runs: readonly Run[]): number {
  return runs.reduce((s, r) => s + (r.to - r.from), 0);
}
