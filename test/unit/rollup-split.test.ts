import { describe, expect, it } from 'vitest';
import { HALF_MW_MS_PER_MWH, addUnits, registerShare, roundExact, trapezoidShare, type Exact } from '../../server/src/rollup/split.js';

/** Splitting counted energy over buckets: the parts of any cut add up to the whole, exactly. */

/** Cut points between a and b, deterministic (a small LCG), plus the ends. */
function cuts(a: number, b: number, n: number, seed: number): number[] {
  let x = seed;
  const points = new Set([a, b]);
  for (let i = 0; i < n; i++) {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    points.add(a + (x % (b - a)));
  }
  return [...points].sort((p, q) => p - q);
}

describe('registerShare', () => {
  it('splits a delta in proportion to time, rounding so that the parts add up', () => {
    // 10 Wh over 30 s cut at 10 s and 20 s: thirds of 10 000 mWh.
    expect([registerShare(10_000, 0, 30_000, 0, 10_000), registerShare(10_000, 0, 30_000, 10_000, 20_000), registerShare(10_000, 0, 30_000, 20_000, 30_000)]).toEqual([3333, 3334, 3333]);
    // A 1 h gap bridged by a register delta of 3600 Wh: 60 Wh in every minute of it.
    for (let m = 0; m < 60; m++) expect(registerShare(3_600_000, 0, 3_600_000, m * 60_000, (m + 1) * 60_000)).toBe(60_000);
    expect(registerShare(7, 100, 200, 0, 100)).toBe(0);
    expect(registerShare(7, 100, 200, 200, 300)).toBe(0);
    expect(registerShare(7, 100, 200, 50, 250)).toBe(7);
  });

  it('gives any cut of any delta parts that add up to the delta, and a coarser cut the sums of the finer', () => {
    for (const [mwh, a, b] of [[1, 0, 60_001], [999_999, 123, 86_400_123], [4_294_967_296_000, 0, 30 * 86_400_000], [17, 5, 7]] as const) {
      const points = cuts(a, b, 50, mwh % 1000);
      const parts = points.slice(1).map((p, i) => registerShare(mwh, a, b, points[i]!, p));
      expect(parts.reduce((s, p) => s + p, 0)).toBe(mwh);
      // Joining neighbours gives exactly the share of the joined span.
      for (let i = 1; i < parts.length; i++) expect(parts[i - 1]! + parts[i]!).toBe(registerShare(mwh, a, b, points[i - 1]!, points[i + 1]!));
    }
  });
});

describe('trapezoidShare', () => {
  it('keeps the whole trapezoid exact and splits it along its line', () => {
    // 1000 W → 3000 W over 30 min = 1000 Wh = 1 000 000 mWh; the first half of the time holds 1000 → 2000 W: 375 Wh.
    const whole = trapezoidShare(1_000_000, 3_000_000, 0, 1_800_000, 0, 1_800_000);
    expect(whole / HALF_MW_MS_PER_MWH).toBe(1_000_000);
    expect(trapezoidShare(1_000_000, 3_000_000, 0, 1_800_000, 0, 900_000) / HALF_MW_MS_PER_MWH).toBe(375_000);
    for (const [p, q, a, b] of [[3_250_500, 3_250_600, 7, 300_007], [1, 2, 0, 3], [2_000_000_000, 0, 0, 299_999]] as const) {
      const points = cuts(a, b, 40, p % 97);
      const parts = points.slice(1).map((t, i) => trapezoidShare(p, q, a, b, points[i]!, t));
      expect(parts.reduce((s, x) => s + x, 0)).toBe((p + q) * (b - a));
    }
  });
});

describe('exact sums', () => {
  it('carries whole units and keeps the remainder below one unit', () => {
    const e: Exact = { whole: 0, frac: 0 };
    for (let i = 0; i < 10_000; i++) addUnits(e, 3_600_001, HALF_MW_MS_PER_MWH);
    expect(e.whole * HALF_MW_MS_PER_MWH + e.frac).toBe(3_600_001 * 10_000);
    expect(e.frac).toBeLessThan(HALF_MW_MS_PER_MWH);
    expect(roundExact({ whole: 5, frac: 3_599_999 }, HALF_MW_MS_PER_MWH)).toBe(5);
    expect(roundExact({ whole: 5, frac: 3_600_000 }, HALF_MW_MS_PER_MWH)).toBe(6);
  });
});
