import { describe, expect, it } from 'vitest';
import { PUE_BAND } from '../../simulators/src/devices/meter.js';
import type { MeterPayloadV1, PduPayloadV1 } from '../../simulators/src/encoders/native.js';
import { DW_MS_PER_WH, EnergyRegister } from '../../simulators/src/energy.js';
import { createFleet } from '../../simulators/src/fleet.js';
import { loadAsicSpecs } from '../../simulators/src/models.js';

const MODELS = loadAsicSpecs();
const T0 = 1_767_225_600_000;

describe('EnergyRegister', () => {
  it('counts whole Wh of exactly integrated power', () => {
    const r = new EnergyRegister(100);
    r.add(36_000, 1000); // 3600.0 W for 1 s = 1 Wh
    expect(r.totalWh).toBe(101);
    r.add(1, DW_MS_PER_WH - 1); // one dW·ms short of a Wh
    expect(r.totalWh).toBe(101);
    r.add(1, 1);
    expect(r.totalWh).toBe(102);
    r.add(0, 10_000);
    r.add(50_000, 0);
    expect(r.totalWh).toBe(102);
  });

  it('stays exact for a MW-scale meter after a long gap', () => {
    const r = new EnergyRegister(0);
    r.add(5_000_000_000, 10_000_000); // 500 MW for 10 000 s = 1 388 888.8… kWh
    expect(r.totalWh).toBe(1_388_888_888);
  });

  it('refuses what it cannot count exactly', () => {
    expect(() => new EnergyRegister(1.5)).toThrow('initial energy must be a whole number of Wh ≥ 0, got 1.5');
    expect(() => new EnergyRegister(0).add(10.5, 1000)).toThrow('energy step needs whole dW and ms ≥ 0, got 10.5 dW for 1000 ms');
    expect(() => new EnergyRegister(0).add(10, -1)).toThrow('energy step needs whole dW and ms ≥ 0, got 10 dW for -1 ms');
  });
});

/** Tick times over `hours`, `everyMs` apart with a deterministic ±30 % jitter, so irregular gaps are covered. */
function jitteredTimes(hours: number, everyMs: number): number[] {
  const times = [T0];
  for (let i = 1; times.at(-1)! < T0 + hours * 3_600_000; i++) {
    times.push(times.at(-1)! + everyMs + Math.round(everyMs * 0.3 * Math.sin(i * 1.7)));
  }
  return times;
}

interface Series {
  first: number;
  last: number;
  /** Σ reported power × interval since the first reading, in dW·ms: exact integers. */
  integralDwMs: number;
  decreased: boolean;
  fractional: boolean;
  sawZero: boolean;
  sawPower: boolean;
}

function track(series: Map<string, Series>, key: string, powerW: number, energyWh: number, dtMs: number | undefined): void {
  const s = series.get(key);
  const powerDw = Math.round(powerW * 10);
  if (s === undefined) {
    series.set(key, { first: energyWh, last: energyWh, integralDwMs: 0, decreased: false, fractional: !Number.isInteger(energyWh), sawZero: powerDw === 0, sawPower: powerDw > 0 });
    return;
  }
  // The power reported at a tick is what was drawn over the interval that ends at that tick.
  s.integralDwMs += powerDw * (dtMs ?? 0);
  s.decreased ||= energyWh < s.last;
  s.fractional ||= !Number.isInteger(energyWh);
  s.sawZero ||= powerDw === 0;
  s.sawPower ||= powerDw > 0;
  s.last = energyWh;
}

describe('energy registers over a long run', () => {
  const fleet = createFleet({ sites: 2, rigsPerSite: 48, seed: 2024 }, MODELS);
  const outlets = new Map<string, Series>();
  const meters = new Map<string, Series>();
  const factors: number[] = [];
  let previous: number | undefined;
  for (const ts of jitteredTimes(12, 10_000)) {
    const dt = previous === undefined ? undefined : ts - previous;
    previous = ts;
    const itW = new Map<string, number>();
    for (const m of fleet.tick(ts)) {
      const [, site = '', kind] = m.topic.split('/');
      if (kind === 'pdu') {
        for (const o of (JSON.parse(m.payload) as PduPayloadV1).outlets) {
          track(outlets, `${m.topic}#${o.outlet}`, o.power_w, o.energy_wh, dt);
          itW.set(site, (itW.get(site) ?? 0) + o.power_w);
        }
      } else if (kind === 'meter') {
        const p = JSON.parse(m.payload) as MeterPayloadV1;
        track(meters, m.topic, p.power_w, p.energy_wh, dt);
        factors.push(p.power_w / (itW.get(site) ?? Number.NaN));
      }
    }
  }

  it('are integer Wh and never go down', () => {
    const all = [...outlets.values(), ...meters.values()];
    expect(all).toHaveLength(2 * 48 + 2);
    expect(all.filter((s) => s.decreased || s.fractional)).toEqual([]);
  });

  it('grow by exactly floor(∫ reported power dt) — within 1 Wh of the integral, per outlet and per meter', () => {
    for (const [key, s] of [...outlets, ...meters]) {
      const exactWh = s.integralDwMs / DW_MS_PER_WH;
      expect(Number.isSafeInteger(s.integralDwMs), key).toBe(true);
      expect(s.last - s.first, key).toBe(Math.floor(exactWh));
      expect(Math.abs(s.last - s.first - exactWh), key).toBeLessThan(1);
    }
  });

  it('covered rigs switching off and on during the run', () => {
    expect([...outlets.values()].some((s) => s.sawZero && s.sawPower)).toBe(true);
  });

  it('keeps facility / IT power within the PUE band at every tick', () => {
    expect(factors.length).toBeGreaterThan(2 * 4000);
    expect(factors.filter((f) => !(f >= PUE_BAND.min && f <= PUE_BAND.max))).toEqual([]);
  });
});

describe('the overhead factor', () => {
  it('differs between sites and seeds, drifts, and stays within 1.03..1.4 for a week', () => {
    const perSite = new Map<string, number[]>();
    for (const seed of [1, 2, 3, 4, 5]) {
      const fleet = createFleet({ sites: 2, rigsPerSite: 4, seed }, MODELS);
      for (let ts = T0; ts <= T0 + 7 * 86_400_000; ts += 300_000) {
        const messages = fleet.tick(ts);
        for (const site of ['site-1', 'site-2']) {
          const mine = messages.filter((m) => m.topic.startsWith(`kilowatch/${site}/`));
          const it = mine
            .filter((m) => m.topic.includes('/pdu/'))
            .flatMap((m) => (JSON.parse(m.payload) as PduPayloadV1).outlets)
            .reduce((w, o) => w + o.power_w, 0);
          const meter = JSON.parse(mine.at(-1)?.payload ?? '') as MeterPayloadV1;
          if (it === 0) continue; // every rig of a tiny site off: no ratio to take
          const key = `${seed}/${site}`;
          perSite.set(key, [...(perSite.get(key) ?? []), meter.power_w / it]);
        }
      }
    }
    const all = [...perSite.values()].flat();
    expect(all.filter((f) => !(f >= 1.03 && f <= 1.4))).toEqual([]);
    const means = [...perSite.values()].map((f) => f.reduce((a, b) => a + b, 0) / f.length);
    // Seeds 1–5 put the sites' mean factors between about 1.07 and 1.30.
    expect(Math.max(...means) - Math.min(...means)).toBeGreaterThan(0.15);
    for (const f of perSite.values()) expect(Math.max(...f) - Math.min(...f)).toBeGreaterThan(0.01);
  });
});
