import { describe, expect, it } from 'vitest';
import type { OutletReading, Reading } from '../../server/src/domain/reading.js';
import { FleetRegistry } from '../../server/src/fleet/registry.js';
import { fleetSchema } from '../../server/src/fleet/schema.js';
import type { RigLatest } from '../../server/src/live/events.js';
import type { AlertRecord } from '../../server/src/operations/contract.js';
import { alertCounts, nodeFrame } from '../../server/src/operations/frames.js';
import { NodeHistory } from '../../server/src/operations/history.js';
import { buildSnapshot, outletEval, outletFigures } from '../../server/src/operations/snapshot.js';
import { OpsTelemetry } from '../../server/src/operations/telemetry.js';
import { Topology } from '../../server/src/operations/topology.js';

const DAY = 86_400_000;
const T = 20_000 * DAY + 3_600_000; // 01:00 UTC
const fleet = new FleetRegistry(
  fleetSchema.parse({
    version: 1,
    sites: [{
      id: 's', capacity_kw: 10,
      racks: [
        { id: 'r01', pdus: [{ id: 'p1', rating_a: 30, voltage_v: 240, phases: 1, outlets: [{ outlet: 1, rig: 'rig-1' }, { outlet: 2, rig: 'rig-2' }] }] },
        { id: 'r02', pdus: [{ id: 'p2', rating_a: 30, voltage_v: 240, phases: 1, outlets: [{ outlet: 1, rig: 'rig-3' }] }] },
      ],
    }],
  }),
);
const o = (pdu: string, outlet: number, ts: number, power_w: number, energy_wh?: number, site = 's'): OutletReading => ({ kind: 'outlet', site, pdu, outlet, ts, power_w, ...(energy_wh !== undefined && { energy_wh }) });
const rig = (id: string, hashrate_ths: number | null, online: boolean): RigLatest => ({ rig: id, pdu: null, outlet: null, power_w: null, hashrate_ths, j_per_th: null, model: null, temp_c: null, online, last_ts: T });

function snapshot(readings: Reading[], now = T + 2000, telemetry = new OpsTelemetry()) {
  telemetry.observe(readings);
  return buildSnapshot({
    topology: new Topology(fleet, telemetry),
    telemetry,
    rigs: () => [rig('rig-1', 100, true), rig('rig-2', null, false), rig('rig-3', 50, true)],
    nameplate: () => null,
    staleMs: 30_000,
    startedAt: T,
    now,
  });
}

