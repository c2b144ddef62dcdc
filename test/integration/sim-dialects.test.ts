import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeterReading, OutletReading } from '../../server/src/domain/reading.js';
import type { DialectChoice } from '../../simulators/src/dialects.js';
import type { MeterPayloadV1, MinerPayloadV1, PduPayloadV1 } from '../../simulators/src/encoders/native.js';
import { fleetFileYaml, type FleetFile } from '../../simulators/src/fleet-file.js';
import { createFleet, type FleetModelOptions } from '../../simulators/src/fleet.js';
import { loadAsicSpecs } from '../../simulators/src/models.js';
import { startSimulation } from '../../simulators/src/run.js';
import { startMosquitto, type MosquittoHandle } from '../harness/index.js';
import { startKilowatch, waitFor } from '../support/kilowatch.js';

/**
 * Each dialect, and the mixed blend, for real: the simulator publishes through Mosquitto to the server (SQLite),
 * started with the DIALECTS and the fleet file the simulated fleet implies. What the store holds must be what
 * the fleet published, under the native names: for every tick the native format would have sent, the same
 * site, PDU, outlet and rig with the same ts, power, register, volts, amps and pf (pf with 2 decimals from
 * Tasmota and Shelly, which have no more). The expected values come from a native twin of the fleet (same seed,
 * same devices) ticked at the same times — not from the encoders under test.
 *
 * Shelly Gen1 sends no time: its rows carry the server clock, one per message or one per tick where the power
 * and energy messages land on the same ms. For those the (power, register) of every tick must be there, in order.
 */
const MODELS = loadAsicSpecs();
const INTERVAL_MS = 500;

interface Case {
  dialect: DialectChoice;
  shape: FleetModelOptions;
}

// 8 rigs at 6 outlets: PDUs of 6 and 2 outlets (devices of 4, 2 and 2 channels, one Sparkplug rack of both),
// and a small enough site for a Shelly meter in shelly-gen2. Mixed: 14 one-outlet PDUs per site, so each site
// has every dialect and a Shelly meter.
const SMALL = { sites: 1, rigsPerSite: 8, outletsPerPdu: 6 };
const CASES: Case[] = [
  ...(['native', 'tasmota', 'shelly-gen2', 'shelly-gen1', 'sparkplug', 'line'] as const).map((dialect, i) => ({ dialect, shape: { ...SMALL, seed: 100 + i } })),
  { dialect: 'mixed', shape: { sites: 2, rigsPerSite: 14, outletsPerPdu: 1, seed: 42 } },
];

/** Outlet key → the server's name of its PDU's dialect, from the fleet file's bindings. */
function outletDialects(file: FleetFile): Map<string, string> {
  const out = new Map<string, string>();
  for (const b of file.bindings) {
    if (!('pdu' in b.to) || b.match.device.split('/').length === 2) continue; // a Sparkplug node: status only
    const site = file.sites.find((s) => s.id === b.to.site)!;
    const pdu = site.racks.flatMap((r) => r.pdus).find((p) => p.id === (b.to as { pdu: string }).pdu)!;
    const outlets = 'outlet' in b.to && b.to.outlet !== undefined ? [b.to.outlet] : pdu.outlets.map((o) => o.outlet);
    for (const o of outlets) out.set(`${b.to.site}/${pdu.id}/${o}`, b.match.dialect);
  }
  return out;
}

const pf2 = (pf: number): number => Math.round(Math.round(pf * 1000) / 10) / 100;
const order = <T extends { ts: number; site: string }>(a: T, b: T) => a.ts - b.ts || JSON.stringify(a).localeCompare(JSON.stringify(b));

