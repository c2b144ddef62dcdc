import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createFleet } from '../../simulators/src/fleet.js';
import { parseConfig } from '../../server/src/config/config.js';
import type { Reading } from '../../server/src/domain/reading.js';
import { nativeDialect } from '../../server/src/ingest/dialects/native.js';
import { Kilowatch } from '../../server/src/kilowatch.js';
import { RollupEngine } from '../../server/src/rollup/engine.js';
import { DirtyLedger } from '../../server/src/rollup/ledger.js';
import { InfluxStore } from '../../server/src/store/influx.js';
import { freePort, type InfluxdHandle } from '../harness/index.js';
import { percentile } from './stats.js';

export interface HistoryOptions {
  influxd: InfluxdHandle;
  days: number;
  rigs: number;
  log: (line: string) => void;
}

export interface HistoryResult {
  readings: number;
  writeSeconds: number;
  rollupSeconds: number;
  apiFirstMs: number;
  apiMedianMs: number;
  apiKwh: number;
  /** The same range with both ends moved into the middle of a minute: edge minutes and raw parts too. */
  cutMedianMs: number;
  cutAnsweredFrom: unknown;
  rawMs: number;
  rawKwh: number;
}

const DAY_MS = 86_400_000;
const STEP_MS = 60_000;
const BATCH = 5000;
const DB = 'bench_history';

/**
 * History: `days` of 1-minute readings of `rigs` rigs (the simulator's fleet model: 24-outlet PDUs, energy
 * registers, one facility meter) written with the Store, as the drainer writes them, and each batch noted for
 * the rollups; the rollups built; then the whole range's site kWh asked of the API (a Kilowatch on the same
 * InfluxDB and data dir) against a raw InfluxQL integral of power over the same readings, in the same run.
 */
export async function runHistory(o: HistoryOptions): Promise<HistoryResult> {
  const dir = mkdtempSync(join(tmpdir(), 'kilowatch-bench-history-'));
  const store = new InfluxStore({ url: o.influxd.url, database: DB });
  await store.start();
  const engine = new RollupEngine(store, new DirtyLedger(join(dir, 'rollup.db')), pino({ level: 'silent' }), { settleMs: 0 });
  engine.open();
  const from = Date.UTC(2025, 10, 1);
  const to = from + o.days * DAY_MS;
  try {
    o.log(`history: ${o.days} days × ${o.rigs} rigs at 1-minute readings (${((o.days * DAY_MS) / STEP_MS) * o.rigs} outlet readings), written with the Store …`);
    const written = await writeHistory(store, engine, from, to, o);
    o.log(`  ${written.readings} readings in ${written.seconds.toFixed(1)} s (${Math.round(written.readings / written.seconds)}/s)`);
    o.log('history: building the 1-minute and 1-hour rollups …');
    const rollupSeconds = await buildRollups(engine, o.log);
    engine.close();
    const site = written.site;
    o.log('history: whole-range site kWh through the API, then as a raw InfluxQL integral …');
    const api = await timeApi(dir, o.influxd.url, site, from, to);
    const raw = await timeRawIntegral(o.influxd, site, from, to);
    return {
      readings: written.readings, writeSeconds: written.seconds, rollupSeconds, apiFirstMs: api.firstMs, apiMedianMs: api.medianMs, apiKwh: api.kwh,
      cutMedianMs: api.cutMedianMs, cutAnsweredFrom: api.cutAnsweredFrom, rawMs: raw.ms, rawKwh: raw.kwh,
    };
  } finally {
    await store.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function writeHistory(store: InfluxStore, engine: RollupEngine, from: number, to: number, o: HistoryOptions): Promise<{ readings: number; seconds: number; site: string }> {
  const fleet = createFleet({ sites: 1, rigsPerSite: o.rigs, seed: 42, outletsPerPdu: 24 });
  const decoder = nativeDialect();
  const started = Date.now();
  let batch: Reading[] = [];
  let readings = 0;
  let site = '';
  let lastLog = started;
  const inFlight: Promise<void>[] = [];
  const flush = async () => {
    const part = batch;
    batch = [];
    // As the drainer does: store, then mark for the rollups. Two batches in flight, like a busy drainer.
    inFlight.push(store.write(part).then(() => engine.noteStored(part)));
    if (inFlight.length >= 2) await inFlight.shift();
  };
  for (let ts = from; ts < to; ts += STEP_MS) {
    for (const m of fleet.tick(ts)) {
      // PDU outlets and the facility meter; the kWh question does not need the miners.
      if (!m.topic.includes('/pdu/') && !m.topic.includes('/meter/')) continue;
      if (m.topic.endsWith('/status')) continue;
      const decoded = decoder.decode(m.topic, Buffer.from(m.payload), { now: ts, maxFutureSkewMs: 300_000 });
      for (const r of decoded.readings) batch.push(r);
    }
    if (batch.length >= BATCH) {
      readings += batch.length;
      site ||= batch[0]!.site;
      await flush();
    }
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      o.log(`  ${new Date(ts).toISOString().slice(0, 10)}: ${readings} written`);
    }
  }
  if (batch.length > 0) {
    readings += batch.length;
    await flush();
  }
  await Promise.all(inFlight);
  return { readings, seconds: (Date.now() - started) / 1000, site };
}

async function buildRollups(engine: RollupEngine, log: (line: string) => void): Promise<number> {
  const started = Date.now();
  let lastLog = started;
  let minutes = 0;
  for (;;) {
    const r = await engine.pass();
    minutes += r.minutes;
    if (r.expanded + r.minutes + r.hours === 0) break;
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      const backlog = engine.ledger.backlog();
      log(`  ${minutes} minutes recomputed (${Math.round(minutes / ((Date.now() - started) / 1000))}/s); ${backlog.minutes} minutes and ${backlog.hours} hours to go`);
    }
  }
  const seconds = (Date.now() - started) / 1000;
  log(`  ${minutes} minutes and their hours in ${seconds.toFixed(1)} s`);
  return seconds;
}

