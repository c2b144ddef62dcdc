import { describe, expect, it } from 'vitest';
import { energyOf, methodOf, seriesEnergy } from '../../server/src/energy/energy.js';
import { TrapezoidSum, toMwh } from '../../server/src/energy/exact.js';

const H = 3_600_000;

describe('seriesEnergy', () => {
  it('sums register increases, whatever the order and repeats', () => {
    const points = [
      { ts: 3000, power_w: 0, energy_wh: 1010 },
      { ts: 1000, power_w: 0, energy_wh: 1000 },
      { ts: 2000, power_w: 0, energy_wh: 1004 },
      { ts: 2000, power_w: 0, energy_wh: 1004 },
    ];
    const e = seriesEnergy(points, { options: { maxPowerW: 100_000, spikeFactor: Infinity } });
    expect(e.mwh).toBe(10_000);
    expect(e.mwh_register).toBe(10_000);
    expect(e.readings).toBe(3);
    expect(e.duplicates).toBe(1);
  });

  it('bridges a gap with the register: the device kept counting', () => {
    const e = seriesEnergy([{ ts: 0, power_w: 1000, energy_wh: 0 }, { ts: 10 * H, power_w: 1000, energy_wh: 10_000 }]);
    expect(e.mwh).toBe(10_000_000);
    expect(e.gaps).toEqual([{ start: 0, end: 10 * H, bridged_by_register: true }]);
  });

  it('counts a confirmed reset from the new value, and says so', () => {
    // Every 10 s at 3600 W: 500 → 510 (+10); 3, 8 stay down and count on: a restart; +3 since it, +5 after. 18 Wh.
    const e = seriesEnergy([
      { ts: 0, power_w: 3600, energy_wh: 500 },
      { ts: 10_000, power_w: 3600, energy_wh: 510 },
      { ts: 20_000, power_w: 3600, energy_wh: 3 },
      { ts: 30_000, power_w: 3600, energy_wh: 8 },
    ]);
    expect(e.mwh).toBe(18_000);
    expect(e.resets).toBe(1);
    expect(e.adjustments[0]).toMatchObject({ kind: 'reset', from: 10_000, to: 20_000, register_from_wh: 510, register_to_wh: 3, counted_wh: 3, counted_from: 'register' });
  });

  it('waits for the configured number of readings before believing a reset', () => {
    const points = [5000, 5010, 0, 1, 2, 5040].map((energy_wh, i) => ({ ts: i * 10_000, power_w: 3600, energy_wh }));
    // With 3 confirmations, 0, 1, 2 make a reset (+0 +1 +1); then 5040 is a restored total, integrated: 10 Wh.
    const three = seriesEnergy(points, { options: { resetConfirmations: 3 } });
    expect([three.mwh, three.resets, three.recoveries]).toEqual([10_000 + 0 + 1000 + 1000 + 10_000, 1, 1]);
    // With 4, the dip never gets confirmed: 5040 is back in line with 5010 (30 Wh in 40 s), counted across.
    const four = seriesEnergy(points, { options: { resetConfirmations: 4 } });
    expect([four.mwh, four.resets, four.glitches]).toEqual([40_000, 0, 1]);
  });

  it('counts exactly last − first for a clean register, however many readings', () => {
    // 3 kW sampled every second into a whole-Wh register: the deltas are 0, 1 or 2 Wh and sum exactly.
    let exact = 0;
    const points = [];
    for (let s = 0; s <= 3600; s++) {
      points.push({ ts: 1_700_000_000_000 + s * 1000, power_w: 3000, energy_wh: 123_456 + Math.floor(exact) });
      exact += 3000 / 3600;
    }
    const e = seriesEnergy(points);
    expect(e.mwh).toBe((points.at(-1)!.energy_wh - points[0]!.energy_wh) * 1000);
    expect(e.adjustments).toEqual([]);
    expect(e.completeness).toBe(1);
  });

  it('never integrates across a gap longer than the limit', () => {
    const e = seriesEnergy([{ ts: 0, power_w: 1200 }, { ts: 60_000, power_w: 1200 }, { ts: 60_000 + 6 * 60_000, power_w: 1200 }], { options: { maxGapMs: 5 * 60_000 } });
    expect(e.mwh).toBe(20_000);
    expect(e.gaps).toEqual([{ start: 60_000, end: 420_000, bridged_by_register: false }]);
  });

  it('integrates readings without a register before the first register reading', () => {
    // 0–10 s: no register yet, 3600 W → 10 Wh; 10–20 s: register 100 → 110.
    const e = seriesEnergy([{ ts: 0, power_w: 3600 }, { ts: 10_000, power_w: 3600, energy_wh: 100 }, { ts: 20_000, power_w: 3600, energy_wh: 110 }]);
    expect([e.mwh_integrated, e.mwh_register, e.method]).toEqual([10_000, 10_000, 'register']);
  });

  it('ignores readings outside the range and measures completeness against it', () => {
    const points = [0, 10, 20, 30].map((s) => ({ ts: s * 1000, power_w: 3600, energy_wh: 1000 + s }));
    const e = seriesEnergy(points, { range: { from: 5000, to: 25_000 } });
    expect([e.readings, e.mwh, e.covered_ms, e.span_ms, e.completeness]).toEqual([2, 10_000, 10_000, 20_000, 0.5]);
  });

  it('keeps the later of two different readings at the same time, and reports it', () => {
    const e = seriesEnergy([{ ts: 0, power_w: 3600, energy_wh: 10 }, { ts: 10_000, power_w: 3600, energy_wh: 11 }, { ts: 10_000, power_w: 3600, energy_wh: 20 }]);
    expect(e.mwh).toBe(10_000);
    expect(e.adjustments.map((a) => a.kind)).toEqual(['duplicate']);
  });
});

