import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulation, type Simulation } from '../../simulators/src/run.js';
import { startInfluxd, startMosquitto, type InfluxdHandle, type MosquittoHandle } from '../harness/index.js';
import { readInflux } from '../support/influx-rows.js';
import { waitFor } from '../support/kilowatch.js';
import { PublishedLedger, sortRows } from '../support/published.js';
import { ServerProcess } from '../support/server-process.js';
import { SlowProxy } from '../support/slow-proxy.js';

/**
 * Real processes killed and stopped under a steady simulated load. Each case ends with the same check:
 * every reading the fleet published with QoS 1 (and the broker acknowledged) is in InfluxDB exactly
 * once, with its exact values, read back with InfluxQL.
 */
const DB = 'faults';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('zero loss under faults', () => {
  let mosquitto: MosquittoHandle;
  let influxd: InfluxdHandle;
  let server: ServerProcess;
  let sim: Simulation | null;
  let ledger: PublishedLedger;

  beforeEach(async () => {
    [mosquitto, influxd] = await Promise.all([startMosquitto({ persistence: true }), startInfluxd()]);
    ledger = new PublishedLedger();
    sim = null;
  });
  afterEach(async () => {
    await sim?.stop();
    await server?.dispose();
    await Promise.all([mosquitto?.stop(), influxd?.dispose()]);
  });

  async function startServer(env: Record<string, string> = {}): Promise<void> {
    server = new ServerProcess({ MQTT_URL: mosquitto.url, INFLUX_URL: influxd.url, INFLUX_DB: DB, ...env });
    await server.start();
  }

  async function startLoad(): Promise<void> {
    // 1 site × 48 rigs every 200 ms: about 485 readings/s in 265 messages/s.
    sim = await startSimulation({ url: mosquitto.url, sites: 1, rigs: 48, intervalMs: 200, seed: 11, onPublished: (t, p) => ledger.add(t, p) });
  }

  /** Stop the load, then wait until InfluxDB holds everything, and compare it reading by reading. */
  async function expectEveryReadingStoredOnce(): Promise<void> {
    await sim!.stop();
    expect(sim!.stats().dropped).toBe(0);
    expect(sim!.stats().pending).toBe(0);
    const count = async () => {
      const rows = await readInflux(influxd, DB).catch(() => null);
      return rows ? rows.outlets.length + rows.miners.length + rows.meters.length : 0;
    };
    await waitFor(async () => (await count()) >= ledger.total, async () => `InfluxDB has ${await count()} of ${ledger.total} readings`, 180_000);
    const stored = await readInflux(influxd, DB);
    expect(stored.outlets).toEqual(sortRows(ledger.outlets.values()));
    expect(stored.miners).toEqual(sortRows(ledger.miners.values()));
    expect(stored.meters).toEqual(sortRows(ledger.meters.values()));
    expect(ledger.total).toBeGreaterThan(2000);
  }

  it('survives a Mosquitto restart mid-stream (persistence on)', async () => {
    await startServer();
    await startLoad();
    await sleep(3000);
    await mosquitto.restart();
    await sleep(4000);
    await expectEveryReadingStoredOnce();
  });

  it('survives InfluxDB stopped for 60 s under load', async () => {
    await startServer();
    await startLoad();
    await sleep(2000);
    await influxd.stop();
    await sleep(60_000);
    expect((await server.health()).spool.pending_readings).toBeGreaterThan(10_000);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { failing: string[] }).failing).toEqual([expect.stringMatching(/^store unavailable/)]);
    await influxd.start();
    await sleep(2000);
    await expectEveryReadingStoredOnce();
  });

  it('survives the server killed with SIGKILL under load', async () => {
    await startServer();
    await startLoad();
    await sleep(3000);
    await server.kill('SIGKILL');
    await sleep(3000);
    await server.start();
    await sleep(3000);
    await expectEveryReadingStoredOnce();
  });

  it('holds acknowledgements, not data, when the spool is full while InfluxDB is down', async () => {
    await startServer({ SPOOL_MAX_MB: '1' });
    await startLoad();
    await sleep(1000);
    await influxd.stop();
    await waitFor(async () => (await server.health()).spool.full, async () => JSON.stringify((await server.health()).spool), 60_000);
    await sleep(5000); // the broker holds what the server does not acknowledge
    await influxd.start();
    await waitFor(async () => !(await server.health()).spool.full, async () => JSON.stringify((await server.health()).spool), 120_000);
    expect((await server.health()).counters.spool_full_events).toBeGreaterThanOrEqual(1);
    await expectEveryReadingStoredOnce();
  });

  it('applies backpressure to a slow InfluxDB without growing memory', async () => {
    const proxy = new SlowProxy('127.0.0.1', influxd.port);
    await proxy.start();
    try {
      server = new ServerProcess({ MQTT_URL: mosquitto.url, INFLUX_URL: proxy.url, INFLUX_DB: DB, WRITE_BATCH_SIZE: '200' });
      await server.start();
      await startLoad();
      await sleep(2000);
      proxy.delayMs = 1500; // 200 readings per 1.5 s: far below the load
      let maxRss = 0;
      let maxPending = 0;
      for (let i = 0; i < 20; i++) {
        await sleep(1000);
        maxRss = Math.max(maxRss, server.rssMb() ?? 0);
        maxPending = Math.max(maxPending, (await server.health()).spool.pending_readings);
      }
      expect(maxPending).toBeGreaterThan(3000); // the backlog went to the spool on disk …
      expect(maxRss).toBeLessThan(400); // … not into memory
      proxy.delayMs = 0;
      await expectEveryReadingStoredOnce();
    } finally {
      await proxy.stop();
    }
  });
});
