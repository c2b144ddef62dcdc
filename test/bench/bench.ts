import { Command } from 'commander';
import { startInfluxd, startMosquitto } from '../harness/index.js';
import { measureInfluxCeiling } from './influx-ceiling.js';
import { runHistory, type HistoryResult } from './history.js';
import { runIngestStep, type IngestRunResult } from './ingest-run.js';
import { runSoak } from './soak.js';
import { printDashboard, runDashboard } from './dashboard.js';
import { startServerProcess } from '../support/server-process.js';

/**
 * `npm run bench`: ingestion through real Mosquitto and InfluxDB at rising rates, and the raw InfluxDB
 * write ceiling in the same run; then history: a long range's kWh from the API (rollups) against a raw
 * InfluxQL integral; then dashboard: the pages' first render and per-update script time in headless Chromium
 * for a large simulated fleet. `--only <section>` runs one section. It prints figures; nothing here passes or
 * fails on speed.
 */
const SECTIONS = ['ingest', 'history', 'dashboard'] as const;
async function main(): Promise<void> {
  const opts = new Command('bench')
    .option('--rates <list>', 'outlet readings per second to try, comma-separated', '5000,10000,20000,30000')
    .option('--seconds <n>', 'seconds of load per rate', '15')
    .option('--ceiling-seconds <n>', 'seconds of raw InfluxDB writes', '10')
    .option('--soak <minutes>', 'instead: a steady load for this long, printing memory and event-loop lag')
    .option('--soak-rigs <n>', 'rigs per site (2 sites) for --soak', '500')
    .option('--only <section>', `run one section: ${SECTIONS.join(' or ')}`)
    .option('--history-days <n>', 'days of 1-minute history for the history section', '30')
    .option('--history-rigs <n>', 'rigs in the history section', '200')
    .option('--dashboard-rigs <n>', 'rigs in the whole fleet for the dashboard section', '10000')
    .option('--dashboard-sites <n>', 'sites the dashboard fleet is spread over', '4')
    .option('--dashboard-interval <ms>', "the dashboard fleet's publish interval (every PDU, miner and meter message)", '10000')
    .option('--dashboard-updates <n>', 'live updates (1 s frames) per page to average the per-update cost over', '20')
    .option('--dashboard-store <store>', "the server's store for the dashboard section: influx or sqlite", 'influx')
    .parse()
    .opts<{
      rates: string; seconds: string; ceilingSeconds: string; soak?: string; soakRigs: string; only?: string; historyDays: string; historyRigs: string;
      dashboardRigs: string; dashboardSites: string; dashboardInterval: string; dashboardUpdates: string; dashboardStore: string;
    }>();
  if (opts.soak !== undefined) return soak(Number(opts.soak), Number(opts.soakRigs));
  if (opts.only !== undefined && !(SECTIONS as readonly string[]).includes(opts.only)) throw new Error(`--only takes ${SECTIONS.join(' or ')}`);
  const dashboardRun = (): Promise<void> =>
    dashboard(Number(opts.dashboardRigs), Number(opts.dashboardSites), Number(opts.dashboardInterval), Number(opts.dashboardUpdates), opts.dashboardStore);
  if (opts.only === 'history') return history(Number(opts.historyDays), Number(opts.historyRigs));
  if (opts.only === 'dashboard') return dashboardRun();
  const rates = opts.rates.split(',').map(Number);
  if (rates.some((r) => !Number.isInteger(r) || r < 100)) throw new Error('--rates must be whole numbers ≥ 100, e.g. 5000,10000');
  const seconds = Number(opts.seconds);
  const log = (line: string) => process.stdout.write(`${line}\n`);

  log('starting private mosquitto and influxd …');
  const [mosquitto, influxd] = await Promise.all([startMosquitto(), startInfluxd()]);
  try {
    log(`raw InfluxDB write ceiling (${opts.ceilingSeconds} s of 5000-point line-protocol batches, 2 in flight) …`);
    const ceiling = await measureInfluxCeiling(influxd.url, Number(opts.ceilingSeconds));
    log(`  ${Math.round(ceiling.pointsPerSec)} points/s`);
    const results: IngestRunResult[] = [];
    for (const rate of rates) {
      log(`ingest at ${rate} outlet readings/s for ${seconds} s …`);
      const database = `bench_${rate}`;
      const server = await startServerProcess({ MQTT_URL: mosquitto.url, INFLUX_URL: influxd.url, INFLUX_DB: database });
      try {
        results.push(await runIngestStep({ mqttUrl: mosquitto.url, influxUrl: influxd.url, database, server, rate, seconds, log }));
      } finally {
        await server.dispose();
      }
    }
    printTable(results, ceiling.pointsPerSec, log);
  } finally {
    await Promise.all([mosquitto.stop(), influxd.dispose()]);
  }
  if (opts.only === undefined) {
    await history(Number(opts.historyDays), Number(opts.historyRigs));
    await dashboardRun();
  }
}

