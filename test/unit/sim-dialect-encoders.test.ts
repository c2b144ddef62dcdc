import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DeviceStatus, MeterReading, OutletReading, Reading } from '../../server/src/domain/reading.js';
import { readFleetFile } from '../../server/src/fleet/loader.js';
import type { FleetRegistry } from '../../server/src/fleet/registry.js';
import { createDialects } from '../../server/src/ingest/dialects/index.js';
import { TopicRouter } from '../../server/src/ingest/router.js';
import type { SimDialect } from '../../simulators/src/dialects.js';
import type { MeterPayloadV1, PduPayloadV1 } from '../../simulators/src/encoders/native.js';
import { sensorPayload, tasmotaTime } from '../../simulators/src/encoders/tasmota.js';
import { fleetFileYaml } from '../../simulators/src/fleet-file.js';
import { createFleet, type Fleet, type FleetModelOptions, type SimMessage } from '../../simulators/src/fleet.js';
import { loadAsicSpecs } from '../../simulators/src/models.js';

/**
 * Every device dialect's messages go through the server's own decoders (createDialects + TopicRouter) and its
 * fleet registry, bound with the fleet file the simulated fleet writes. What comes out must be exactly what the
 * same fleet publishes in the native format at the same ticks (a native twin: same seed, same devices): the
 * same site, PDU, outlet and rig, the same timestamp, power, register, volts, amps and pf — pf at the device's
 * resolution where it has fewer decimals than the model (Tasmota, Shelly: 0.01).
 */
