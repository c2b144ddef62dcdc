import type { RigHour } from '../live/efficiency.js';
import type { RigLatest } from '../live/contract.js';
import { UNKNOWN, formatNumber } from './format.js';

/**
 * The rig table's logic, free of the DOM: one row per rig from the two sources (the live `rigs`
 * answer every 5 s, the hour's efficiency answer every 60 s), sorting, filtering, and the drift
 * figure with its alert level.
 */

/** One rig's row. Live fields are null when the live answer does not (or no longer) have the rig. */
export interface RigRow {
  rig: string;
  pdu: string | null;
  outlet: number | null;
  model: string | null;
  power_w: number | null;
  hashrate_ths: number | null;
  jth_now: number | null;
  temp_c: number | null;
  online: boolean;
  /** Server ms epoch of the rig's last reading; null when only the hour knows the rig. */
  last_ts: number | null;
  jth_hour: number | null;
  nameplate_jth: number | null;
  drift: number | null;
  /** The server's reason for a missing J/TH or drift. */
  note: string | null;
  /**
   * Share of the hour the J/TH rests on (the lesser of the power and the hash-work coverage, 0–1):
   * a drift from two minutes of readings is a hint, from the whole hour a finding.
   */
  coverage: number | null;
}

/**
 * Joins the two answers by rig id. A rig the hour saw but the live state does not know (it stopped
 * reporting before the server started, say) still gets a row — "every rig of the site" — offline.
 */
export function mergeRigs(latest: readonly RigLatest[], hour: readonly RigHour[]): RigRow[] {
  const byRig = new Map<string, RigHour>(hour.map((h) => [h.rig, h]));
  const rows = latest.map((r) => row(r, byRig.get(r.rig)));
  const live = new Set(latest.map((r) => r.rig));
  for (const h of hour) if (!live.has(h.rig)) rows.push(row(undefined, h));
  return rows;
}

function row(live: RigLatest | undefined, hour: RigHour | undefined): RigRow {
  return {
    rig: live?.rig ?? hour?.rig ?? '',
    pdu: live?.pdu ?? hour?.pdu ?? null,
    outlet: live?.outlet ?? null,
    model: live?.model ?? hour?.model ?? null,
    power_w: live?.power_w ?? null,
    hashrate_ths: live?.hashrate_ths ?? null,
    jth_now: live?.j_per_th ?? null,
    temp_c: live?.temp_c ?? null,
    online: live?.online ?? false,
    last_ts: live && live.last_ts > 0 ? live.last_ts : null,
    jth_hour: hour?.jth ?? null,
    nameplate_jth: hour?.nameplate?.jth ?? null,
    drift: hour?.drift ?? null,
    note: hour?.note ?? null,
    coverage: hour ? Math.min(hour.energy_completeness ?? 0, hour.hash_completeness) : null,
  };
}

export type SortKey = 'rig' | 'pdu' | 'model' | 'kw' | 'ths' | 'jthNow' | 'jthHour' | 'drift' | 'temp' | 'online';
export type SortDir = 'asc' | 'desc';

export interface Sort {
  key: SortKey;
  dir: SortDir;
}

/** Worst first: the rig using the most energy per TH over its nameplate at the top. */
export const DEFAULT_SORT: Sort = { key: 'drift', dir: 'desc' };

type SortValue = string | number | null;

// Numeric collation so "u2" sorts before "u10" for vendors that do not zero-pad their ids.
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

const SORT_VALUE: Record<SortKey, (row: RigRow) => SortValue> = {
  rig: (r) => r.rig,
  pdu: (r) => (r.pdu === null ? null : `${r.pdu}/${r.outlet ?? ''}`),
  model: (r) => r.model,
  kw: (r) => r.power_w,
  ths: (r) => r.hashrate_ths,
  jthNow: (r) => r.jth_now,
  jthHour: (r) => r.jth_hour,
  drift: (r) => r.drift,
  temp: (r) => r.temp_c,
  // Offline sorts as the larger value, so descending puts offline rigs first.
  online: (r) => (r.online ? 0 : 1),
};

/**
 * The direction a column sorts in on its first click: the end an operator looks for first. Text
 * columns A→Z; figures largest first (most kW, hottest, worst J/TH and drift, offline first).
 */
