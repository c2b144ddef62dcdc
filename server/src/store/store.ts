import type { MeterReading, MinerReading, OutletReading, Reading } from '../domain/reading.js';

/** Half-open time range [from, to) in ms epoch, optionally narrowed to a site, PDU or rig. */
export interface RangeQuery {
  site?: string;
  from: number;
  to: number;
  pdu?: string;
  rig?: string;
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
}

/** The store refused the data itself (bad type, bad value), so retrying the same batch cannot help. */
export class StoreRejectedError extends Error {
  override name = 'StoreRejectedError';
}

/** Sum per-outlet bucket means into site (or facility) totals; shared by every backend. */
export function sumBuckets(rows: Iterable<{ ts: number; power_w: number }>): PowerBucket[] {
  const totals = new Map<number, number>();
  for (const row of rows) totals.set(row.ts, (totals.get(row.ts) ?? 0) + row.power_w);
  return [...totals].sort((a, b) => a[0] - b[0]).map(([ts, power_w]) => ({ ts, power_w }));
}