describe('simulated dialects through Mosquitto into the server', () => {
  let mosquitto: MosquittoHandle;
  let dir: string;

  beforeAll(async () => {
    mosquitto = await startMosquitto();
    dir = mkdtempSync(join(tmpdir(), 'kw-sim-dialects-'));
  });
  afterAll(async () => {
    await mosquitto?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(CASES)('$dialect: the store holds exactly what the fleet published, under the right names', async ({ dialect, shape }) => {
    const fleet = createFleet({ ...shape, dialect }, MODELS);
    const file = fleet.fleetFile();
    const fleetPath = join(dir, `${dialect}.yaml`);
    writeFileSync(fleetPath, fleetFileYaml(file, ['integration test']));
    const dialects = outletDialects(file);
    if (dialect === 'mixed') expect(new Set(dialects.values())).toEqual(new Set(['tasmota', 'shelly-gen2', 'shelly-gen1', 'sparkplug', 'line-protocol']));
    const shellyMeters = new Set(file.bindings.filter((b) => 'meter' in b.to).map((b) => b.to.site));
    if (dialect === 'mixed' || dialect === 'shelly-gen2') expect(shellyMeters.size).toBe(shape.sites);

    // Its own client id per case: the server keeps a persistent session, and a new server under an old id
    // would inherit the previous case's subscriptions instead of subscribing to its DIALECTS.
    const kw = await startKilowatch({ MQTT_URL: mosquitto.url, MQTT_CLIENT_ID: `kw-sim-${dialect}`, DIALECTS: fleet.serverDialects(), FLEET_FILE: fleetPath });
    try {
      const ticks = new Set<number>();
      const started = Date.now();
      const sim = await startSimulation({
        url: mosquitto.url, ...shape, rigs: shape.rigsPerSite, intervalMs: INTERVAL_MS, durationS: 3, dialect,
        onPublished: (topic, payload) => {
          if (topic.includes('/miner/')) ticks.add((JSON.parse(payload) as MinerPayloadV1).ts);
        },
      });
      await sim.done;
      const ended = Date.now();
      expect(sim.stats()).toMatchObject({ errors: 0, dropped: 0, pending: 0 });

      // The native twin at the same ticks: what each outlet and meter published, in the model's own terms.
      const twin = createFleet({ ...shape, dialect: 'native' }, MODELS);
      const outlets: OutletReading[] = [];
      const meters: MeterReading[] = [];
      for (const ts of [...ticks].sort((a, b) => a - b)) {
        for (const m of twin.tick(ts)) {
          const [, site = '', kind, id = ''] = m.topic.split('/');
          if (kind === 'pdu') outlets.push(...(JSON.parse(m.payload) as PduPayloadV1).outlets.map((o): OutletReading => ({ kind: 'outlet', site, pdu: id, ts, ...o })));
          if (kind === 'meter') {
            const p = JSON.parse(m.payload) as MeterPayloadV1;
            meters.push({ kind: 'meter', site, meter: id, ts, power_w: p.power_w, energy_wh: p.energy_wh });
          }
        }
      }
      expect(ticks.size).toBeGreaterThanOrEqual(5);
      const dialectOf = (o: OutletReading) => dialects.get(`${o.site}/${o.pdu}/${o.outlet}`) ?? 'native';
      const timed = outlets.filter((o) => dialectOf(o) !== 'shelly-gen1').map((o) => (['tasmota', 'shelly-gen2'].includes(dialectOf(o)) ? { ...o, pf: pf2(o.pf!) } : o));
      const gen1 = outlets.filter((o) => dialectOf(o) === 'shelly-gen1');

      const range = { from: 0, to: Date.now() + 3_600_000 };
      const stored = async () => {
        const rows = await kw.app.store.outlets(range);
        const isGen1 = (r: OutletReading) => dialects.get(`${r.site}/${r.pdu}/${r.outlet}`) === 'shelly-gen1';
        return { timed: rows.filter((r) => !isGen1(r)), gen1: rows.filter(isGen1), meters: await kw.app.store.meters(range) };
      };
      await waitFor(
        async () => {
          const s = await stored();
          return s.timed.length >= timed.length && s.gen1.filter((r) => r.energy_wh !== undefined).length >= gen1.length && s.meters.length >= meters.length;
        },
        async () => `${JSON.stringify((await kw.health()).counters)}`,
        30_000,
      );
      const s = await stored();
      expect(s.timed.sort(order)).toEqual(timed.sort(order));
      expect(s.meters.sort(order)).toEqual(meters.sort(order));
      expect(s.timed.every((r) => r.site !== 'unassigned') && s.gen1.every((r) => r.site !== 'unassigned')).toBe(true);

      // Gen1: per outlet, the rows with a register are the ticks' (power, register) in order, at server times.
      const byOutlet = (rows: readonly OutletReading[]) => {
        const groups = new Map<string, OutletReading[]>();
        for (const r of rows) groups.set(`${r.site}/${r.pdu}/${r.outlet}/${r.rig}`, [...(groups.get(`${r.site}/${r.pdu}/${r.outlet}/${r.rig}`) ?? []), r]);
        return groups;
      };
      const published = byOutlet(gen1);
      const got = byOutlet(s.gen1);
      expect([...got.keys()].sort()).toEqual([...published.keys()].sort());
      for (const [key, rows] of got) {
        const want = published.get(key)!.map((o) => [o.power_w, o.energy_wh]);
        expect(rows.filter((r) => r.energy_wh !== undefined).sort(order).map((r) => [r.power_w, r.energy_wh]), key).toEqual(want);
        expect(rows.every((r) => r.ts >= started && r.ts <= ended + 1000 && r.voltage_v === undefined)).toBe(true);
        expect(rows.every((r) => want.some(([p]) => p === r.power_w))).toBe(true);
      }

      const counters = (await kw.health()).counters;
      expect(counters.readings_rejected).toBe(0);
    } finally {
      await kw.stop();
    }
  });
});
