import { describe, expect, it } from 'vitest';
import { energyOf, type EnergyPoint } from '../../server/src/energy/energy.js';
import type { MeterPayloadV1, PduPayloadV1 } from '../../simulators/src/encoders/native.js';
import { FAULT_KINDS } from '../../simulators/src/faults/types.js';
import { createFleet, type SimMessage } from '../../simulators/src/fleet.js';
import { loadAsicSpecs } from '../../simulators/src/models.js';

/**
 * The contract between the simulator's truth and the server's energy accounting (docs/energy.md), checked with
 * the server's own code: whatever faults are injected, the sum of accepted register deltas over every published
 * reading equals the truth — per outlet, per site and for the facility meters.
 */
const MODELS = loadAsicSpecs();
const T0 = Date.UTC(2026, 0, 1);
const WRAP = 2 ** 32;

interface Point extends EnergyPoint {
  key: string;
}

function simulate(seed: number, intervalMs: number, ticks: number, rigs: number, ratePerHour?: number) {
  const fleet = createFleet(
    { sites: 2, rigsPerSite: rigs, seed, miners: false, faults: { kinds: FAULT_KINDS, intervalMs, from: T0, to: T0 + ticks * intervalMs, ratePerHour } },
    MODELS,
  );
  const outlets: Point[] = [];
  const meters: Point[] = [];
  const take = (messages: readonly SimMessage[]): void => {
    for (const m of messages) {
      const [, site, kind, device] = m.topic.split('/');
      if (kind === 'pdu') {
        const p = JSON.parse(m.payload) as PduPayloadV1;
        for (const o of p.outlets) outlets.push({ key: `${site}/${device}/${o.outlet}`, ts: p.ts, power_w: o.power_w, energy_wh: o.energy_wh });
      } else if (kind === 'meter') {
        const p = JSON.parse(m.payload) as MeterPayloadV1;
        meters.push({ key: `${site}`, ts: p.ts, power_w: p.power_w, energy_wh: p.energy_wh });
      }
    }
  };
  for (let i = 0; i < ticks; i++) take(fleet.tick(T0 + i * intervalMs));
  take(fleet.flush());
  return { fleet, outlets, meters };
}

describe('the server counts exactly the truth, every fault injected', () => {
  it.each([
    // seed, interval, ticks, rigs per site, faults per hour of each kind
    [1, 1000, 120, 24, undefined],
    [2, 60_000, 360, 24, undefined],
    [3, 60_000, 1440, 50, 1],
    [4, 10_000, 360, 5, undefined],
    [5, 300_000, 288, 24, undefined],
  ] as const)('seed %i, every %i ms, %i ticks, %i rigs per site, rate %s', (seed, intervalMs, ticks, rigs, rate) => {
    const { fleet, outlets, meters } = simulate(seed, intervalMs, ticks, rigs, rate);
    const truth = fleet.truth();
    const wraps = new Set(truth.outlets.filter((o) => o.register_wrap_wh !== undefined).map((o) => `${o.site}/${o.pdu}/${o.outlet}`));
    const counted = energyOf(outlets, (p) => p.key, { optionsOf: (key) => (wraps.has(key) ? { registerWrapWh: WRAP } : undefined) });
    const perOutlet = new Map(counted.per_series.map((s) => [s.key, s.mwh]));
    expect(truth.outlets.filter((o) => perOutlet.get(`${o.site}/${o.pdu}/${o.outlet}`) !== o.wh * 1000)).toEqual([]);
    expect(counted.mwh).toBe(truth.wh * 1000);
    for (const site of truth.sites) {
      expect(counted.per_series.filter((s) => s.key.startsWith(`${site.site}/`)).reduce((n, s) => n + s.mwh, 0)).toBe(site.wh * 1000);
    }
    expect(energyOf(meters, (p) => p.key).mwh).toBe(truth.meter_wh * 1000);

    const events = fleet.faultEvents();
    // Each branch was taken as many times as the log says its fault played out.
    const played = (kind: string) => events.filter((e) => e.fault === kind && e.complete).length;
    expect(counted.resets).toBe(played('reset'));
    expect(counted.rollovers).toBe(played('rollover'));
    expect(counted.glitches).toBe(played('glitch') + played('spike'));
    expect(counted.spikes_rejected + counted.recoveries).toBe(0);
    // Without the register width, a server takes each wrap for a reset: short by exactly what the log says.
    const short = events.filter((e) => e.fault === 'rollover' && e.complete).reduce((n, e) => n + (e.counted_wh as number) - (e.counted_without_wrap_wh as number), 0);
    expect(energyOf(outlets, (p) => p.key).mwh).toBe((truth.wh - short) * 1000);
  });

  it('counts across each fault what its log line says (counted_wh)', () => {
    const { fleet, outlets } = simulate(2, 60_000, 360, 24);
    const segments: Array<{ key: string; start: number; end: number; mwh: number }> = [];
    for (const e of fleet.faultEvents().filter((x) => x.outlet !== undefined && x.complete)) {
      const key = `${e.site}/${e.pdu}/${e.outlet}`;
      const mine = outlets.filter((p) => p.key === key);
      const options = e.fault === 'rollover' ? { registerWrapWh: WRAP } : {};
      energyOf(mine, (p) => p.key, { options, sink: { segment: (s) => segments.push({ key, ...s }), covered: () => undefined } });
      const across = segments.filter((s) => s.key === key && s.start === e.from_ts && s.end === e.to_ts);
      expect(across.map((s) => s.mwh), `${e.fault} on ${key}`).toEqual([(e.counted_wh as number) * 1000]);
    }
  });
});