export function firstDir(key: SortKey): SortDir {
  return key === 'rig' || key === 'pdu' || key === 'model' ? 'asc' : 'desc';
}

/** Clicking a header: the same column flips, another column starts at its first direction. */
export function nextSort(current: Sort, key: SortKey): Sort {
  if (current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  return { key, dir: firstDir(key) };
}

function compareValues(a: SortValue, b: SortValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return collator.compare(String(a), String(b));
}

/**
 * A comparator for `sort`. Unknown values go last in both directions — a rig without a drift is
 * not the best or the worst, and must not push the real worst off the top. Ties fall back to the
 * rig id, so equal rows keep one order from refresh to refresh instead of shuffling.
 */
export function compareRows(sort: Sort): (a: RigRow, b: RigRow) => number {
  const value = SORT_VALUE[sort.key];
  const sign = sort.dir === 'asc' ? 1 : -1;
  return (a, b) => {
    const va = value(a);
    const vb = value(b);
    if (va === null || vb === null) {
      if (va !== vb) return va === null ? 1 : -1;
    } else {
      const order = compareValues(va, vb);
      if (order !== 0) return sign * order;
    }
    return collator.compare(a.rig, b.rig);
  };
}

/**
 * The filter box: every whitespace-separated term must appear (case-insensitive) in the rig id, its
 * model or its PDU — "s19 r03" finds the S19s in rack 3. An empty box matches every rig.
 */
export function rowFilter(query: string): (row: RigRow) => boolean {
  const terms = query.toLowerCase().split(/\s+/).filter((t) => t !== '');
  if (terms.length === 0) return () => true;
  return (row) => {
    const haystack = `${row.rig} ${row.model ?? ''} ${row.pdu ?? ''}`.toLowerCase();
    return terms.every((t) => haystack.includes(t));
  };
}

/** The rows to show, in order: filtered, then sorted. */
export function visibleRows(rows: readonly RigRow[], sort: Sort, query: string): RigRow[] {
  return rows.filter(rowFilter(query)).sort(compareRows(sort));
}

/** Drift bands: within ±5 % is normal spread between units; beyond ±10 % wants a look now. */
export const DRIFT_WARN = 5;
export const DRIFT_BAD = 10;

export type DriftLevel = 'ok' | 'warn' | 'bad';

export interface DriftText {
  text: string;
  /** null when the drift is unknown. */
  level: DriftLevel | null;
}

/**
 * Drift (a fraction: +0.05 is 5 % more energy per TH than the nameplate) as a signed percentage with
 * one decimal: "+6.4 %", "-2.0 %", "0.0 %". The level is judged on the figure as shown, so "+5.0 %"
 * is never amber while "+5.1 %" is — the colour always agrees with the number beside it. Below the
 * nameplate counts too: a rig far better than its spec sheet is more likely mis-metered than magic.
 */
export function formatDrift(drift: number | null | undefined): DriftText {
  if (typeof drift !== 'number' || !Number.isFinite(drift)) return { text: UNKNOWN, level: null };
  const percent = Math.round(drift * 1000) / 10;
  const magnitude = Math.abs(percent);
  const level: DriftLevel = magnitude > DRIFT_BAD ? 'bad' : magnitude > DRIFT_WARN ? 'warn' : 'ok';
  const sign = percent > 0 ? '+' : '';
  // A narrow no-break space between figure and unit (SI style), so "%" never wraps onto its own line.
  return { text: `${sign}${formatNumber(percent, 1)}\u202f%`, level };
}

/**
 * A drift needs enough of the hour behind it to mean anything: outlet energy comes in whole Wh, so
 * over the first seconds one Wh more or less swings a rig's J/TH by tens of percent. Under five
 * minutes of readings the figure is shown but not coloured.
 */
export const MIN_JUDGED_COVERAGE = 5 / 60;

export interface DriftCell extends DriftText {
  /** A figure too young to judge: shown, without an alert level. */
  provisional: boolean;
}

export function driftCell(row: Pick<RigRow, 'drift' | 'coverage'>): DriftCell {
  const shown = formatDrift(row.drift);
  if (shown.level === null) return { ...shown, provisional: false };
  if ((row.coverage ?? 0) < MIN_JUDGED_COVERAGE) return { text: shown.text, level: null, provisional: true };
  return { ...shown, provisional: false };
}