/** The API of a Kilowatch started on the same InfluxDB database and rollup ledger: first call, and the median of 9. */
async function timeApi(dataDir: string, influxUrl: string, site: string, from: number, to: number) {
  const config = parseConfig({ DATA_DIR: dataDir, INFLUX_URL: influxUrl, INFLUX_DB: DB, PORT: await freePort(), MQTT_PORT: await freePort(), LOG_LEVEL: 'silent' });
  const kw = new Kilowatch(config, pino({ level: 'silent' }), { webDir: dataDir });
  await kw.start();
  try {
    const whole = await timeCalls(`${kw.url}/api/energy?site=${site}&from=${from}&to=${to}`);
    const cut = await timeCalls(`${kw.url}/api/energy?site=${site}&from=${from + 30_500}&to=${to - 20_250}`);
    return { firstMs: whole.times[0]!, medianMs: median(whole.times), kwh: whole.body.kwh, cutMedianMs: median(cut.times), cutAnsweredFrom: cut.body.answered_from };
  } finally {
    await kw.stop();
  }
}

async function timeCalls(url: string): Promise<{ times: number[]; body: { kwh: number; answered_from: unknown } }> {
  const times: number[] = [];
  let body = { kwh: Number.NaN, answered_from: null as unknown };
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    const res = await fetch(url);
    const json = (await res.json()) as { kwh: number; answered_from: unknown; error?: string };
    times.push(performance.now() - t);
    if (res.status !== 200) throw new Error(`API answered ${res.status}: ${json.error}`);
    body = json;
  }
  return { times, body };
}

/** Median of the calls after the first. */
function median(times: readonly number[]): number {
  return percentile(times.slice(1).sort((a, b) => a - b), 50);
}

/** ∫ power dt per outlet with InfluxQL (what one would ask InfluxDB without rollups), summed. */
async function timeRawIntegral(influxd: InfluxdHandle, site: string, from: number, to: number): Promise<{ ms: number; kwh: number }> {
  const q = `SELECT integral(power_w, 1h) AS wh FROM pdu_outlet WHERE site = '${site}' AND time >= ${from}ms AND time < ${to}ms GROUP BY pdu, outlet`;
  const t = performance.now();
  const res = (await influxd.query(q, DB)) as { results: { series?: { values: [number, number][] }[] }[] };
  const ms = performance.now() - t;
  const wh = (res.results[0]?.series ?? []).reduce((s, x) => s + (x.values[0]?.[1] ?? 0), 0);
  return { ms, kwh: wh / 1000 };
}
