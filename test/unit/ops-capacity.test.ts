import { describe, expect, it } from 'vitest';
import { level, lineCurrents, outletCurrent, parsePhase, pduChecks, siteCheck, worst, type OutletElectrical, type PduSpec } from '../../server/src/operations/capacity.js';

/** An Antminer S19 at nameplate on 208 V: 3250 W / 208 V = 15.625 A exactly (pdu-facts.md §2). */
const S19_W = 3250;
const S19_A = 15.625;
const out = (outlet: number, power_w: number, extra: Partial<OutletElectrical> = {}): OutletElectrical => ({ outlet, power_w, voltage_v: null, current_a: null, pf: null, ...extra });
const byId = (checks: ReturnType<typeof pduChecks>) => Object.fromEntries(checks.map((c) => [c.id.split('#')[1], c]));

describe('phases', () => {
  it('reads line pairs and single lines in the usual spellings', () => {
    expect(parsePhase('L1-L2')).toEqual({ kind: 'pair', from: 0, to: 1 });
    expect(parsePhase('L3-L1')).toEqual({ kind: 'pair', from: 2, to: 0 });
    expect(parsePhase('b-c')).toEqual({ kind: 'pair', from: 1, to: 2 });
    expect(parsePhase('L2')).toEqual({ kind: 'line', line: 1 });
    expect(parsePhase('L1L3')).toEqual({ kind: 'pair', from: 0, to: 2 });
    expect([parsePhase('L1-L1'), parsePhase('L4'), parsePhase('phase 1'), parsePhase(undefined)]).toEqual([null, null, null, null]);
  });

  it('sums line-to-line loads as phasors: the 2/2/1 split of S19s on 208 V (pdu-facts.md §2)', () => {
    // I_AB = I_BC = 2 × 15.625 = 31.25 A, I_CA = 15.625 A. Line A = |I_AB − I_CA| = √(31.25² + 15.625² + 31.25·15.625)
    // (the two are 120° apart) = √1708.984375; line B = |I_BC − I_AB| = 31.25·√3; line C = √1708.984375 too.
    const [a, b, c] = lineCurrents([
      { phase: { kind: 'pair', from: 0, to: 1 }, amps: 2 * S19_A },
      { phase: { kind: 'pair', from: 1, to: 2 }, amps: 2 * S19_A },
      { phase: { kind: 'pair', from: 2, to: 0 }, amps: S19_A },
    ]);
    expect(a).toBeCloseTo(Math.sqrt(1708.984375), 9); // 41.34 A
    expect(b).toBeCloseTo(31.25 * Math.sqrt(3), 9); // 54.13 A
    expect(c).toBeCloseTo(Math.sqrt(1708.984375), 9);
  });

  it('gives the facts sheet figures for one load, one pair each, and line-to-neutral loads', () => {
    const one = lineCurrents([{ phase: { kind: 'pair', from: 0, to: 1 }, amps: S19_A }]);
    expect(one.map((x) => Number(x.toFixed(9)))).toEqual([15.625, 15.625, 0]);
    const balanced = lineCurrents([0, 1, 2].map((i) => ({ phase: { kind: 'pair' as const, from: i, to: (i + 1) % 3 }, amps: S19_A })));
    for (const x of balanced) expect(x).toBeCloseTo(S19_A * Math.sqrt(3), 9); // 27.06 A
    // Line-to-neutral loads add on their own line only.
    const wye = lineCurrents([{ phase: { kind: 'line', line: 1 }, amps: 10 }, { phase: { kind: 'line', line: 1 }, amps: 6 }]);
    expect(wye.map((x) => Number(x.toFixed(9)))).toEqual([0, 16, 0]);
  });
});

describe('outlet current', () => {
  it('uses current_a where reported, else power / (voltage × pf) with the nominal voltage when none is reported', () => {
    expect(outletCurrent(out(1, S19_W, { current_a: 15.9 }), 208)).toEqual({ amps: 15.9, source: 'measured' });
    expect(outletCurrent(out(1, S19_W), 208)).toEqual({ amps: 15.625, source: 'computed' });
    expect(outletCurrent(out(1, 2300, { voltage_v: 230 }), 208)).toEqual({ amps: 10, source: 'computed' });
    expect(outletCurrent(out(1, 1800, { voltage_v: 240, pf: 0.75 }), 208)).toEqual({ amps: 10, source: 'computed' });
  });
});

