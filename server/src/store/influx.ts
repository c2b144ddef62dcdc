import { InfluxDB, escape, type IPoint } from 'influx';
import type { MeterReading, MinerReading, OutletReading, Reading } from '../domain/reading.js';
import {
  StoreRejectedError, sumBuckets, type BucketQuery, type FirstRegister, type PowerBucket, type RangeQuery, type Store, type StoreStatus,
} from './store.js';

export interface InfluxOptions {
  url: string;
  database: string;
  username?: string;
  password?: string;
  /** Per-request timeout; a write that times out is retried by the caller like any network error. */
  requestTimeoutMs?: number;
}

interface RawSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][] | null;
}
interface RawResponse {
  results: { series?: RawSeries[]; error?: string }[];
}

/**
 * InfluxDB over the v1 HTTP API (`/write` line protocol, `/query` InfluxQL), which InfluxDB 1.x
 * serves natively and 2.x/3.x serve for compatibility. Schema in docs/schema.md. Timestamps are
 * written and read at ms precision: InfluxDB 1.x reads `precision=us` as ns, so µs is never used.
 */
export class InfluxStore implements Store {
  private readonly influx: InfluxDB;
  private databaseReady = false;
  private lastError: string | null = null;

  constructor(private readonly opts: InfluxOptions) {
    const url = new URL(opts.url);
    this.influx = new InfluxDB({
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'https:' ? 443 : 8086)),
      protocol: url.protocol === 'https:' ? 'https' : 'http',
      database: opts.database,
      username: opts.username ?? 'root',
      password: opts.password ?? 'root',
      // Retries belong to the spool drainer, which backs off and keeps the batch; the pool's own
      // retries would only double the wait on a dead server.
      pool: { maxRetries: 0, requestTimeout: opts.requestTimeoutMs ?? 30_000 },
    });
  }

  /** Never fails on an unreachable server: ingestion spools locally and writes when it is back. */
  async start(): Promise<void> {
    await this.ensureDatabase().catch((err: Error) => {
      this.lastError = err.message;
    });
  }

  async stop(): Promise<void> {}

  status(): StoreStatus {
    return { backend: 'influxdb', ready: this.databaseReady && this.lastError === null, lastError: this.lastError };
  }

  async write(readings: readonly Reading[]): Promise<void> {
    try {
      await this.ensureDatabase();
      await this.influx.writePoints(readings.map(toPoint), { precision: 'ms' });
      this.lastError = null;
    } catch (err) {
      this.lastError = (err as Error).message;
      const status = (err as { res?: { statusCode?: number } }).res?.statusCode;
      if (status === 404) this.databaseReady = false; // database dropped under us: create it and retry
      else if (status !== undefined && status >= 400 && status < 500) throw new StoreRejectedError(this.lastError);
      throw err;
    }
  }

  async outlets(q: RangeQuery): Promise<OutletReading[]> {
    const rows = await this.rows(`SELECT power_w, energy_wh, voltage_v, current_a, pf FROM pdu_outlet WHERE ${where(q)} GROUP BY site, pdu, outlet, rig`);
    return rows
      .map(({ tags, row }) => {
        const r: OutletReading = { kind: 'outlet', site: tags.site ?? '', pdu: tags.pdu ?? '', outlet: Number(tags.outlet), ts: Number(row.time), power_w: Number(row.power_w) };
        if (tags.rig) r.rig = tags.rig;
        copyNumbers(r, row, ['energy_wh', 'voltage_v', 'current_a', 'pf']);
        return r;
      })
      .sort((a, b) => a.ts - b.ts || compare(a.pdu, b.pdu) || a.outlet - b.outlet);
  }

  async miners(q: RangeQuery): Promise<MinerReading[]> {
    const rows = await this.rows(`SELECT hashrate_ths, temp_c FROM miner WHERE ${where({ ...q, pdu: undefined })} GROUP BY site, rig, model`);
    return rows
      .map(({ tags, row }) => {
        const r: MinerReading = { kind: 'miner', site: tags.site ?? '', rig: tags.rig ?? '', ts: Number(row.time), hashrate_ths: Number(row.hashrate_ths) };
        if (tags.model) r.model = tags.model;
        copyNumbers(r, row, ['temp_c']);
        return r;
      })
      .sort((a, b) => a.ts - b.ts || compare(a.rig, b.rig));
  }

  async meters(q: RangeQuery): Promise<MeterReading[]> {
    const rows = await this.rows(`SELECT power_w, energy_wh FROM site_meter WHERE ${where({ ...q, pdu: undefined, rig: undefined })} GROUP BY site, meter`);
    return rows
      .map(({ tags, row }) => {
        const r: MeterReading = { kind: 'meter', site: tags.site ?? '', meter: tags.meter ?? '', ts: Number(row.time), power_w: Number(row.power_w) };
        copyNumbers(r, row, ['energy_wh']);
        return r;
      })
      .sort((a, b) => a.ts - b.ts || compare(a.meter, b.meter));
  }

  async powerBuckets(q: BucketQuery): Promise<PowerBucket[]> {
    const step = `${Math.trunc(q.stepMs)}ms`;
    // Per-outlet means first, summed in the caller: a plain mean over all outlets would be the
    // average outlet, not the site's power. GROUP BY time() buckets start at the epoch, like SQLite's.
    const rows = await this.rows(`SELECT mean(power_w) AS power_w FROM pdu_outlet WHERE ${where(q)} GROUP BY time(${step}), site, pdu, outlet, rig fill(none)`);
    return sumBuckets(rows.map(({ row }) => ({ ts: Number(row.time), power_w: Number(row.power_w) })));
  }

  async firstRegisters(q: RangeQuery): Promise<FirstRegister[]> {
    const rows = await this.rows(`SELECT first(energy_wh) AS energy_wh FROM pdu_outlet WHERE ${where(q)} GROUP BY site, pdu, outlet`);
    return rows.map(({ tags, row }) => ({ site: tags.site ?? '', pdu: tags.pdu ?? '', outlet: Number(tags.outlet), ts: Number(row.time), energy_wh: Number(row.energy_wh) }));
  }

  async sites(): Promise<string[]> {
    const rows = await this.rows('SHOW TAG VALUES FROM pdu_outlet, miner, site_meter WITH KEY = "site"');
    return [...new Set(rows.map(({ row }) => String(row.value)))].sort(compare);
  }

  private async ensureDatabase(): Promise<void> {
    if (this.databaseReady) return;
    // CREATE DATABASE is a no-op when it exists, so there is no check-then-create race.
    await this.influx.createDatabase(this.opts.database);
    this.databaseReady = true;
  }

  /** One query, flattened to rows with their series' tags; result errors become exceptions. */
  private async rows(query: string): Promise<{ tags: Record<string, string>; row: Record<string, unknown> }[]> {
    await this.ensureDatabase();
    const res = (await this.influx.queryRaw(query, { precision: 'ms' })) as RawResponse;
    const out: { tags: Record<string, string>; row: Record<string, unknown> }[] = [];
    for (const result of res.results) {
      if (result.error) throw new Error(`InfluxDB query failed: ${result.error}`);
      for (const series of result.series ?? []) {
        const tags = series.tags ?? {};
        for (const values of series.values ?? []) {
          const row: Record<string, unknown> = {};
          series.columns.forEach((column, i) => (row[column] = values[i]));
          out.push({ tags, row });
        }
      }
    }
    return out;
  }
}