const MODELS = loadAsicSpecs();
const T0 = Date.UTC(2026, 0, 1);
/** 250 ms ticks: whole seconds and fractions alike (Tasmota prints ms only when there are any). */
const TICKS = Array.from({ length: 12 }, (_, i) => T0 + i * 250);
const ALL_DIALECTS = ['native', 'tasmota', 'shelly-gen1', 'sparkplug', 'line-protocol', 'shelly-gen2'];
const dir = mkdtempSync(join(tmpdir(), 'kw-sim-dialect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 2 sites of 23 rigs at 11 outlets: PDUs of 11, 11 and 1 outlets, so devices of 4, 2 and 1 channels and a 1-PDU rack. */
const SHAPE: FleetModelOptions = { sites: 2, rigsPerSite: 23, seed: 42, outletsPerPdu: 11 };

function registryFor(fleet: Fleet, name: string): FleetRegistry {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, fleetFileYaml(fleet.fleetFile(), ['test']));
  return readFleetFile(path);
}

interface Through {
  readings: Reading[];
  statuses: DeviceStatus[];
  rejects: string[];
}

/** The server's ingest path without the network: decode with every dialect subscribed, then bind. */
function server(registry: FleetRegistry): (m: SimMessage, now: number) => Through {
  const router = new TopicRouter(createDialects({ topicRoot: 'kilowatch', subscribe: ALL_DIALECTS }), 1 << 20);
  return (m, now) => {
    const d = router.decode(m.topic, m.bytes ?? Buffer.from(m.payload), { now, maxFutureSkewMs: 300_000 });
    return {
      readings: d.readings.map((r) => registry.bind(r)),
      statuses: d.statuses.flatMap((s) => registry.bindStatus(s) ?? []),
      rejects: d.rejects.map((r) => `${m.topic}: ${r.reason} ${r.message}`),
    };
  };
}

const withoutSource = <T extends Reading>(r: T): Omit<T, 'source'> => {
  const { source: _source, ...rest } = r;
  return rest;
};
const byKey = (a: { site: string; ts: number }, b: { site: string; ts: number }) =>
  a.ts - b.ts || a.site.localeCompare(b.site) || JSON.stringify(a).localeCompare(JSON.stringify(b));

/** What the native twin publishes for its outlets, as stored outlet readings. */
function nativeOutlets(messages: readonly SimMessage[]): OutletReading[] {
  return messages
    .filter((m) => m.topic.includes('/pdu/') && !m.topic.endsWith('/status'))
    .flatMap((m) => {
      const [, site = ''] = m.topic.split('/');
      const p = JSON.parse(m.payload) as PduPayloadV1;
      return p.outlets.map((o): OutletReading => ({ kind: 'outlet', site, pdu: m.topic.split('/')[3]!, ts: p.ts, ...o }));
    });
}

function nativeMeters(messages: readonly SimMessage[]): MeterReading[] {
  return messages
    .filter((m) => m.topic.endsWith('/meter/main'))
    .map((m) => {
      const p = JSON.parse(m.payload) as MeterPayloadV1;
      return { kind: 'meter', site: m.topic.split('/')[1]!, meter: 'main', ts: p.ts, power_w: p.power_w, energy_wh: p.energy_wh };
    });
}

/** pf as a device with 2 decimals reports it: the model's 0.001 steps rounded half up to 0.01. */
const pf2 = (pf: number): number => Math.round(Math.round(pf * 1000) / 10) / 100;

/** Runs a fleet in `dialect` and its native twin over TICKS; returns what the server made of each, per tick. */
function run(dialect: SimDialect, shape: FleetModelOptions = SHAPE) {
  const fleet = createFleet({ ...shape, dialect }, MODELS);
  const twin = createFleet({ ...shape, dialect: 'native' }, MODELS);
  const ingest = server(registryFor(fleet, `${dialect}-${shape.rigsPerSite}`));
  return TICKS.map((ts) => {
    const now = ts + 40;
    const out: Through = { readings: [], statuses: [], rejects: [] };
    for (const m of fleet.tick(ts)) {
      const r = ingest(m, now);
      out.readings.push(...r.readings);
      out.statuses.push(...r.statuses);
      out.rejects.push(...r.rejects);
    }
    const native = twin.tick(ts);
    return { ts, now, ...out, outlets: nativeOutlets(native), meters: nativeMeters(native) };
  });
}

describe.each<{ dialect: SimDialect; pf: (pf: number) => number }>([
  { dialect: 'native', pf: (pf) => pf },
  { dialect: 'tasmota', pf: pf2 },
  { dialect: 'shelly-gen2', pf: pf2 },
  { dialect: 'sparkplug', pf: (pf) => pf },
  { dialect: 'line', pf: (pf) => pf },
])('$dialect encoder through the server', ({ dialect, pf }) => {
  const ticks = run(dialect);

  it('gives exactly the native readings: names, rig, ts, power, register, V, A (pf at the device resolution)', () => {
    for (const t of ticks) {
      expect(t.rejects).toEqual([]);
      const outlets = t.readings.filter((r): r is OutletReading => r.kind === 'outlet').map(withoutSource);
      const expected = t.outlets.map((o) => ({ ...o, pf: pf(o.pf!) }));
      expect(outlets.sort(byKey)).toEqual(expected.sort(byKey));
      expect(outlets).toHaveLength(2 * 23);
    }
  });

  it('keeps the facility meter native and the miners native', () => {
    for (const t of ticks) expect(t.readings.filter((r) => r.kind === 'meter').map(withoutSource)).toEqual(t.meters);
    expect(ticks[0]!.readings.filter((r) => r.kind === 'miner')).toHaveLength(2 * 23);
  });
});

describe('shelly-gen1 encoder through the server', () => {
  const ticks = run('shelly-gen1');

  it('gives per tick and outlet a power reading, then one with the register (watt-minutes ÷ 60) at the server clock', () => {
    for (const t of ticks) {
      expect(t.rejects).toEqual([]);
      const got = t.readings.filter((r): r is OutletReading => r.kind === 'outlet').map(withoutSource);
      const expected = t.outlets.flatMap((o) => {
        const base = { kind: 'outlet' as const, site: o.site, pdu: o.pdu, outlet: o.outlet, rig: o.rig, ts: t.now, power_w: o.power_w };
        return [base, { ...base, energy_wh: o.energy_wh }];
      });
      expect(got.sort(byKey)).toEqual(expected.sort(byKey));
    }
  });
});

describe('a Shelly Pro EM on a small site meter', () => {
  const small: FleetModelOptions = { sites: 1, rigsPerSite: 8, seed: 7, outletsPerPdu: 4 };
  const ticks = run('shelly-gen2', small);

  it('becomes meter `main` readings: the power, and the register from em1data, at the frame ts', () => {
    const fleet = createFleet({ ...small, dialect: 'shelly-gen2' }, MODELS);
    expect(fleet.summary().dialects?.meters).toBe(1);
    for (const t of ticks) {
      expect(t.rejects).toEqual([]);
      const meters = t.readings.filter((r): r is MeterReading => r.kind === 'meter').map(withoutSource);
      // em1:0 then em1data:0 in one frame: two readings of one ts, which the store merges into one row.
      const [m] = t.meters;
      expect(meters).toEqual([{ kind: 'meter', site: 'site-1', meter: 'main', ts: m!.ts, power_w: m!.power_w }, m]);
    }
  });
});

describe('device statuses', () => {
  it.each<[SimDialect, string, string]>([
    ['tasmota', 'Online', 'Offline'],
    ['shelly-gen2', 'true', 'false'],
    ['shelly-gen1', 'true', 'false'],
  ])('%s: online/offline retained, bound to the PDU the device meters', (dialect, on, off) => {
    const fleet = createFleet({ ...SHAPE, dialect }, MODELS);
    const ingest = server(registryFor(fleet, `status-${dialect}`));
    const online = fleet.statusMessages(true);
    expect(new Set(online.map((m) => m.payload))).toEqual(new Set([on]));
    expect(new Set(fleet.statusMessages(false).map((m) => m.payload))).toEqual(new Set([off]));
    const statuses = online.flatMap((m) => ingest(m, T0).statuses);
    expect(statuses).toHaveLength(online.length);
    expect(statuses.every((s) => s.online && s.site.startsWith('site-') && /^r\d+-pdu\d$/.test(s.pdu))).toBe(true);
    // The will says the same as a clean stop.
    for (const g of fleet.gateways().filter((x) => x.kind === 'device')) expect(g.will).toMatchObject({ payload: off, retain: true });
  });

  it('line protocol: Telegraf sets no will and announces nothing', () => {
    const fleet = createFleet({ ...SHAPE, dialect: 'line' }, MODELS);
    expect(fleet.statusMessages(true)).toEqual([]);
    expect(fleet.gateways().filter((g) => g.kind === 'device').every((g) => g.will === undefined)).toBe(true);
  });
});

describe('what the devices print', () => {
  const outlet = { outlet: 1, rig: 'r', powerDw: 32504, voltageSteps: 2301, currentMa: 14193, pfSteps: 995, energyWh: 6290 };

  it('Tasmota: local time without a zone (UTC clock), ms only off the second, the offset where the clock is not UTC', () => {
    expect(tasmotaTime(T0)).toBe('2026-01-01T00:00:00');
    expect(tasmotaTime(T0 + 250)).toBe('2026-01-01T00:00:00.250');
    expect(tasmotaTime(T0, -360)).toBe('2025-12-31T18:00:00-06:00');
    expect(tasmotaTime(T0 + 90 * 60_000, 330)).toBe('2026-01-01T07:00:00+05:30');
  });

  it('Tasmota: fixed decimals (Total 3, Power and Voltage 1, Current 3, Factor 2), arrays for several channels', () => {
    expect(sensorPayload(T0, [outlet])).toBe(
      '{"Time":"2026-01-01T00:00:00","ENERGY":{"Total":6.290,"Power":3250.4,"ApparentPower":3265.8,"ReactivePower":316.8,"Factor":1.00,"Voltage":230.1,"Current":14.193}}',
    );
    const two = JSON.parse(sensorPayload(T0, [outlet, { ...outlet, energyWh: 1005, pfSteps: 984 }])) as { ENERGY: Record<string, unknown> };
    expect(two.ENERGY).toMatchObject({ Total: [6.29, 1.005], Power: [3250.4, 3250.4], Factor: [1, 0.98], Voltage: [230.1, 230.1] });
  });

  it('Shelly Gen1: the register in whole watt-minutes; line protocol: an integer register and ns timestamps', () => {
    const gen1 = createFleet({ sites: 1, rigsPerSite: 1, seed: 1, dialect: 'shelly-gen1' }, MODELS).tick(T0 + 250);
    const twin = nativeOutlets(createFleet({ sites: 1, rigsPerSite: 1, seed: 1 }, MODELS).tick(T0 + 250))[0]!;
    expect(gen1.filter((m) => m.topic.startsWith('shellies/')).map((m) => [m.topic.split('/').slice(2).join('/'), m.payload])).toEqual([
      ['relay/0/power', String(twin.power_w)],
      ['relay/0/energy', String(twin.energy_wh! * 60)],
    ]);
    const line = createFleet({ sites: 1, rigsPerSite: 1, seed: 1, dialect: 'line' }, MODELS).tick(T0 + 250).find((m) => m.topic.startsWith('telegraf/'))!;
    expect(line.topic).toBe('telegraf/site-1-r01-pdu1/pdu');
    expect(line.payload).toBe(
      `pdu,host=site-1-r01-pdu1,outlet=1 power_w=${twin.power_w},energy_wh=${twin.energy_wh}i,voltage=${twin.voltage_v},current=${twin.current_a},pf=${twin.pf} 1767225600250000000\n`,
    );
  });
});