describe('operations snapshot', () => {
  const readings = [
    o('p1', 1, T, 3000, 1000), o('p1', 1, T + 1000, 3000, 1010), // 10 Wh today from the register
    o('p1', 2, T + 1000, 20),
    o('p2', 1, T, 1800), o('p2', 1, T + 1800, 1800), // 1800 W for 1.8 s = 0.9 Wh by trapezoid
  ];

  it('sums figures up the tree: power, kWh today, J/TH, rigs online, worst capacity use', () => {
    const snap = snapshot(readings);
    expect(outletFigures(outletEval(snap, 'outlet:s/p1/1')!)).toMatchObject({ power_w: 3000, kwh_today: 0.01, hashrate_ths: 100, j_per_th: 30, rigs_online: 1, rigs_total: 1 });
    // p1: 3020 W at 240 V = 12.583 A of 24 A (80 % of 30 A).
    expect(snap.figures.get('pdu:s/p1')).toMatchObject({ power_w: 3020, hashrate_ths: 100, j_per_th: 30, rigs_online: 1, rigs_total: 2, level: 'ok' });
    expect(snap.figures.get('pdu:s/p1')!.utilisation).toBeCloseTo(3020 / 240 / 24, 12);
    const site = snap.figures.get('site:s')!;
    expect(site).toMatchObject({ power_w: 4820, hashrate_ths: 150, rigs_online: 2, rigs_total: 3 });
    expect(site.kwh_today).toBeCloseTo(0.0109, 12);
    expect(site.j_per_th).toBeCloseTo(4800 / 150, 12); // rig-2 has no hashrate: its 20 W are left out
    // The worst under the site: p1 at 52.4 %, above the site itself (4.82 kW of 10 kW = 48.2 %).
    expect(site.utilisation).toBeCloseTo(3020 / 240 / 24, 12);
    expect(snap.checks.get('site:s')![0]!.utilisation).toBeCloseTo(0.482, 12);
    expect(snap.figures.get('facility')).toMatchObject({ power_w: 4820, rigs_total: 3 });
  });

  it('adds the energy used before this process saw the outlet, from the store once a day', () => {
    const telemetry = new OpsTelemetry();
    telemetry.observe([o('p1', 1, T, 3000, 1000)]);
    const day = Math.floor(T / DAY) * DAY;
    const first = [{ site: 's', pdu: 'p1', outlet: 1, ts: day + 60_000, energy_wh: 400 }];
    telemetry.seedToday(first, day);
    telemetry.seedToday(first, day);
    const snap = snapshot([o('p1', 1, T + 1000, 3000, 1010)], T + 2000, telemetry);
    expect(snap.figures.get('pdu:s/p1')!.kwh_today).toBe(0.61);
  });

  it('puts devices the fleet file does not list into an unracked rack, without capacity checks', () => {
    const snap = snapshot([...readings, o('x9', 4, T + 1000, 500), o('gw', 1, T + 1000, 100, undefined, 'other')]);
    expect(snap.topology.path('outlet:s/x9/4').map((p) => p.name)).toEqual(['Facility', 's', 'unracked', 'x9', 'outlet 4']);
    expect(snap.pduById.get('pdu:s/x9')!.checks).toEqual([]);
    expect(snap.topology.sites.map((s) => s.id)).toEqual(['site:other', 'site:s']);
    expect(snap.figures.get('site:s')!.power_w).toBe(5320);
  });

  it('builds a node frame: children, capacity, heat map, and alerts counted up the tree', () => {
    const snap = snapshot(readings);
    const alert = { node: 'pdu:s/p1', site: 's' } as AlertRecord;
    const counts = alertCounts(snap, [alert, { node: 'gone:x', site: 's' } as AlertRecord]);
    expect([...counts]).toEqual([['pdu:s/p1', 1], ['rack:s/r01', 1], ['site:s', 2], ['facility', 2]]);
    const rack = nodeFrame(snap, counts, 'rack:s/r01')!;
    expect(rack.children.map((c) => [c.id, c.detail, c.online, c.figures.alerts])).toEqual([['pdu:s/p1', '30 A · 240 V · 1-phase', true, 1]]);
    expect(rack.capacity.map((c) => c.label)).toEqual(['p1 · PDU total']);
    expect(rack.heat.map((h) => [h.id, h.level, h.alerts])).toEqual([['rack:s/r01', 'ok', 1], ['rack:s/r02', 'ok', 0]]);
    const pdu = nodeFrame(snap, counts, 'pdu:s/p1')!;
    expect(pdu.children.map((c) => [c.name, c.detail, c.online])).toEqual([['outlet 1', 'rig-1', true], ['outlet 2', 'rig-2', false]]);
    const out = nodeFrame(snap, counts, 'outlet:s/p1/1')!;
    expect(out.outlet).toMatchObject({ rig: 'rig-1', current_a: 12.5, current_source: 'computed', online: true });
    expect(nodeFrame(snap, counts, 'pdu:s/nope')).toBeNull();
  });
});

describe('node history', () => {
  it('keeps a bounded window per node, with gaps where a node had no figure', () => {
    const h = new NodeHistory(3);
    h.record(1, [['a', 10], ['b', 1]]);
    h.record(2, [['a', 20]]);
    h.record(3, [['a', 30], ['b', 3]]);
    h.record(4, [['a', 40], ['b', 4]]);
    expect(h.points('a')).toEqual([{ ts: 2, power_w: 20 }, { ts: 3, power_w: 30 }, { ts: 4, power_w: 40 }]);
    expect(h.points('b')).toEqual([{ ts: 3, power_w: 3 }, { ts: 4, power_w: 4 }]);
    h.retain((id) => id === 'a');
    expect(h.points('b')).toEqual([]);
  });
});
