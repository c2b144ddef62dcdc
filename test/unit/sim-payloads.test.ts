import { describe, expect, it } from 'vitest';
import { createFleet } from '../../simulators/src/fleet.js';
import { PUE_BAND } from '../../simulators/src/devices/meter.js';
import type { MeterPayloadV1, MinerPayloadV1, PduPayloadV1 } from '../../simulators/src/encoders/native.js';
import { loadAsicSpecs, type AsicModel } from '../../simulators/src/models.js';

const MODELS = loadAsicSpecs();
const BY_NAME = new Map<string, AsicModel>(MODELS.map((m) => [m.model, m]));
const T0 = 1_767_225_600_000;

interface Outlet {
  site: string;
  ts: number;
  o: PduPayloadV1['outlets'][number];
}
interface Miner {
  site: string;
  rig: string;
  p: MinerPayloadV1;
}

/** Three sites of 200 rigs, 20 ticks 1 s apart and 10 more a minute apart, parsed back from JSON. */
function sample(): { outlets: Outlet[]; miners: Map<string, Miner>; meters: Array<{ site: string; p: MeterPayloadV1; itW: number }> } {
  const fleet = createFleet({ sites: 3, rigsPerSite: 200, seed: 42 }, MODELS);
  const times = [...Array.from({ length: 20 }, (_, i) => T0 + i * 1000), ...Array.from({ length: 10 }, (_, i) => T0 + 60_000 * (i + 1))];
  const outlets: Outlet[] = [];
  const miners = new Map<string, Miner>();
  const meters: Array<{ site: string; p: MeterPayloadV1; itW: number }> = [];
  for (const ts of times) {
    const itW = new Map<string, number>();
    for (const m of fleet.tick(ts)) {
      const [, site = '', kind = '', device = ''] = m.topic.split('/');
      if (kind === 'pdu') {
        const p = JSON.parse(m.payload) as PduPayloadV1;
        expect(Object.keys(p)).toEqual(['ts', 'outlets']);
        expect(p.ts).toBe(ts);
        for (const o of p.outlets) {
          outlets.push({ site, ts, o });
          itW.set(site, (itW.get(site) ?? 0) + o.power_w);
        }
      } else if (kind === 'miner') {
        const p = JSON.parse(m.payload) as MinerPayloadV1;
        expect(Object.keys(p)).toEqual(['ts', 'hashrate_ths', 'model', 'temp_c']);
        expect(p.ts).toBe(ts);
        miners.set(`${device}@${ts}`, { site, rig: device, p });
      } else {
        const p = JSON.parse(m.payload) as MeterPayloadV1;
        expect(Object.keys(p)).toEqual(['ts', 'power_w', 'energy_wh']);
        meters.push({ site, p, itW: itW.get(site) ?? 0 });
      }
    }
  }
  return { outlets, miners, meters };
}

const { outlets, miners, meters } = sample();

/** True when `value` is exactly a whole count of 1/steps, i.e. survives JSON and float64 as its short decimal. */
function onGrid(value: number, steps: number): boolean {
  return Number.isFinite(value) && Math.round(value * steps) / steps === value && JSON.parse(JSON.stringify(value)) === value;
}