function where(q: RangeQuery): string {
  const parts = [`time >= ${Math.trunc(q.from)}ms`, `time < ${Math.trunc(q.to)}ms`];
  if (q.site !== undefined) parts.push(`"site" = ${escape.stringLit(q.site)}`);
  if (q.pdu !== undefined) parts.push(`"pdu" = ${escape.stringLit(q.pdu)}`);
  if (q.rig !== undefined) parts.push(`"rig" = ${escape.stringLit(q.rig)}`);
  return parts.join(' AND ');
}

function toPoint(r: Reading): IPoint {
  switch (r.kind) {
    case 'outlet': {
      const tags: Record<string, string> = { site: r.site, pdu: r.pdu, outlet: String(r.outlet) };
      if (r.rig) tags.rig = r.rig;
      return { measurement: 'pdu_outlet', tags, fields: defined({ power_w: r.power_w, energy_wh: r.energy_wh, voltage_v: r.voltage_v, current_a: r.current_a, pf: r.pf }), timestamp: r.ts };
    }
    case 'miner': {
      const tags: Record<string, string> = { site: r.site, rig: r.rig };
      if (r.model) tags.model = r.model;
      return { measurement: 'miner', tags, fields: defined({ hashrate_ths: r.hashrate_ths, temp_c: r.temp_c }), timestamp: r.ts };
    }
    case 'meter':
      return { measurement: 'site_meter', tags: { site: r.site, meter: r.meter }, fields: defined({ power_w: r.power_w, energy_wh: r.energy_wh }), timestamp: r.ts };
  }
}

/** Fields are all floats: a whole number written once as an integer would fix the field's type as integer. */
function defined(fields: Record<string, number | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) out[k] = v;
  return out;
}

function copyNumbers(target: object, row: Record<string, unknown>, keys: string[]): void {
  for (const key of keys) {
    const value = row[key];
    if (value !== null && value !== undefined) (target as Record<string, unknown>)[key] = Number(value);
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
