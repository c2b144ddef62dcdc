import type { MeterReading, MinerReading, OutletReading, Reading } from '../domain/reading.js';

/** Half-open time range [from, to) in ms epoch, optionally narrowed to a site, PDU or rig. */
export interface RangeQuery {
  site?: string;
  from: number;
  to: number;
  pdu?: string;
  rig?: string;
  /** Outlets: only `power_w` and `energy_wh` (and the tags) are needed — the energy accounting's reads. */
  energyOnly?: boolean;
}

export interface BucketQuery extends RangeQuery {
  stepMs: number;
}

/** Mean total power in one time bucket: the sum over outlets of each outlet's mean in the bucket. */
export interface PowerBucket {
  ts: number;
  power_w: number;
}

/** The first energy register reading of one outlet in a range (to seed live "kWh today"). */
export interface FirstRegister {
  site: string;
  pdu: string;
  outlet: number;
  ts: number;
  energy_wh: number;
}

/**
 * Readings just outside a range, per series: up to `count` of each series' readings before `from` (no
 * earlier than `from − withinMs`) and up to `count` at or after `to` (before `to + withinMs`). The energy of
 * a minute needs them: the intervals crossing its edges, and enough readings for the register checks.
 * Outlet readings may come with `power_w` and `energy_wh` only (as with `energyOnly`).
 */
export interface AroundQuery extends RangeQuery {
  count: number;
  withinMs: number;
}

/** Where the readings of a site begin and end (ms epoch; `to` is the last reading's ts). */
export interface DataExtent {
  site: string;
  from: number;
  to: number;
}

export type RollupResolution = '1m' | '1h';
/** A rig (its outlets and miner), a PDU (its outlets and the miners of their rigs), a site (all of it), a facility meter. */
export type RollupLevel = 'rig' | 'pdu' | 'site' | 'meter';

export const ROLLUP_RESOLUTIONS: readonly RollupResolution[] = ['1m', '1h'];
export const ROLLUP_LEVELS: readonly RollupLevel[] = ['rig', 'pdu', 'site', 'meter'];
export const BUCKET_MS: Readonly<Record<RollupResolution, number>> = { '1m': 60_000, '1h': 3_600_000 };

/**
 * The fields of a rollup bucket, documented in docs/schema.md. Whole numbers unless named otherwise; energy is
 * exact: register_mwh + integrated_mwh + integrated_frac / 7 200 000 mWh (the remainder is in half-mW·ms),
 * hash-work hash_ghs + hash_frac / 2000 GH·s. Every field is written on every write, so a rewrite replaces.
 */
export const ROLLUP_FIELDS = [
  'register_mwh', 'integrated_mwh', 'integrated_frac', 'register_ms', 'integrated_ms', 'covered_ms', 'series_ms', 'series',
  'samples', 'power_mean_w', 'power_max_w', 'hash_ghs', 'hash_frac', 'hashrate_mean_ths', 'hash_covered_ms', 'miner_series_ms',
  'miner_samples', 'resets', 'rollovers', 'spikes', 'glitches', 'recoveries', 'gaps',
] as const;
export type RollupField = (typeof ROLLUP_FIELDS)[number];
export type RollupFields = Record<RollupField, number>;
/** Fields that combine by maximum over time; all others add up. */
export const ROLLUP_MAX_FIELDS: ReadonlySet<RollupField> = new Set(['series', 'power_max_w']);

/** One bucket of one rig, PDU, site or meter. `key` is the rig, PDU or meter id ('' for a site). */
export interface RollupRow {
  resolution: RollupResolution;
  level: RollupLevel;
  site: string;
  key: string;
  /** Bucket start, ms epoch: UTC minutes and hours. */
  ts: number;
  fields: RollupFields;
}

/** Buckets of one level of one site whose start lies in [from, to); `key` narrows to one rig/PDU/meter. */
export interface RollupQuery {
  resolution: RollupResolution;
  level: RollupLevel;
  site: string;
  key?: string;
  from: number;
  to: number;
}

/** Per key, the fields of every bucket in the range combined: sums, and maxima for ROLLUP_MAX_FIELDS. */
export interface RollupTotal {
  key: string;
  buckets: number;
  fields: RollupFields;
}

export interface StoreStatus {
  backend: 'influxdb' | 'sqlite';
  ready: boolean;
  lastError: string | null;
}

/**
 * Where readings live. Every backend passes the same contract suite (test/contract/store.contract.ts):
 * - `write` is idempotent: a reading with the same series and timestamp is stored once (the later
 *   write's fields win, absent fields are kept), so a redelivered MQTT message never double-counts;
 * - it either stores the whole batch or throws. A thrown error is retryable unless it is a
 *   `StoreRejectedError`, which means these readings will never be accepted as they are.
 */
export interface Store {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): StoreStatus;
  write(readings: readonly Reading[]): Promise<void>;
  outlets(q: RangeQuery): Promise<OutletReading[]>;
  miners(q: RangeQuery): Promise<MinerReading[]>;
  meters(q: RangeQuery): Promise<MeterReading[]>;
  powerBuckets(q: BucketQuery): Promise<PowerBucket[]>;
  firstRegisters(q: RangeQuery): Promise<FirstRegister[]>;
  sites(): Promise<string[]>;
  /** First and last reading time of each site, over every measurement (to backfill rollups). */
  extents(): Promise<DataExtent[]>;
  /** See AroundQuery: outlet and meter readings just outside a range, per series, in time order. */
  outletsAround(q: AroundQuery): Promise<OutletReading[]>;
  metersAround(q: AroundQuery): Promise<MeterReading[]>;
  /** Idempotent: a bucket written again (same resolution, level, site, key, ts) is replaced whole. */
  writeRollups(rows: readonly RollupRow[]): Promise<void>;
  /** Buckets in time order. */
  rollups(q: RollupQuery): Promise<RollupRow[]>;
  /** Buckets combined per key, computed in the store (a year of hours is one small answer). */
  rollupTotals(q: RollupQuery): Promise<RollupTotal[]>;
}

/** The store refused the data itself (bad type, bad value), so retrying the same batch cannot help. */
export class StoreRejectedError extends Error {
  override name = 'StoreRejectedError';
}

export function zeroRollupFields(): RollupFields {
  return Object.fromEntries(ROLLUP_FIELDS.map((f) => [f, 0])) as RollupFields;
}

/** Sum per-outlet bucket means into site (or facility) totals; shared by every backend. */
export function sumBuckets(rows: Iterable<{ ts: number; power_w: number }>): PowerBucket[] {
  const totals = new Map<number, number>();
  for (const row of rows) totals.set(row.ts, (totals.get(row.ts) ?? 0) + row.power_w);
  return [...totals].sort((a, b) => a[0] - b[0]).map(([ts, power_w]) => ({ ts, power_w }));
}
