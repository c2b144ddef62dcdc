import { describe, expect, it } from 'vitest';
import { loadAsicSpecs } from '../../simulators/src/models.js';
import type { DeviceStatus, MeterReading, OutletReading } from '../../server/src/domain/reading.js';
import { NameplateTable } from '../../server/src/energy/nameplate.js';
import { FleetRegistry } from '../../server/src/fleet/registry.js';
import { fleetSchema } from '../../server/src/fleet/schema.js';
import type { RigLatest } from '../../server/src/live/events.js';
import { detect, imbalancePct } from '../../server/src/operations/detectors.js';
import type { Signal } from '../../server/src/operations/engine.js';
import { DEFAULT_RULES } from '../../server/src/operations/rules.js';
import { buildSnapshot } from '../../server/src/operations/snapshot.js';
import { OpsTelemetry } from '../../server/src/operations/telemetry.js';
import { Topology } from '../../server/src/operations/topology.js';

const T = Date.UTC(2026, 0, 1, 12);
const STALE = 30_000;
const nameplates = new NameplateTable(loadAsicSpecs());

const fleet = new FleetRegistry(
  fleetSchema.parse({
    version: 1,
    sites: [{
      id: 's', capacity_kw: 20, meters: [{ id: 'main' }],
      racks: [{ id: 'r01', pdus: [{
        id: 'p1', rating_a: 30, voltage_v: 208, phases: 3,
        breakers: [{ id: 'bank-1', rating_a: 20, outlets: [1, 2], phase: 'L1-L2' }, { id: 'bank-2', rating_a: 20, outlets: [3], phase: 'L2-L3' }],
        outlets: [{ outlet: 1, rig: 'rig-1', model: 'Antminer S19 Pro' }, { outlet: 2, rig: 'rig-2', model: 'Antminer S19 Pro' }, { outlet: 3 }],
      }] }],
    }],
  }),
);

interface Setup {
  outlets?: OutletReading[];
  meters?: MeterReading[];
  statuses?: DeviceStatus[];
  rigs?: RigLatest[];
  now?: number;
  startedAt?: number;
}

const outlet = (n: number, power_w: number, extra: Partial<OutletReading> = {}): OutletReading => ({ kind: 'outlet', site: 's', pdu: 'p1', outlet: n, ts: T, power_w, voltage_v: 208, ...extra });
const rig = (id: string, extra: Partial<RigLatest> = {}): RigLatest => ({ rig: id, pdu: 'p1', outlet: 1, power_w: 3250, hashrate_ths: 110, j_per_th: 29.55, model: 'Antminer S19 Pro', temp_c: null, online: true, last_ts: T, ...extra });

function signals(s: Setup): Signal[] {
  const telemetry = new OpsTelemetry(() => 'UTC', () => T);
  telemetry.observe([...(s.outlets ?? []), ...(s.meters ?? [])]);
  for (const st of s.statuses ?? []) telemetry.observeStatus(st);
  const now = s.now ?? T;
  const snap = buildSnapshot({
    topology: new Topology(fleet, telemetry),
    telemetry,
    rigs: () => s.rigs ?? [rig('rig-1'), rig('rig-2', { outlet: 2 })],
    nameplate: (m) => (m === null ? null : nameplates.lookup(m)),
    staleMs: STALE,
    startedAt: s.startedAt ?? now,
    now,
  });
  return detect(snap, DEFAULT_RULES);
}

const of = (all: Signal[], rule: Signal['rule']) => all.filter((x) => x.rule === rule).map((x) => ({ key: x.key, raise: x.raise, clear: x.clear, message: x.message }));
const healthy = [outlet(1, 3250), outlet(2, 3250), outlet(3, 0)];

describe('PDU offline', () => {
  it('follows the last will', () => {
    const all = signals({ outlets: healthy, statuses: [{ kind: 'status', site: 's', pdu: 'p1', online: false }] });
    expect(of(all, 'pdu_offline')).toEqual([{ key: 'pdu_offline:s/p1', raise: true, clear: false, message: 'PDU announced offline (last will)' }]);
    // While its PDU is offline a rig's own alerts say nothing new: no rig signals at all.
    expect(of(all, 'rig_offline')).toEqual([]);
  });

  it('counts a PDU silent for longer than STALE_AFTER_MS as offline', () => {
    expect(of(signals({ outlets: healthy, now: T + 45_000 }), 'pdu_offline')).toEqual([{ key: 'pdu_offline:s/p1', raise: true, clear: false, message: 'PDU no reading for 45 s' }]);
    expect(of(signals({ outlets: healthy, now: T + 29_000 }), 'pdu_offline')[0]).toMatchObject({ raise: false, clear: true });
  });

  it('waits a staleness window after start before calling a never-heard PDU offline', () => {
    expect(of(signals({ startedAt: T - 10_000 }), 'pdu_offline')).toEqual([]);
    expect(of(signals({ startedAt: T - 31_000 }), 'pdu_offline')).toEqual([{ key: 'pdu_offline:s/p1', raise: true, clear: false, message: 'PDU no reading since the server started' }]);
  });
});

