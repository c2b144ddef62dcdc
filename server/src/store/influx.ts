import { InfluxDB, escape, type IPoint } from 'influx';
import type { MeterReading, MinerReading, OutletReading, Reading } from '../domain/reading.js';
import { InfluxRollups, type TaggedRow } from './influx-rollups.js';
import {
  StoreRejectedError, sumBuckets, type AroundQuery, type BucketQuery, type DataExtent, type FirstRegister, type PowerBucket, type RangeQuery,
  type RollupQuery, type RollupRow, type RollupTotal, type Store, type StoreStatus,
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
  private readonly rollupPoints = new InfluxRollups((q) => this.rows(q));

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
    await this.writePoints(readings.map(toPoint));
  }

  private async writePoints(points: IPoint[]): Promise<void> {
    try {
      await this.ensureDatabase();
      await this.influx.writePoints(points, { precision: 'ms' });
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
    // Fewer fields are fewer cursors per series: the accounting's reads ask for two of the five.
    const rows = await this.rows(`SELECT ${q.energyOnly ? ENERGY_FIELDS : OUTLET_FIELDS} FROM pdu_outlet WHERE ${where(q)} GROUP BY site, pdu, outlet, rig`);
    return rows.map(toOutlet).sort((a, b) => a.ts - b.ts || compare(a.pdu, b.pdu) || a.outlet - b.outlet);
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
    return rows.map(toMeter).sort((a, b) => a.ts - b.ts || compare(a.meter, b.meter));
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

  async extents(): Promise<DataExtent[]> {
    const bounds = new Map<string, DataExtent>();
    for (const [measurement, field] of [['pdu_outlet', 'power_w'], ['miner', 'hashrate_ths'], ['site_meter', 'power_w']] as const) {
      for (const fn of ['first', 'last']) {
        for (const { tags, row } of await this.rows(`SELECT ${fn}(${field}) FROM ${measurement} GROUP BY site`)) {
          const site = tags.site ?? '';
          const ts = Number(row.time);
          const b = bounds.get(site) ?? { site, from: ts, to: ts };
          bounds.set(site, { site, from: Math.min(b.from, ts), to: Math.max(b.to, ts) });
        }
      }
    }
    return [...bounds.values()].sort((a, b) => compare(a.site, b.site));
  }

  async outletsAround(q: AroundQuery): Promise<OutletReading[]> {
    const rows = await this.around('pdu_outlet', ENERGY_FIELDS, 'site, pdu, outlet, rig', q);
    return rows.map(toOutlet).sort((a, b) => a.ts - b.ts || compare(a.pdu, b.pdu) || a.outlet - b.outlet);
  }

  async metersAround(q: AroundQuery): Promise<MeterReading[]> {
    const rows = await this.around('site_meter', 'power_w, energy_wh', 'site, meter', { ...q, pdu: undefined, rig: undefined });
    return rows.map(toMeter).sort((a, b) => a.ts - b.ts || compare(a.meter, b.meter));
  }

  /** In requests of ROLLUP_BATCH points, two at a time: an hour of a large site is far above InfluxDB's 25 MB body limit. */
  async writeRollups(rows: readonly RollupRow[]): Promise<void> {
    const points = this.rollupPoints.points(rows);
    const batches: IPoint[][] = [];
    for (let i = 0; i < points.length; i += ROLLUP_BATCH) batches.push(points.slice(i, i + ROLLUP_BATCH));
    const next = async (): Promise<void> => {
      for (let batch = batches.shift(); batch; batch = batches.shift()) await this.writePoints(batch);
    };
    await Promise.all([next(), next()]);
  }

  rollups(q: RollupQuery): Promise<RollupRow[]> {
    return this.rollupPoints.rows(q);
  }

  rollupTotals(q: RollupQuery): Promise<RollupTotal[]> {
    return this.rollupPoints.totals(q);
  }

  /** LIMIT applies per series under GROUP BY, and a descending scan stops after `count` points. */
  private async around(measurement: string, fields: string, groupBy: string, q: AroundQuery): Promise<TaggedRow[]> {
    const n = Math.trunc(q.count);
    const before = `SELECT ${fields} FROM ${measurement} WHERE ${where({ ...q, from: q.from - q.withinMs, to: q.from })} GROUP BY ${groupBy} ORDER BY time DESC LIMIT ${n}`;
    const after = `SELECT ${fields} FROM ${measurement} WHERE ${where({ ...q, from: q.to, to: q.to + q.withinMs })} GROUP BY ${groupBy} LIMIT ${n}`;
    const [a, b] = await Promise.all([this.rows(before), this.rows(after)]);
    return [...a, ...b];
  }

  private async ensureDatabase(): Promise<void> {
    if (this.databaseReady) return;
    // CREATE DATABASE is a no-op when it exists, so there is no check-then-create race.
    await this.influx.createDatabase(this.opts.database);
    this.databaseReady = true;
  }

  /** One query, flattened to rows with their series' tags; result errors become exceptions. */
  private async rows(query: string): Promise<TaggedRow[]> {
    await this.ensureDatabase();
    const res = (await this.influx.queryRaw(query, { precision: 'ms' })) as RawResponse;
    const out: TaggedRow[] = [];
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

const OUTLET_FIELDS = 'power_w, energy_wh, voltage_v, current_a, pf';
const ENERGY_FIELDS = 'power_w, energy_wh';
const ROLLUP_BATCH = 5000;

function toOutlet({ tags, row }: TaggedRow): OutletReading {
  const r: OutletReading = { kind: 'outlet', site: tags.site ?? '', pdu: tags.pdu ?? '', outlet: Number(tags.outlet), ts: Number(row.time), power_w: Number(row.power_w) };
  if (tags.rig) r.rig = tags.rig;
  copyNumbers(r, row, ['energy_wh', 'voltage_v', 'current_a', 'pf']);
  return r;
}

function toMeter({ tags, row }: TaggedRow): MeterReading {
  const r: MeterReading = { kind: 'meter', site: tags.site ?? '', meter: tags.meter ?? '', ts: Number(row.time), power_w: Number(row.power_w) };
  copyNumbers(r, row, ['energy_wh']);
  return r;
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