async function dashboard(rigs: number, sites: number, intervalMs: number, updates: number, store: string): Promise<void> {
  const whole = (n: number, min: number) => Number.isInteger(n) && n >= min;
  if (!whole(rigs, 1) || !whole(sites, 1) || !whole(intervalMs, 1000) || !whole(updates, 1)) {
    throw new Error('--dashboard-rigs, --dashboard-sites and --dashboard-updates take whole numbers > 0, --dashboard-interval whole ms ≥ 1000');
  }
  if (store !== 'influx' && store !== 'sqlite') throw new Error('--dashboard-store takes influx or sqlite');
  const log = (line: string) => process.stdout.write(`${line}\n`);
  // InfluxDB by default, as in production; SQLite (the embedded store) reads synchronously on the server's event
  // loop, so at this fleet size its figures include the server's own pauses.
  log(`starting a private mosquitto${store === 'influx' ? ' and influxd' : ''} and the server (${store === 'influx' ? 'InfluxDB' : 'SQLite'} store, its own process) for the dashboard section …`);
  const [mosquitto, influxd] = await Promise.all([startMosquitto(), store === 'influx' ? startInfluxd() : null]);
  try {
    const server = await startServerProcess({
      MQTT_URL: mosquitto.url,
      ...(influxd && { INFLUX_URL: influxd.url, INFLUX_DB: 'bench_dashboard' }),
      // A rig is stale after three missed intervals, not the default 30 s, when the fleet publishes less often.
      STALE_AFTER_MS: String(Math.max(30_000, 3 * intervalMs)),
    });
    try {
      printDashboard(await runDashboard({ server, mqttUrl: mosquitto.url, rigs, sites, intervalMs, updates, store: influxd ? 'InfluxDB' : 'SQLite', log }), log);
    } finally {
      await server.dispose();
    }
  } finally {
    await Promise.all([mosquitto.stop(), influxd?.dispose()]);
  }
}

async function history(days: number, rigs: number): Promise<void> {
  if (!(days > 0 && days <= 366) || !(Number.isInteger(rigs) && rigs > 0)) throw new Error('--history-days takes 1–366 and --history-rigs a whole number > 0');
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log('starting a private influxd for the history section …');
  const influxd = await startInfluxd();
  try {
    printHistory(await runHistory({ influxd, days, rigs, log }), days, rigs, log);
  } finally {
    await influxd.dispose();
  }
}

function printHistory(r: HistoryResult, days: number, rigs: number, log: (line: string) => void): void {
  log('');
  log(`history: ${days} days × ${rigs} rigs, ${r.readings} readings (written in ${r.writeSeconds.toFixed(0)} s, rollups built in ${r.rollupSeconds.toFixed(0)} s)`);
  log(`  API  GET /api/energy (whole range, site): ${r.apiMedianMs.toFixed(1)} ms median of 9 (first call ${r.apiFirstMs.toFixed(1)} ms)  → ${r.apiKwh} kWh`);
  log(`  API  the same range cut mid-minute at both ends: ${r.cutMedianMs.toFixed(1)} ms median of 9, answered from ${JSON.stringify(r.cutAnsweredFrom)}`);
  log(`  raw  InfluxQL integral(power_w) per outlet: ${r.rawMs.toFixed(0)} ms  → ${r.rawKwh.toFixed(3)} kWh (trapezoids of power, not the registers)`);
  log(`  ratio: the API is ${(r.rawMs / r.apiMedianMs).toFixed(0)}× faster (${(r.rawMs / r.apiFirstMs).toFixed(0)}× on its first call). Target: under 200 ms and at least 20×.`);
}

async function soak(minutes: number, rigs: number): Promise<void> {
  if (!(minutes > 0)) throw new Error('--soak takes a number of minutes > 0');
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(`soak: ${minutes} min at 2 sites × ${rigs} rigs every second, through private mosquitto and influxd …`);
  const [mosquitto, influxd] = await Promise.all([startMosquitto(), startInfluxd()]);
  const server = await startServerProcess({ MQTT_URL: mosquitto.url, INFLUX_URL: influxd.url, INFLUX_DB: 'soak' });
  try {
    await runSoak({ server, mqttUrl: mosquitto.url, minutes, rigs, log });
  } finally {
    await server.dispose();
    await Promise.all([mosquitto.stop(), influxd.dispose()]);
  }
}

function printTable(results: IngestRunResult[], ceiling: number, log: (line: string) => void): void {
  log('');
  log('target/s  achieved/s  published    stored  lost  p50 ms  p99 ms  of raw ceiling');
  for (const r of results) {
    log(
      `${String(r.rate).padStart(8)}  ${r.achievedPerSec.toFixed(0).padStart(10)}  ${String(r.published).padStart(9)}  ${String(r.stored).padStart(8)}  ${String(r.lost).padStart(4)}  ${r.p50Ms.toFixed(0).padStart(6)}  ${r.p99Ms.toFixed(0).padStart(6)}  ${((r.achievedPerSec / ceiling) * 100).toFixed(0).padStart(13)} %`,
    );
  }
  log(`raw InfluxDB ceiling: ${Math.round(ceiling)} points/s. Latency is publish → durable in InfluxDB, at 50 ms resolution.`);
}

main().catch((err: Error) => {
  process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