describe('energyOf', () => {
  it('adds series by key and reports how the figure was computed', () => {
    const readings = [
      { k: 'a', ts: 0, power_w: 0, energy_wh: 100 },
      { k: 'a', ts: 1000, power_w: 0, energy_wh: 101 },
      { k: 'b', ts: 0, power_w: 3600 },
      { k: 'b', ts: 1000, power_w: 3600 },
    ];
    const e = energyOf(readings, (r) => r.k);
    expect(e).toMatchObject({ mwh: 2000, wh: 2, wh_register: 1, wh_integrated: 1, series: 2, series_register: 1, series_integrated: 1, readings: 4, resets: 0, completeness: 1 });
    expect(e.per_series.map((s) => s.key)).toEqual(['a', 'b']);
    expect(methodOf(e)).toBe('mixed');
    expect(methodOf(energyOf([], () => ''))).toBe('none');
  });

  it('applies per-series options (an outlet rating) by key', () => {
    const readings = [0, 1, 2].map((i) => ({ k: 'a', ts: i * 1000, power_w: 0, energy_wh: [0, 1, 3][i]! }));
    // 2 Wh in 1 s with 0 W reported: a spike by the factor rule; the rating is not what rejects it here.
    expect(energyOf(readings, (r) => r.k).spikes_rejected).toBe(1);
    expect(energyOf(readings, (r) => r.k, { options: { spikeFactor: Infinity }, optionsOf: () => ({ maxPowerW: 10_000 }) }).mwh).toBe(3000);
  });
});

describe('exact arithmetic', () => {
  it('keeps 3-decimal registers exact in mWh', () => {
    expect(toMwh(1020.789) - toMwh(1000.123)).toBe(20_666);
  });

  it('sums trapezoids without drift', () => {
    // 0.1 W (100 mW at both ends) for 1 s, 36 000 times, is 1 Wh = 1000 mWh exactly.
    const sum = new TrapezoidSum(7_200_000);
    for (let i = 0; i < 36_000; i++) sum.add(200, 1000);
    expect(sum.rounded()).toBe(1000);
    expect(sum.value()).toBe(1000);
    const mw = new TrapezoidSum(7_200_000);
    mw.add(2 * 1_000_000_000, 3_600_000); // a 1 MW meter for an hour, products beyond 2^53 split in chunks
    expect(mw.rounded()).toBe(1_000_000_000);
  });
});