describe('PDU checks', () => {
  // 208 V 3-phase 60 A with three 40 A banks, one per phase pair; 5 S19s split 2/2/1.
  const pdu: PduSpec = {
    rating_a: 60,
    voltage_v: 208,
    phases: 3,
    breakers: [
      { id: 'bank-1', rating_a: 40, outlets: [1, 2], phase: 'L1-L2' },
      { id: 'bank-2', rating_a: 40, outlets: [3, 4], phase: 'L2-L3' },
      { id: 'bank-3', rating_a: 40, outlets: [5, 6], phase: 'L3-L1' },
    ],
  };
  const five = [1, 2, 3, 4, 5].map((n) => out(n, S19_W));

  it('checks every bank, every line and the total against 80 % of its rating', () => {
    const c = byId(pduChecks('pdu:s/p1', pdu, five, 80));
    // Banks: 31.25 A of 32 A (80 % of 40 A) = 97.66 %; bank-3 15.625 / 32 = 48.83 %.
    expect(c['bank/bank-1']).toMatchObject({ kind: 'bank', label: 'bank-1 (L1-L2)', unit: 'A', load: 31.25, rating: 40, limit: 32, utilisation: 31.25 / 32, level: 'warn', source: 'computed' });
    expect(c['bank/bank-3']).toMatchObject({ load: 15.625, utilisation: 15.625 / 32, level: 'ok' });
    // Lines against 48 A (80 % of 60 A): L2 carries 54.13 A — over, although the total is under its kVA limit.
    expect(c['line/L2']!.load).toBeCloseTo(31.25 * Math.sqrt(3), 9);
    expect(c['line/L2']!.utilisation).toBeCloseTo((31.25 * Math.sqrt(3)) / 48, 9); // 1.1276
    expect(c['line/L2']!.level).toBe('over');
    expect(c['line/L1']!.utilisation).toBeCloseTo(Math.sqrt(1708.984375) / 48, 9); // 0.8612
    expect(c['line/L1']!.level).toBe('warn');
    // Total: 5 × 3250 VA = 16.25 kVA of √3 × 208 V × 60 A = 21.616 kVA, 80 % = 17.293 kVA: 93.97 %.
    const kva = (Math.sqrt(3) * 208 * 60) / 1000;
    expect(c.total).toMatchObject({ kind: 'pdu', unit: 'kVA', rating: kva, limit: kva * 0.8, level: 'warn' });
    expect(c.total!.load).toBeCloseTo(16.25, 9);
    expect(c.total!.utilisation).toBeCloseTo(16.25 / (kva * 0.8), 9);
    expect(worst(Object.values(c))).toEqual({ utilisation: c['line/L2']!.utilisation, level: 'over' });
  });

  it('follows the site continuous_load_pct and says where the currents came from', () => {
    const measured = [out(1, S19_W, { current_a: 16 }), out(2, S19_W)];
    const c = byId(pduChecks('pdu:s/p1', pdu, measured, 100));
    expect(c['bank/bank-1']).toMatchObject({ load: 31.625, limit: 40, source: 'mixed' });
    expect(c['bank/bank-2']).toMatchObject({ load: null, utilisation: null, level: 'unknown', source: 'none' });
  });

  it('takes outlets outside every phased bank as balanced over the three pairs', () => {
    const unbanked: PduSpec = { ...pdu, breakers: [] };
    const c = byId(pduChecks('pdu:s/p2', unbanked, [1, 2, 3].map((n) => out(n, S19_W)), 80));
    for (const line of ['L1', 'L2', 'L3']) expect(c[`line/${line}`]!.load).toBeCloseTo(S19_A * Math.sqrt(3), 9);
  });

  it('uses V/√3 for a line-to-neutral bank on a 400 V 3-phase PDU', () => {
    const wye: PduSpec = { rating_a: 32, voltage_v: 400, phases: 3, breakers: [{ id: 'b1', rating_a: 16, outlets: [1], phase: 'L1' }] };
    const c = byId(pduChecks('pdu:s/p3', wye, [out(1, 2300)], 80));
    expect(c['bank/b1']!.load).toBeCloseTo(2300 / (400 / Math.sqrt(3)), 9); // 9.959 A
    expect(c['line/L1']!.load).toBeCloseTo(2300 / (400 / Math.sqrt(3)), 9);
    expect(c['line/L2']!.load).toBe(0);
  });

  it('checks a single-phase PDU on its current', () => {
    const single: PduSpec = { rating_a: 30, voltage_v: 240, phases: 1, breakers: [] };
    // 2 × 2250 W at 240 V, pf 0.75: 2 × 12.5 A = 25 A of 24 A (80 % of 30 A).
    const c = pduChecks('pdu:s/p4', single, [out(1, 2250, { pf: 0.75 }), out(2, 2250, { pf: 0.75 })], 80);
    expect(c).toEqual([{ id: 'pdu:s/p4#total', kind: 'pdu', label: 'PDU total', unit: 'A', load: 25, rating: 30, limit: 24, utilisation: 25 / 24, level: 'over', source: 'computed' }]);
  });
});

describe('levels and the site', () => {
  it('is ok below 80 % of the continuous limit, warn up to it, over above it', () => {
    expect([level(0.79), level(0.8), level(1), level(1.0001), level(null)]).toEqual(['ok', 'warn', 'warn', 'over', 'unknown']);
  });

  it('compares the site load with capacity_kw', () => {
    expect(siteCheck('site:s', 2_100_000, 2500)).toMatchObject({ load: 2100, limit: 2500, utilisation: 0.84, level: 'warn', unit: 'kW' });
  });
});
