import { describe, expect, it } from 'vitest';
import { createFleet, type SimMessage } from '../../simulators/src/fleet.js';
import { ID_PATTERN } from '../../simulators/src/ids.js';
import { loadAsicSpecs } from '../../simulators/src/models.js';
import type { PduPayloadV1 } from '../../simulators/src/encoders/native.js';

const MODELS = loadAsicSpecs();
const T0 = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const ticks = (n: number, everyMs = 1000): number[] => Array.from({ length: n }, (_, i) => T0 + i * everyMs);

function run(seed: number, times: number[], sites = 2, rigsPerSite = 30): SimMessage[][] {
  const fleet = createFleet({ sites, rigsPerSite, seed }, MODELS);
  return times.map((ts) => fleet.tick(ts));
}

describe('fleet determinism', () => {
  it('gives byte-identical messages for the same seed, options and tick times', () => {
    const times = [...ticks(50), T0 + 50_000 + 137, T0 + 60_000, T0 + 3_600_000];
    expect(run(42, times)).toEqual(run(42, times));
  });

  it('pins the exact payloads of a tiny fleet (seed 42, 1 site, 2 rigs, two ticks)', () => {
    const fleet = createFleet({ sites: 1, rigsPerSite: 2, seed: 42 }, MODELS);
    const messages = [T0, T0 + 1000].flatMap((ts) => fleet.tick(ts)).map((m) => [m.topic, m.payload]);
    // 3047.5 W for 1 s is 0.85 Wh: the outlet registers stay put; the meter's 7.1 kW adds 1 Wh (floor of 1.98).
    expect(messages).toEqual([
      ['kilowatch/site-1/pdu/r01-pdu1',
        '{"ts":1767225600000,"outlets":[{"outlet":1,"rig":"site-1-r01-u01","power_w":3051,"voltage_v":228.7,"current_a":13.475,"pf":0.99,"energy_wh":7687277},{"outlet":2,"rig":"site-1-r01-u02","power_w":2943.7,"voltage_v":228.4,"current_a":13.045,"pf":0.988,"energy_wh":564591}]}'],
      ['kilowatch/site-1/miner/site-1-r01-u01',
        '{"ts":1767225600000,"hashrate_ths":141.83,"model":"Antminer S19 XP","temp_c":68.2}'],
      ['kilowatch/site-1/miner/site-1-r01-u02',
        '{"ts":1767225600000,"hashrate_ths":135.67,"model":"Antminer S19 XP","temp_c":62.4}'],
      ['kilowatch/site-1/meter/main',
        '{"ts":1767225600000,"power_w":7119.3,"energy_wh":48488151}'],
      ['kilowatch/site-1/pdu/r01-pdu1',
        '{"ts":1767225601000,"outlets":[{"outlet":1,"rig":"site-1-r01-u01","power_w":3047.5,"voltage_v":228.8,"current_a":13.454,"pf":0.99,"energy_wh":7687277},{"outlet":2,"rig":"site-1-r01-u02","power_w":2944.1,"voltage_v":228.5,"current_a":13.041,"pf":0.988,"energy_wh":564591}]}'],
      ['kilowatch/site-1/miner/site-1-r01-u01',
        '{"ts":1767225601000,"hashrate_ths":142.15,"model":"Antminer S19 XP","temp_c":68.2}'],
      ['kilowatch/site-1/miner/site-1-r01-u02',
        '{"ts":1767225601000,"hashrate_ths":135.48,"model":"Antminer S19 XP","temp_c":62.5}'],
      ['kilowatch/site-1/meter/main',
        '{"ts":1767225601000,"power_w":7114.8,"energy_wh":48488152}'],
    ]);
  });

  it('gives different payloads for a different seed, on the same topics', () => {
    const a = run(42, ticks(3));
    const b = run(43, ticks(3));
    expect(a.flat().map((m) => m.payload)).not.toEqual(b.flat().map((m) => m.payload));
    // Layout can differ (models per rack), but ids follow the same scheme.
    expect(a[0]?.[0]?.topic).toBe('kilowatch/site-1/pdu/r01-pdu1');
    expect(b[0]?.[0]?.topic).toBe('kilowatch/site-1/pdu/r01-pdu1');
  });

  it('keeps a site the same whatever the number of sites (one random stream per device)', () => {
    const one = run(42, ticks(5), 1).map((tick) => tick.filter((m) => m.topic.startsWith('kilowatch/site-1/')));
    const three = run(42, ticks(5), 3).map((tick) => tick.filter((m) => m.topic.startsWith('kilowatch/site-1/')));
    expect(three).toEqual(one);
  });

  it('keeps a rig and its outlet the same whatever the number of rigs', () => {
    const firstRig = (rigsPerSite: number): string[] =>
      createFleet({ sites: 1, rigsPerSite, seed: 42 }, MODELS)
        .tick(T0)
        .filter((m) => m.topic.endsWith('/r01-pdu1') || m.topic.endsWith('/site-1-r01-u01'))
        .map((m) => (m.topic.includes('/pdu/') ? JSON.stringify((JSON.parse(m.payload) as PduPayloadV1).outlets[0]) : m.payload));
    expect(firstRig(24)).toEqual(firstRig(2));
  });

  it('rejects tick times that do not increase or are not whole ms', () => {
    const fleet = createFleet({ sites: 1, rigsPerSite: 1, seed: 1 }, MODELS);
    fleet.tick(T0);
    expect(() => fleet.tick(T0)).toThrow('tick time must increase: 1767225600000 after 1767225600000');
    expect(() => fleet.tick(T0 + 0.5)).toThrow('tick time must be whole ms ≥ 0, got 1767225600000.5');
  });
});

