import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulation } from '../../simulators/src/run.js';
import { startInfluxd, startMosquitto, type InfluxdHandle, type MosquittoHandle } from '../harness/index.js';
import { startKilowatch, waitFor, type RunningKilowatch } from '../support/kilowatch.js';
import { readInflux, type StoredRows } from '../support/influx-rows.js';
import { PublishedLedger, sortRows, type MeterRow, type MinerRow, type OutletRow } from '../support/published.js';

/**
 * The whole ingestion path with real parts: simulated fleet → broker → server → store. Every reading the
 * fleet published must be stored exactly once with its exact values; bad payloads mixed in are counted
 * under their reasons and change nothing else.
 */

interface Backend {
  name: string;
  setup(): Promise<{ settings: Record<string, string | number>; readBack(k: RunningKilowatch): Promise<StoredRows>; teardown(): Promise<void> }>;
}

const DB = 'kilowatch_it';

function viaMosquittoAndInflux(protocol: '5' | '3.1.1'): Backend {
  return {
    name: `Mosquitto (MQTT ${protocol}) + InfluxDB`,
    async setup() {
      const [mosquitto, influxd]: [MosquittoHandle, InfluxdHandle] = await Promise.all([startMosquitto(), startInfluxd()]);
      return {
        settings: { MQTT_URL: mosquitto.url, MQTT_PROTOCOL: protocol, INFLUX_URL: influxd.url, INFLUX_DB: DB },
        readBack: () => readInflux(influxd, DB),
        teardown: async () => {
          await Promise.all([mosquitto.stop(), influxd.dispose()]);
        },
      };
    },
  };
}

const embedded: Backend = {
  name: 'embedded broker (aedes) + SQLite',
  async setup() {
    return { settings: {}, readBack: (k) => readSqlite(join(k.config.DATA_DIR, 'kilowatch.db')), teardown: async () => {} };
  },
};

