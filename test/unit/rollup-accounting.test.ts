import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OutletReading } from '../../server/src/domain/reading.js';
import type { EnergyPoint, SeriesOptions } from '../../server/src/energy/types.js';
import { MinuteAccounting, minutePieces, type Piece } from '../../server/src/rollup/accounting.js';
import { combine, emptyFigures, energyMwh, integratedMwh, type Figures } from '../../server/src/rollup/figures.js';

/**
 * The per-minute accounting that rollups and raw answers share. Every energy fixture, shifted so that minute
 * edges fall anywhere among its readings, must give the fixture's hand-computed Wh when its minutes are summed;
 * and any range must equal the sum of any cut of it into pieces.
 */
const ROOT = join(import.meta.dirname, '../fixtures/energy');

interface Fixture {
  name: string;
  options?: Partial<SeriesOptions>;
  range?: { from: number; to: number };
  points: EnergyPoint[];
  expected: { wh: number; wh_register?: number; wh_integrated?: number; resets?: number; rollovers?: number; spikes_rejected?: number; glitches?: number; recoveries?: number };
}

const BASE = Date.UTC(2026, 0, 1);

function outlets(points: readonly EnergyPoint[], shift: number): OutletReading[] {
  return points.map((p) => ({ kind: 'outlet', site: 's', pdu: 'p1', outlet: 1, rig: 'r1', ts: BASE + shift + p.ts, power_w: p.power_w, ...(p.energy_wh !== undefined && { energy_wh: p.energy_wh }) }));
}

function total(acc: MinuteAccounting, pieces: readonly Piece[], group = 'site/'): Figures {
  const sum = emptyFigures();
  for (const piece of pieces) {
    const f = acc.piece(piece).get(group);
    if (f) combine(sum, f, 'time');
  }
  return sum;
}

describe('minute accounting: every energy fixture, cut at minutes anywhere among its readings', () => {
  for (const file of readdirSync(ROOT).filter((f) => f.endsWith('.json')).sort()) {
    const f = JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as Fixture;
    if (f.range) continue; // range fixtures test the old edge rule; edges are split now
    for (const shift of [0, 4_999, 25_000, 55_001]) {
      it(`${f.name} shifted ${shift} ms: ${f.expected.wh} Wh`, () => {
        const readings = outlets(f.points, shift);
        const acc = new MinuteAccounting({ outlets: readings, ...(f.options && { options: f.options }) });
        const first = Math.min(...readings.map((r) => r.ts));
        const last = Math.max(...readings.map((r) => r.ts));
        const s = total(acc, minutePieces(first - 120_000, last + 120_000));
        expect(energyMwh(s) / 1000).toBe(f.expected.wh);
        if (f.expected.wh_register !== undefined) expect(s.register_mwh / 1000).toBe(f.expected.wh_register);
        if (f.expected.wh_integrated !== undefined) expect(integratedMwh(s) / 1000).toBe(f.expected.wh_integrated);
        expect(s.resets).toBe(f.expected.resets ?? 0);
        expect(s.rollovers).toBe(f.expected.rollovers ?? 0);
        expect(s.spikes).toBe(f.expected.spikes_rejected ?? 0);
      });
    }
  }
});

describe('minute accounting: splitting, groups and reach', () => {
  const T = Date.parse('2026-03-01T10:00:00Z');
  const o = (ts: number, power_w: number, energy_wh?: number, extra: Partial<OutletReading> = {}): OutletReading => ({ kind: 'outlet', site: 's', pdu: 'p1', outlet: 1, rig: 'r1', ts, power_w, ...(energy_wh !== undefined && { energy_wh }), ...extra });

  it('spreads a register delta across a gap evenly over its minutes: 3600 Wh over an hour is 60 Wh a minute', () => {
    const acc = new MinuteAccounting({ outlets: [o(T - 10_000, 3600, 1000), o(T, 3600, 1010), o(T + 3_600_000, 3600, 4610), o(T + 3_610_000, 3600, 4620)] });
    for (let m = 0; m < 60; m++) {
      const f = acc.piece({ from: T + m * 60_000, to: T + (m + 1) * 60_000 }).get('site/')!;
      expect(f.register_mwh).toBe(60_000);
      expect(f.covered_ms).toBe(0); // a gap: the energy is exact, its timing a guess
    }
    const gaps = total(acc, minutePieces(T - 60_000, T + 3_660_000));
    expect(energyMwh(gaps)).toBe(3_620_000);
    expect(gaps.gaps).toBe(1);
  });

  it('adds up to the same total however the range is cut', () => {
    const readings = Array.from({ length: 200 }, (_, i) => o(T + i * 7_333, 3000 + (i % 13) * 17.3, i % 50 === 49 ? undefined : 500 + i * 6.1));
    const acc = new MinuteAccounting({ outlets: readings });
    const exact = (f: Figures) => [f.register_mwh, f.integrated.whole * 7_200_000 + f.integrated.frac, f.covered_ms, f.samples];
    const whole = exact(total(acc, minutePieces(T - 60_000, T + 1_500_000)));
    for (const step of [1, 999, 45_000, 61_001]) {
      const pieces = [];
      for (let t = T - 60_000; t < T + 1_500_000; t += step * 100) pieces.push(...minutePieces(t, Math.min(T + 1_500_000, t + step * 100)));
      expect(exact(total(acc, pieces))).toEqual(whole);
    }
  });

  it('gives outlets to their rig, PDU and site, and hash-work to the rig and its PDU', () => {
    const acc = new MinuteAccounting({
      outlets: [o(T, 1000, 0), o(T + 60_000, 1000, 16.667), o(T, 500, undefined, { pdu: 'p2', outlet: 4, rig: undefined }), o(T + 60_000, 500, undefined, { pdu: 'p2', outlet: 4, rig: undefined })],
      miners: [{ kind: 'miner', site: 's', rig: 'r1', ts: T, hashrate_ths: 100 }, { kind: 'miner', site: 's', rig: 'r1', ts: T + 60_000, hashrate_ths: 110 }],
    });
    const groups = acc.piece({ from: T, to: T + 60_000 });
    expect([...groups.keys()].sort()).toEqual(['pdu/p1', 'pdu/p2', 'rig/r1', 'site/']);
    expect(groups.get('rig/r1')!.register_mwh).toBe(16_667);
    expect(integratedMwh(groups.get('pdu/p2')!)).toBe(8333); // 500 W for a minute: 8.333 Wh
    expect(energyMwh(groups.get('site/')!)).toBe(16_667 + 8333);
    // 100 → 110 TH/s over 60 s: 6300 TH = 6 300 000 GH·s.
    expect(groups.get('rig/r1')!.hash).toEqual({ whole: 6_300_000, frac: 0 });
    expect(groups.get('pdu/p1')!.hash).toEqual({ whole: 6_300_000, frac: 0 });
    expect(groups.get('pdu/p2')!.hash).toEqual({ whole: 0, frac: 0 });
  });

  it('counts nothing across a silence longer than the context reach (7 days)', () => {
    const week = 7 * 86_400_000;
    const acc = new MinuteAccounting({ outlets: [o(T, 100, 10), o(T + week + 120_000, 100, 20_000)] });
    expect(total(acc, minutePieces(T, T + week + 180_000)).register_mwh).toBe(0);
  });
});