describe('rigs', () => {
  it('raises rig offline for a rig that is not hashing while its PDU is online', () => {
    const all = signals({ outlets: healthy, rigs: [rig('rig-1'), rig('rig-2', { outlet: 2, online: false, hashrate_ths: null, j_per_th: null })] });
    expect(of(all, 'rig_offline')).toEqual([
      { key: 'rig_offline:s/rig-1', raise: false, clear: true, message: 'online' },
      { key: 'rig_offline:s/rig-2', raise: true, clear: false, message: 'rig not hashing (no fresh hashrate and under 50 W)' },
    ]);
  });

  it('measures efficiency drift against the nameplate J/TH (S19 Pro: 3250 W / 110 TH/s = 29.55 J/TH)', () => {
    // 34 J/TH is (34 − 29.545) / 29.545 = +15.08 %: over the 15 % raise threshold. 33 J/TH (+11.7 %) is in the band.
    const all = signals({ outlets: healthy, rigs: [rig('rig-1', { j_per_th: 34 }), rig('rig-2', { outlet: 2, j_per_th: 33 })] });
    const drift = all.filter((x) => x.rule === 'efficiency_drift');
    expect(drift.map((x) => [x.key, x.raise, x.clear])).toEqual([['efficiency_drift:s/rig-1', true, false], ['efficiency_drift:s/rig-2', false, false]]);
    expect(drift[0]!.message).toBe('34.0 J/TH is +15.1 % from the Antminer S19 Pro nameplate 29.5 J/TH');
    expect(drift[0]!.threshold).toBeCloseTo((3250 / 110) * 1.15, 9);
  });
});

describe('voltage, imbalance, site capacity and the meter', () => {
  it('raises outside ±5 % of nominal and clears inside ±4 %', () => {
    const v = (volts: number) => of(signals({ outlets: [outlet(1, 3000, { voltage_v: volts }), outlet(2, 3000)] }), 'voltage')[0];
    expect(v(196)).toEqual({ key: 'voltage:s/p1', raise: true, clear: false, message: 'outlet 1 at 196.0 V, −5.8 % from the nominal 208.0 V (limit ±5 %)' });
    expect(v(199)).toMatchObject({ raise: false, clear: false }); // −4.3 %: the band
    expect(v(200)).toMatchObject({ raise: false, clear: true }); // −3.8 %
  });

  it('measures imbalance as the largest deviation from the mean line current, only when loaded', () => {
    expect(imbalancePct([16, 16, 0])).toBeCloseTo(100, 9); // mean 10.667, line C 10.667 below it
    expect(imbalancePct([10, 10, 10])).toBe(0);
    // One bank on L1-L2 at 16 A (2 × 8 A): lines 16 / 16 / 0 A, L1 at 67 % of its 24 A limit: loaded, raised.
    const loaded = of(signals({ outlets: [outlet(1, 8 * 208, { current_a: 8 }), outlet(2, 8 * 208, { current_a: 8 })] }), 'phase_imbalance')[0];
    expect(loaded).toEqual({ key: 'phase_imbalance:s/p1', raise: true, clear: false, message: 'line currents 16.0 / 16.0 / 0.0 A: 100 % imbalance (limit 20 %)' });
    // The same shape at 2 A is 8 % of the limit: not loaded enough to matter.
    const light = of(signals({ outlets: [outlet(1, 208, { current_a: 1 }), outlet(2, 208, { current_a: 1 })] }), 'phase_imbalance')[0];
    expect(light).toMatchObject({ raise: false, clear: true });
  });

  it('compares the facility meter (else the IT load) with capacity_kw', () => {
    const meter = (power_w: number): MeterReading => ({ kind: 'meter', site: 's', meter: 'main', ts: T, power_w });
    expect(of(signals({ outlets: healthy, meters: [meter(21_000)] }), 'site_capacity')).toEqual([
      { key: 'site_capacity:s', raise: true, clear: false, message: 'site (facility meter) at 21.0 kW = 105 % of capacity_kw 20.0 kW' },
    ]);
    expect(of(signals({ outlets: healthy }), 'site_capacity')[0]).toMatchObject({ raise: false, clear: true, message: 'site (IT load) at 6.5 kW = 33 % of capacity_kw 20.0 kW' });
  });

  it('flags a meter that reads below the IT load behind it, or far above it', () => {
    const meter = (power_w: number): MeterReading => ({ kind: 'meter', site: 's', meter: 'main', ts: T, power_w });
    const at = (w: number) => of(signals({ outlets: healthy, meters: [meter(w)] }), 'meter_mismatch')[0];
    expect(at(6000)).toEqual({ key: 'meter_mismatch:s', raise: true, clear: false, message: 'facility meter 6.0 kW vs Σ PDUs 6.5 kW: ratio 0.92 (expected 0.97–1.6)' });
    expect(at(7150)).toMatchObject({ raise: false, clear: true }); // 1.10
    expect(at(10_000)).toMatchObject({ raise: false, clear: false }); // 1.54: the band
    expect(at(10_725)).toMatchObject({ raise: true, clear: false }); // 1.65
    expect(of(signals({ outlets: [outlet(1, 500)], meters: [meter(900)] }), 'meter_mismatch')).toEqual([]); // under 1 kW of IT load
  });
});