describe.each([viaMosquittoAndInflux('5'), viaMosquittoAndInflux('3.1.1'), embedded])('pipeline: $name', (backend) => {
  let kw: RunningKilowatch;
  let teardown: () => Promise<void>;
  let readBack: (k: RunningKilowatch) => Promise<StoredRows>;
  const ledger = new PublishedLedger();
  let badSent: Record<string, number>;

  beforeAll(async () => {
    const env = await backend.setup();
    teardown = env.teardown;
    readBack = env.readBack;
    kw = await startKilowatch(env.settings);
    const mqttUrl = kw.app.mqttUrl;
    const sim = await startSimulation({ url: mqttUrl, sites: 2, rigs: 24, intervalMs: 500, seed: 7, durationS: 3, onPublished: (t, p) => ledger.add(t, p) });
    badSent = await publishBadAndOddInput(mqttUrl, ledger);
    await sim.done;
    expect(sim.stats().errors).toBe(0);
    await waitFor(
      async () => {
        const h = await kw.health();
        return h.counters.readings_received >= ledger.total && h.spool.pending_messages === 0;
      },
      async () => JSON.stringify((await kw.health()).counters),
    );
  });
  afterAll(async () => {
    await kw?.stop();
    await teardown?.();
  });

  it('stores every published reading exactly once with its exact values', async () => {
    expect(ledger.outlets.size).toBeGreaterThan(100);
    const stored = await readBack(kw);
    expect(stored.outlets).toEqual(sortRows(ledger.outlets.values()));
    expect(stored.miners).toEqual(sortRows(ledger.miners.values()));
    expect(stored.meters).toEqual(sortRows(ledger.meters.values()));
  });

  it('counts each bad input under its reason', async () => {
    const h = await kw.health();
    const nonZero = Object.fromEntries(Object.entries(h.counters.rejected_by_reason).filter(([, n]) => n > 0));
    expect(nonZero).toEqual(badSent);
    expect(h.counters.readings_rejected).toBe(Object.values(badSent).reduce((a, b) => a + b, 0));
    expect(h.status).toBe('ok');
  });

  it('exposes the same counts as Prometheus metrics, and is alive and ready', async () => {
    const h = await kw.health();
    const metrics = await (await fetch(`${kw.url}/metrics`)).text();
    expect(metrics).toContain(`kilowatch_readings_stored_total ${h.counters.readings_stored}\n`);
    expect(metrics).toContain(`kilowatch_readings_received_total{dialect="native"} ${h.counters.readings_received}\n`);
    expect(metrics).toContain('kilowatch_readings_rejected_total{dialect="native",reason="negative"} 2\n');
    expect(metrics).toContain('kilowatch_readings_rejected_total{dialect="none",reason="too_large"} 1\n');
    expect(metrics).toContain('kilowatch_spool_full 0\n');
    expect(metrics).toContain('kilowatch_mqtt_connected 1\n');
    expect(metrics).toMatch(/kilowatch_store_write_seconds_count\{outcome="ok"\} [1-9]/);
    expect(metrics).toContain('kilowatch_nodejs_eventloop_lag_seconds');
    expect((await fetch(`${kw.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${kw.url}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { ready: true, failing: [] }]);
  });

  it('shows the fleet live', async () => {
    const sites = (await (await fetch(`${kw.url}/api/sites`)).json()) as { sites: { site: string; rigs_online: number; pdus_online: number }[] };
    expect(sites.sites.map((s) => s.site)).toEqual(expect.arrayContaining(['site-1', 'site-2']));
  });
});

/** Bad payloads, plus a partly good one and a repeated one, on the same broker as the fleet. Returns the rejections expected. */
async function publishBadAndOddInput(url: string, ledger: PublishedLedger): Promise<Record<string, number>> {
  const client = await mqtt.connectAsync(url, { clientId: `kw-bad-${process.pid}`, protocolVersion: 4 });
  const now = Date.now();
  const send = async (topic: string, payload: string | Buffer) => {
    await client.publishAsync(topic, payload, { qos: 1 });
  };
  const partlyGood = JSON.stringify({ ts: now, outlets: [{ outlet: 1, rig: 'odd-rig', power_w: 1234.5, energy_wh: 42 }, { outlet: 2, power_w: -3 }] });
  await send('kilowatch/site-1/pdu/odd-pdu', partlyGood);
  await send('kilowatch/site-1/pdu/odd-pdu', partlyGood); // redelivered: stored once, rejected part counted again
  ledger.add('kilowatch/site-1/pdu/odd-pdu', JSON.stringify({ ts: now, outlets: [{ outlet: 1, rig: 'odd-rig', power_w: 1234.5, energy_wh: 42 }] }));
  await send('kilowatch/site-1/pdu/odd-pdu', '{"ts": 1, "outlets": [');
  await send('kilowatch/site-1/meter/main', JSON.stringify({ ts: now + 3_600_000, power_w: 5 }));
  await send('kilowatch/site-1/fan/f1', JSON.stringify({ ts: now }));
  await send('kilowatch/site-2/miner/x', JSON.stringify({ ts: now, hashrate_ths: 'fast' }));
  await send('kilowatch/site-2/miner/y', Buffer.alloc(300 * 1024, 0x20));
  await send('kilowatch/site-2/pdu/p/status', 'sleeping');
  await client.endAsync();
  return { negative: 2, not_json: 1, future_ts: 1, unknown_topic: 1, wrong_type: 1, too_large: 1, bad_status: 1 };
}

async function readSqlite(path: string): Promise<StoredRows> {
  const db = new Database(path, { readonly: true });
  try {
    const outlets = (db.prepare('SELECT * FROM pdu_outlet').all() as (OutletRow & { rig: string })[]).map((r) => ({ ...r, rig: r.rig || null }));
    const miners = (db.prepare('SELECT * FROM miner').all() as (MinerRow & { model: string })[]).map((r) => ({ ...r, model: r.model || null }));
    const meters = db.prepare('SELECT * FROM site_meter').all() as MeterRow[];
    return { outlets: sortRows(outlets), miners: sortRows(miners), meters: sortRows(meters) };
  } finally {
    db.close();
  }
}