describe('PDU outlet payloads', () => {
  it('keep the v1 fields, in order, at the v1 resolutions', () => {
    expect(outlets).toHaveLength(30 * 3 * 200);
    const keys = new Set(outlets.map(({ o }) => Object.keys(o).join()));
    expect([...keys]).toEqual(['outlet,rig,power_w,voltage_v,current_a,pf,energy_wh']);
    const bad = outlets.filter(
      ({ o }) =>
        !(Number.isInteger(o.outlet) && o.outlet >= 1 && o.outlet <= 12) ||
        !(onGrid(o.power_w, 10) && onGrid(o.voltage_v, 10) && onGrid(o.current_a, 1000) && onGrid(o.pf, 1000)) ||
        !(Number.isSafeInteger(o.energy_wh) && o.energy_wh >= 0),
    );
    expect(bad).toEqual([]);
  });

  it('draw near nameplate when on, and exactly nothing when off', () => {
    const problems: string[] = [];
    const powerRatios: number[] = [];
    for (const { ts, o } of outlets) {
      const miner = miners.get(`${o.rig}@${ts}`);
      const model = BY_NAME.get(miner?.p.model ?? '');
      if (miner === undefined || model === undefined) throw new Error(`no miner message for ${o.rig} at ${ts}`);
      const where = `${o.rig}@${ts}`;
      if (o.power_w === 0) {
        if (o.current_a !== 0 || o.pf !== 0 || miner.p.hashrate_ths !== 0) problems.push(`${where}: off but ${JSON.stringify(o)}`);
        continue;
      }
      powerRatios.push(o.power_w / model.powerW);
      // ±5 % unit spread plus noise.
      if (Math.abs(o.power_w / model.powerW - 1) >= 0.08) problems.push(`${where}: ${o.power_w} W for ${model.model}`);
      if (o.pf < 0.98 || o.pf > 0.999) problems.push(`${where}: pf ${o.pf}`);
      // I = P / (V × pf) from the reported values, to the mA.
      if (Math.abs(o.current_a - o.power_w / (o.voltage_v * o.pf)) > 0.0005 + 1e-9) problems.push(`${where}: ${o.current_a} A`);
    }
    expect(problems).toEqual([]);
    const mean = powerRatios.reduce((a, b) => a + b, 0) / powerRatios.length;
    expect(Math.abs(mean - 1)).toBeLessThan(0.02);
  });

  it('has an occasional rig off: a few percent, not none and not many', () => {
    const first = outlets.filter(({ ts }) => ts === T0);
    const off = first.filter(({ o }) => o.power_w === 0).length;
    expect(off).toBeGreaterThan(0);
    expect(off / first.length).toBeLessThan(0.05);
  });

  it('sees one 208 V or 230 V feed per site, within ±5 %', () => {
    for (const site of ['site-1', 'site-2', 'site-3']) {
      const volts = outlets.filter((x) => x.site === site).map(({ o }) => o.voltage_v);
      const first = volts[0] ?? 0;
      const nominal = Math.abs(first - 208) < Math.abs(first - 230) ? 208 : 230;
      expect(volts.filter((v) => Math.abs(v / nominal - 1) >= 0.05)).toEqual([]);
    }
  });
});

describe('miner payloads', () => {
  it('report a model from the spec sheet, hashrate near nameplate and J/TH near the model', () => {
    const problems: string[] = [];
    for (const { rig, p } of miners.values()) {
      const model = BY_NAME.get(p.model);
      if (model === undefined) problems.push(`${rig}: unknown model ${p.model}`);
      if (!onGrid(p.hashrate_ths, 100) || !onGrid(p.temp_c, 10)) problems.push(`${rig}: off-grid ${JSON.stringify(p)}`);
      if (p.temp_c <= 20 || p.temp_c >= 80) problems.push(`${rig}: ${p.temp_c} °C`);
      if (model && p.hashrate_ths > 0 && Math.abs(p.hashrate_ths / model.hashrateThs - 1) >= 0.2) {
        problems.push(`${rig}: ${p.hashrate_ths} TH/s for ${model.model}`);
      }
    }
    const efficiencyRatios: number[] = [];
    for (const { ts, o } of outlets) {
      const miner = miners.get(`${o.rig}@${ts}`);
      const model = BY_NAME.get(miner?.p.model ?? '');
      if (!miner || !model || o.power_w === 0) continue;
      efficiencyRatios.push(o.power_w / miner.p.hashrate_ths / model.efficiencyJth);
    }
    expect(problems).toEqual([]);
    expect(efficiencyRatios.filter((r) => Math.abs(r - 1) >= 0.15)).toEqual([]);
    const mean = efficiencyRatios.reduce((a, b) => a + b, 0) / efficiencyRatios.length;
    expect(Math.abs(mean - 1)).toBeLessThan(0.02);
  });
});

describe('facility meter payloads', () => {
  it('draw the site IT load times an overhead factor between 1.03 and 1.4', () => {
    expect(meters).toHaveLength(3 * 30);
    for (const { p, itW } of meters) {
      expect(onGrid(p.power_w, 10) && Number.isSafeInteger(p.energy_wh)).toBe(true);
      expect(itW).toBeGreaterThan(0);
      const factor = p.power_w / itW;
      expect(factor).toBeGreaterThanOrEqual(PUE_BAND.min);
      expect(factor).toBeLessThanOrEqual(PUE_BAND.max);
    }
    expect(PUE_BAND).toEqual({ min: 1.03, max: 1.4 });
  });
});
