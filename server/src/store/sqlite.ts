import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { MeterReading, MinerReading, OutletReading, Reading } from '../domain/reading.js';
import { rollupTableSql, SqliteRollups } from './sqlite-rollups.js';
import {
  sumBuckets, type AroundQuery, type BucketQuery, type DataExtent, type FirstRegister, type PowerBucket, type RangeQuery, type RollupQuery,
  type RollupRow, type RollupTotal, type Store, type StoreStatus,
} from './store.js';

/** Readings read per query of a large range (a few tens of ms each). */
const READ_PAGE = 20_000;
/** Rollup buckets written per transaction (about 30 ms of work each). */
const ROLLUP_WRITE_SLICE = 5000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS pdu_outlet (
  site TEXT NOT NULL, pdu TEXT NOT NULL, outlet INTEGER NOT NULL, rig TEXT NOT NULL, ts INTEGER NOT NULL,
  power_w REAL NOT NULL, energy_wh REAL, voltage_v REAL, current_a REAL, pf REAL,
  PRIMARY KEY (site, pdu, outlet, rig, ts)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pdu_outlet_site_ts ON pdu_outlet (site, ts);
CREATE TABLE IF NOT EXISTS miner (
  site TEXT NOT NULL, rig TEXT NOT NULL, model TEXT NOT NULL, ts INTEGER NOT NULL,
  hashrate_ths REAL NOT NULL, temp_c REAL,
  PRIMARY KEY (site, rig, model, ts)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS miner_site_ts ON miner (site, ts);
CREATE TABLE IF NOT EXISTS site_meter (
  site TEXT NOT NULL, meter TEXT NOT NULL, ts INTEGER NOT NULL, power_w REAL NOT NULL, energy_wh REAL,
  PRIMARY KEY (site, meter, ts)) WITHOUT ROWID;
`;

// On a repeat, a field the new reading lacks keeps its stored value: InfluxDB merges fields the same way.
const UPSERT_OUTLET = `INSERT INTO pdu_outlet VALUES (@site, @pdu, @outlet, @rig, @ts, @power_w, @energy_wh, @voltage_v, @current_a, @pf)
  ON CONFLICT DO UPDATE SET power_w = excluded.power_w, energy_wh = coalesce(excluded.energy_wh, energy_wh),
  voltage_v = coalesce(excluded.voltage_v, voltage_v), current_a = coalesce(excluded.current_a, current_a), pf = coalesce(excluded.pf, pf)`;
const UPSERT_MINER = `INSERT INTO miner VALUES (@site, @rig, @model, @ts, @hashrate_ths, @temp_c)
  ON CONFLICT DO UPDATE SET hashrate_ths = excluded.hashrate_ths, temp_c = coalesce(excluded.temp_c, temp_c)`;
const UPSERT_METER = `INSERT INTO site_meter VALUES (@site, @meter, @ts, @power_w, @energy_wh)
  ON CONFLICT DO UPDATE SET power_w = excluded.power_w, energy_wh = coalesce(excluded.energy_wh, energy_wh)`;

type Row = Record<string, string | number | null>;

/**
 * Embedded store for the demo and small sites. Same schema as InfluxDB (docs/schema.md): one table
 * per measurement, the tag set plus the timestamp as primary key, so a repeated reading replaces
 * itself as it does in InfluxDB. An absent tag is stored as '' (InfluxDB has no null tags either).
 */
export class SqliteStore implements Store {
  private db: Database.Database | null = null;
  private writeAll: ((readings: readonly Reading[]) => void) | null = null;
  private rollupTables: SqliteRollups | null = null;

  constructor(private readonly path: string) {}

  async start(): Promise<void> {
    if (this.path !== ':memory:') mkdirSync(dirname(this.path), { recursive: true });
    const db = new Database(this.path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(SCHEMA);
    db.exec(rollupTableSql());
    this.rollupTables = new SqliteRollups(db);
    const outlet = db.prepare(UPSERT_OUTLET);
    const miner = db.prepare(UPSERT_MINER);
    const meter = db.prepare(UPSERT_METER);
    this.writeAll = db.transaction((readings: readonly Reading[]) => {
      for (const r of readings) {
        if (r.kind === 'outlet') outlet.run(outletRow(r));
        else if (r.kind === 'miner') miner.run({ site: r.site, rig: r.rig, model: r.model ?? '', ts: r.ts, hashrate_ths: r.hashrate_ths, temp_c: r.temp_c ?? null });
        else meter.run({ site: r.site, meter: r.meter, ts: r.ts, power_w: r.power_w, energy_wh: r.energy_wh ?? null });
      }
    });
    this.db = db;
  }

  async stop(): Promise<void> {
    this.db?.close();
    this.db = null;
    this.rollupTables = null;
  }

  status(): StoreStatus {
    return { backend: 'sqlite', ready: this.db !== null, lastError: null };
  }

  async write(readings: readonly Reading[]): Promise<void> {
    if (!this.writeAll) throw new Error('sqlite store is not started');
    this.writeAll(readings);
  }

  async outlets(q: RangeQuery): Promise<OutletReading[]> {
    return this.toOutlets(await this.selectPaged('pdu_outlet', q, ['ts', 'site', 'pdu', 'outlet', 'rig']));
  }

  async miners(q: RangeQuery): Promise<MinerReading[]> {
    const rows = await this.selectPaged('miner', { ...q, pdu: undefined }, ['ts', 'site', 'rig', 'model']);
    return rows.map((row) => {
      const r: MinerReading = { kind: 'miner', site: String(row.site), rig: String(row.rig), ts: Number(row.ts), hashrate_ths: Number(row.hashrate_ths) };
      if (row.model !== '') r.model = String(row.model);
      copyNumbers(r, row, ['temp_c']);
      return r;
    });
  }

  async meters(q: RangeQuery): Promise<MeterReading[]> {
    return this.toMeters(await this.selectPaged('site_meter', { ...q, pdu: undefined, rig: undefined }, ['ts', 'site', 'meter']));
  }

  async powerBuckets(q: BucketQuery): Promise<PowerBucket[]> {
    const step = Math.trunc(q.stepMs);
    const rows = this.select('pdu_outlet', q, `(ts - ts % ${step}) AS ts, avg(power_w) AS power_w`, 'GROUP BY 1, site, pdu, outlet, rig');
    return sumBuckets(rows as { ts: number; power_w: number }[]);
  }

  async firstRegisters(q: RangeQuery): Promise<FirstRegister[]> {
    // SQLite returns the other columns of the row that holds min(ts): the first register reading.
    const rows = this.select('pdu_outlet', q, 'site, pdu, outlet, min(ts) AS ts, energy_wh', 'AND energy_wh IS NOT NULL GROUP BY site, pdu, outlet');
    return rows.map((row) => ({ site: String(row.site), pdu: String(row.pdu), outlet: Number(row.outlet), ts: Number(row.ts), energy_wh: Number(row.energy_wh) }));
  }

  async sites(): Promise<string[]> {
    const rows = this.database().prepare('SELECT site FROM pdu_outlet UNION SELECT site FROM miner UNION SELECT site FROM site_meter ORDER BY site').all() as Row[];
    return rows.map((r) => String(r.site));
  }

  async extents(): Promise<DataExtent[]> {
    const db = this.database();
    const out: DataExtent[] = [];
    for (const site of await this.sites()) {
      let from = Infinity;
      let to = -Infinity;
      for (const table of ['pdu_outlet', 'miner', 'site_meter']) {
        const row = db.prepare(`SELECT min(ts) AS lo, max(ts) AS hi FROM ${table} WHERE site = ?`).get(site) as { lo: number | null; hi: number | null };
        if (row.lo !== null) from = Math.min(from, row.lo);
        if (row.hi !== null) to = Math.max(to, row.hi);
      }
      if (from <= to) out.push({ site, from, to });
    }
    return out;
  }

  async outletsAround(q: AroundQuery): Promise<OutletReading[]> {
    return this.toOutlets(this.around('pdu_outlet', ['site', 'pdu', 'outlet', 'rig'], q));
  }

  async metersAround(q: AroundQuery): Promise<MeterReading[]> {
    return this.toMeters(this.around('site_meter', ['site', 'meter'], q));
  }

  /**
   * A pass writes tens of thousands of buckets: a transaction per slice, with a turn of the event loop
   * between, so that ingestion and the API are not held up. Buckets are overwritten whole, so a write cut
   * short by a crash is redone by the pass the ledger still holds.
   */
  async writeRollups(rows: readonly RollupRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += ROLLUP_WRITE_SLICE) {
      if (i > 0) await nextTurn();
      this.rollups_().write(rows.slice(i, i + ROLLUP_WRITE_SLICE));
    }
  }

  async rollups(q: RollupQuery): Promise<RollupRow[]> {
    return this.rollups_().rows(q);
  }

  async rollupTotals(q: RollupQuery): Promise<RollupTotal[]> {
    return this.rollups_().totals(q);
  }

  /**
   * Up to `count` readings of each series on either side of the range. The series are found by skipping
   * along the primary key (one index seek each), so a sparse series costs as little as a busy one.
   */
  private around(table: string, key: readonly string[], q: AroundQuery): Row[] {
    const db = this.database();
    const cols = key.join(', ');
    const first = db.prepare(`SELECT ${cols} FROM ${table} ${q.site === undefined ? '' : 'WHERE site = @site'} ORDER BY ${cols} LIMIT 1`);
    // Within a site, compare the rest of the key: `site = ? AND (pdu, …) > (…)` seeks the primary key, where
    // `(site, pdu, …) > (…) AND site = ?` scans the site from its start for every series (quadratic in series).
    const rest = q.site === undefined ? key : key.filter((k) => k !== 'site');
    const next = db.prepare(`SELECT ${cols} FROM ${table} WHERE ${q.site === undefined ? '' : 'site = @site AND '}(${rest.join(', ')}) > (${rest.map((k) => `@${k}`).join(', ')}) ORDER BY ${rest.join(', ')} LIMIT 1`);
    const match = key.map((k) => `${k} = @${k}`).join(' AND ');
    const before = db.prepare(`SELECT * FROM ${table} WHERE ${match} AND ts < @from AND ts >= @from - @within ORDER BY ts DESC LIMIT @count`);
    const after = db.prepare(`SELECT * FROM ${table} WHERE ${match} AND ts >= @to AND ts < @to + @within ORDER BY ts LIMIT @count`);
    const out: Row[] = [];
    const site = q.site === undefined ? {} : { site: q.site };
    for (let series = first.get(site) as Row | undefined; series; series = next.get({ ...series, ...site }) as Row | undefined) {
      // A rig's or PDU's context: the other series of the site are skipped before their readings are read.
      if ((q.pdu !== undefined && key.includes('pdu') && series.pdu !== q.pdu) || (q.rig !== undefined && key.includes('rig') && series.rig !== q.rig)) continue;
      const p = { ...series, from: q.from, to: q.to, within: q.withinMs, count: q.count };
      out.push(...(before.all(p) as Row[]), ...(after.all(p) as Row[]));
    }
    return out.sort((a, b) => Number(a.ts) - Number(b.ts));
  }

  private toOutlets(rows: Row[]): OutletReading[] {
    return rows.map((row) => {
      const r: OutletReading = { kind: 'outlet', site: String(row.site), pdu: String(row.pdu), outlet: Number(row.outlet), ts: Number(row.ts), power_w: Number(row.power_w) };
      if (row.rig !== '') r.rig = String(row.rig);
      copyNumbers(r, row, ['energy_wh', 'voltage_v', 'current_a', 'pf']);
      return r;
    });
  }

  private toMeters(rows: Row[]): MeterReading[] {
    return rows.map((row) => {
      const r: MeterReading = { kind: 'meter', site: String(row.site), meter: String(row.meter), ts: Number(row.ts), power_w: Number(row.power_w) };
      copyNumbers(r, row, ['energy_wh']);
      return r;
    });
  }

  private rollups_(): SqliteRollups {
    if (!this.rollupTables) throw new Error('sqlite store is not started');
    return this.rollupTables;
  }

  /** `tail` continues the WHERE clause (`AND …`) and/or adds GROUP BY / ORDER BY. */
  private select(table: string, q: RangeQuery, columns: string, tail: string): Row[] {
    const { where, params } = rangeWhere(q);
    const sql = `SELECT ${columns} FROM ${table} WHERE ${where} ${tail}`;
    return this.database().prepare(sql).all(params) as Row[];
  }

  /**
   * Every row of the range in `order` (ts first, then the rest of the primary key), read a page at a time with a
   * turn of the event loop between pages: a rollup pass reads 200,000 readings, a quarter of a second of
   * synchronous work in one piece. The secondary index (site, ts) holds the primary key after ts, so each page is
   * one index seek past the last row of the one before.
   */
  private async selectPaged(table: string, q: RangeQuery, order: readonly string[]): Promise<Row[]> {
    const { where, params } = rangeWhere(q);
    const orderBy = order.join(', ');
    // Without a site there is no (site, ts) index to seek: one query (tests and tools ask so; the server never does).
    if (q.site === undefined) return this.select(table, q, '*', `ORDER BY ${orderBy}`);
    const db = this.database();
    const first = db.prepare(`SELECT * FROM ${table} WHERE ${where} ORDER BY ${orderBy} LIMIT ${READ_PAGE}`);
    const after = `ts >= @k_ts AND (${orderBy}) > (${order.map((k) => `@k_${k}`).join(', ')})`;
    const next = db.prepare(`SELECT * FROM ${table} WHERE ${where} AND ${after} ORDER BY ${orderBy} LIMIT ${READ_PAGE}`);
    let page = first.all(params) as Row[];
    if (page.length < READ_PAGE) return page;
    const out: Row[] = [];
    for (;;) {
      for (const row of page) out.push(row);
      if (page.length < READ_PAGE) return out;
      await nextTurn();
      const last = page[page.length - 1]!;
      page = next.all({ ...params, ...Object.fromEntries(order.map((k) => [`k_${k}`, last[k]])) }) as Row[];
    }
  }

  private database(): Database.Database {
    if (!this.db) throw new Error('sqlite store is not started');
    return this.db;
  }
}

/** The WHERE clause of a range query: [from, to), and the site, PDU and rig when given. */
function rangeWhere(q: RangeQuery): { where: string; params: Row } {
  const where = ['ts >= @from', 'ts < @to'];
  const params: Row = { from: q.from, to: q.to };
  for (const key of ['site', 'pdu', 'rig'] as const) {
    const value = q[key];
    if (value === undefined) continue;
    where.push(`${key} = @${key}`);
    params[key] = value;
  }
  return { where: where.join(' AND '), params };
}

function outletRow(r: OutletReading): Row {
  return {
    site: r.site, pdu: r.pdu, outlet: r.outlet, rig: r.rig ?? '', ts: r.ts, power_w: r.power_w,
    energy_wh: r.energy_wh ?? null, voltage_v: r.voltage_v ?? null, current_a: r.current_a ?? null, pf: r.pf ?? null,
  };
}

function copyNumbers(target: object, row: Row, keys: string[]): void {
  for (const key of keys) {
    const value = row[key];
    if (value !== null && value !== undefined) (target as Record<string, unknown>)[key] = Number(value);
  }
}