describe('fleet layout, topics and ids', () => {
  it('lays out rigs per site and outlets per PDU as asked', () => {
    // 50 rigs, 8 outlets, 2 PDUs per rack → racks of 16: 16 + 16 + 16 + 2.
    const fleet = createFleet({ sites: 2, rigsPerSite: 50, seed: 9, outletsPerPdu: 8 }, MODELS);
    const pdus = fleet.tick(T0).filter((m) => /\/pdu\/[^/]+$/.test(m.topic));
    const site1 = pdus.filter((m) => m.topic.startsWith('kilowatch/site-1/'));
    expect(site1.map((m) => m.topic.split('/')[3])).toEqual([
      'r01-pdu1', 'r01-pdu2', 'r02-pdu1', 'r02-pdu2', 'r03-pdu1', 'r03-pdu2', 'r04-pdu1',
    ]);
    expect(site1.map((m) => m.readings)).toEqual([8, 8, 8, 8, 8, 8, 2]);
    expect(site1.map((m) => (JSON.parse(m.payload) as PduPayloadV1).outlets.length)).toEqual([8, 8, 8, 8, 8, 8, 2]);
    const lastPdu = JSON.parse(site1[6]?.payload ?? '') as PduPayloadV1;
    expect(lastPdu.outlets.map((o) => [o.outlet, o.rig])).toEqual([
      [1, 'site-1-r04-u01'],
      [2, 'site-1-r04-u02'],
    ]);
    const secondPduOfRack = JSON.parse(site1[1]?.payload ?? '') as PduPayloadV1;
    expect(secondPduOfRack.outlets[2]).toMatchObject({ outlet: 3, rig: 'site-1-r01-u11' });
    expect(fleet.summary()).toMatchObject({ sites: 2, pdus: 14, rigs: 100, outletsPerPdu: 8 });
  });

  it('publishes, per site and tick, its PDUs, then one message per rig, then the meter', () => {
    const messages = createFleet({ sites: 2, rigsPerSite: 30, seed: 42 }, MODELS).tick(T0);
    // 30 rigs at 12 outlets and 2 PDUs per rack: r01-pdu1 (12), r01-pdu2 (12), r02-pdu1 (6).
    expect(messages).toHaveLength(2 * (3 + 30 + 1));
    const site2 = messages.slice(34).map((m) => m.topic);
    expect(site2.slice(0, 4)).toEqual([
      'kilowatch/site-2/pdu/r01-pdu1',
      'kilowatch/site-2/pdu/r01-pdu2',
      'kilowatch/site-2/pdu/r02-pdu1',
      'kilowatch/site-2/miner/site-2-r01-u01',
    ]);
    expect(site2.at(-2)).toBe('kilowatch/site-2/miner/site-2-r02-u06');
    expect(site2.at(-1)).toBe('kilowatch/site-2/meter/main');
    expect(messages.reduce((n, m) => n + m.readings, 0)).toBe(2 * (30 + 30 + 1));
  });

  it('uses only topic-safe ids of 1–64 characters', () => {
    const fleet = createFleet({ sites: 1000, rigsPerSite: 1, seed: 3 }, MODELS);
    const topic = /^kilowatch\/([^/]+)\/(pdu|miner|meter)\/([^/]+)$/;
    for (const m of fleet.tick(T0)) {
      const [, site = '', , device = ''] = topic.exec(m.topic) ?? [];
      expect(site).toMatch(ID_PATTERN);
      expect(device).toMatch(ID_PATTERN);
    }
    const wide = createFleet({ sites: 1, rigsPerSite: 2400, seed: 3, outletsPerPdu: 12 }, MODELS);
    expect(wide.gateways().at(-2)?.name).toBe('site-1-r100-pdu2'); // 100 racks: three-digit rack numbers
    const rigs = wide.gateways().at(-1)?.topics ?? [];
    expect(rigs[0]).toBe('kilowatch/site-1/miner/site-1-r001-u01');
  });

  it('describes gateways: one per PDU with a status topic, one per site for miners and meter', () => {
    const fleet = createFleet({ sites: 1, rigsPerSite: 13, seed: 5 }, MODELS);
    expect(fleet.gateways()).toEqual([
      { name: 'site-1-r01-pdu1', kind: 'pdu', site: 'site-1', statusTopic: 'kilowatch/site-1/pdu/r01-pdu1/status', topics: ['kilowatch/site-1/pdu/r01-pdu1'] },
      { name: 'site-1-r01-pdu2', kind: 'pdu', site: 'site-1', statusTopic: 'kilowatch/site-1/pdu/r01-pdu2/status', topics: ['kilowatch/site-1/pdu/r01-pdu2'] },
      {
        name: 'site-1',
        kind: 'site',
        site: 'site-1',
        topics: [
          ...Array.from({ length: 13 }, (_, i) => `kilowatch/site-1/miner/site-1-r01-u${String(i + 1).padStart(2, '0')}`),
          'kilowatch/site-1/meter/main',
        ],
      },
    ]);
    expect(fleet.statusMessages(true)).toEqual([
      { topic: 'kilowatch/site-1/pdu/r01-pdu1/status', payload: 'online', readings: 0 },
      { topic: 'kilowatch/site-1/pdu/r01-pdu2/status', payload: 'online', readings: 0 },
    ]);
    expect(fleet.statusMessages(false).map((m) => m.payload)).toEqual(['offline', 'offline']);
  });

  it('refuses options outside the limits with the option named', () => {
    expect(() => createFleet({ sites: 0, rigsPerSite: 1, seed: 1 }, MODELS)).toThrow('sites must be a whole number from 1 to 1000, got 0');
    expect(() => createFleet({ sites: 1, rigsPerSite: 1.5, seed: 1 }, MODELS)).toThrow('rigsPerSite must be a whole number from 1 to 100000, got 1.5');
    expect(() => createFleet({ sites: 1, rigsPerSite: 1, seed: -1 }, MODELS)).toThrow('seed must be a whole number from 0 to 4294967295, got -1');
    expect(() => createFleet({ sites: 11, rigsPerSite: 100_000, seed: 1 }, MODELS)).toThrow('sites × rigsPerSite must be at most 1000000, got 1100000');
  });
});
