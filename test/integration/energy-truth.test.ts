import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { energyOf } from '../../server/src/energy/energy.js';
import { fleetFileYaml } from '../../simulators/src/fleet-file.js';
import { historyFleet, runHistory, type HistoryOptions, type HistoryResult } from '../../simulators/src/history.js';
import { startInfluxd, startMosquitto, type InfluxdHandle, type MosquittoHandle } from '../harness/index.js';
import { startKilowatch, waitFor, type RunningKilowatch } from '../support/kilowatch.js';

/**
 * A simulated day with every accounting hazard the simulator can inject — reset, glitch, spike, a 32-bit
 * register rolling over, a 20-minute gap, a late backlog, duplicates, reordering and a skewed clock — through
 * Mosquitto and the server into InfluxDB, with the fleet file the simulator implies (its PDUs' register width
 * and outlet ratings): /api/energy must equal the truth the simulator logged, to the Wh, from rollups and read
 * raw; and integrating power must agree with InfluxDB's own INTEGRAL() over the same raw data within 0.5 %.
 */
const FAULTS = ['reset', 'glitch', 'spike', 'rollover', 'gap', 'late', 'duplicate', 'reorder', 'clock-skew'] as const;
const DAY = 86_400_000;
const FROM = Date.UTC(2026, 2, 1);
const TO = FROM + DAY;
const SKEW_MS = 90_000;
const INTERVAL_MS = 60_000;

describe('energy of a day with every fault, against the truth', () => {
  let mosquitto: MosquittoHandle;
  let influxd: InfluxdHandle;
  let kw: RunningKilowatch;
  let history: HistoryResult;
  const dir = mkdtempSync(join(tmpdir(), 'kw-truth-'));

  beforeAll(async () => {
    [mosquitto, influxd] = await Promise.all([startMosquitto(), startInfluxd()]);
    const opts: HistoryOptions = {
      url: mosquitto.url, sites: 1, rigs: 24, intervalMs: INTERVAL_MS, seed: 9, from: FROM, to: TO, miners: false,
      faults: { kinds: [...FAULTS], gapMs: 20 * 60_000, skewMs: SKEW_MS },
    };
    const fleetFile = join(dir, 'fleet.yaml');
    writeFileSync(fleetFile, fleetFileYaml(historyFleet(opts).fleetFile(), ['the simulated site of this test']));
    kw = await startKilowatch({ MQTT_URL: mosquitto.url, INFLUX_URL: influxd.url, INFLUX_DB: 'truth', FLEET_FILE: fleetFile });
    history = await runHistory(opts);
    expect(history.drained).toBe(true);
    await waitFor(async () => {
      const h = await kw.health();
      return h.spool.pending_messages === 0 && h.counters.messages_received >= history.messages;
    }, async () => `${history.messages} published; ${JSON.stringify((await kw.health()).counters)}`, 180_000);
  }, 300_000);
  afterAll(async () => {
    await kw?.stop();
    await Promise.all([mosquitto?.stop(), influxd?.dispose()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('logged every fault it was asked for', () => {
    expect(new Set(history.faults.map((f) => f.fault))).toEqual(new Set(FAULTS));
  });

  for (const source of ['rollups', 'raw'] as const) {
    it(`answers /api/energy with the truth, to the Wh, for the IT load and the facility meter (${source})`, async () => {
      const site = history.truth.sites[0]!;
      // Rollups settle a few seconds after the last reading; until they do, the answer reads those minutes raw.
      const res = await fetch(`${kw.url}/api/energy?site=${site.site}&from=${FROM}&to=${TO + SKEW_MS + INTERVAL_MS}&source=${source}`);
      const body = (await res.json()) as { kwh: number; meter_kwh: number; source: string; resets: number; rollovers: number; spikes_rejected: number; glitches: number };
      expect(body.source).toBe(source);
      expect(Math.round(body.kwh * 1000)).toBe(site.wh);
      expect(Math.round(body.meter_kwh * 1000)).toBe(site.meter_wh);
      expect(body.resets).toBeGreaterThanOrEqual(1);
      // The 32-bit register wrapped, and the fleet file says how wide it is: counted across the wrap, not as a reset.
      expect(body.rollovers).toBeGreaterThanOrEqual(1);
      // A one-reading jump that comes straight back (the simulator's spike) is handled as a glitch.
      expect(body.spikes_rejected + body.glitches).toBeGreaterThanOrEqual(2);
    });
  }

  it('integrates power within 0.5 % of InfluxDB INTEGRAL() over the same raw data', async () => {
    const readings = await kw.app.store.outlets({ site: 'site-1', from: FROM, to: TO + SKEW_MS + INTERVAL_MS });
    // INTEGRAL() bridges every gap; ours refuses gaps over 5 min by policy. Compare the integration itself.
    const bridging = { options: { maxGapMs: Number.POSITIVE_INFINITY } };
    const ours = energyOf(readings.map(({ energy_wh: _register, ...r }) => r), (r) => `${r.pdu}/${r.outlet}`, bridging).wh;
    const q = `SELECT INTEGRAL(power_w, 1h) FROM pdu_outlet WHERE site = 'site-1' AND time >= ${FROM}ms AND time < ${TO + SKEW_MS + INTERVAL_MS}ms GROUP BY pdu, outlet`;
    const res = (await influxd.query(q, 'truth')) as { results: { series: { values: [number, number][] }[] }[] };
    const influx = res.results[0]!.series.reduce((sum, s) => sum + s.values[0]![1], 0);
    expect(Math.abs(ours - influx) / influx).toBeLessThan(0.005);
  });
});
