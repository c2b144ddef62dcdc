/**
 * Exact energy arithmetic. Energy is kept in integer milliwatt-hours (mWh), never in accumulated float kWh.
 *
 * - Registers arrive as Wh, sometimes fractional (Shelly's aenergy.total has 3 decimals). `toMwh` rounds to the
 *   nearest mWh, which is exact for every register with at most 3 decimals and, because register deltas
 *   telescope, off by at most 1 mWh over any run of deltas for registers with more.
 * - Power arrives as W (0.1 W steps from our PDUs); it is rounded to whole mW (below every device's resolution).
 * - A trapezoid is (p₁ + p₂)/2 · Δt. With p in mW and Δt in ms, (p₁ + p₂) · Δt is an integer count of
 *   half-milliwatt-milliseconds, 7.2 × 10⁶ of them to one mWh. `TrapezoidSum` keeps whole units plus an integer
 *   remainder, so summing millions of trapezoids never drifts (the same scheme as the simulator's register).
 */

/** Half-mW·ms in one mWh: 3600 s × 1000 ms × 2. */
export const HALF_MW_MS_PER_MWH = 7_200_000;

/** Wh (possibly fractional) → integer mWh. */
export function toMwh(wh: number): number {
  return Math.round(wh * 1000);
}

/** W → integer mW. */
export function toMw(w: number): number {
  return Math.round(w * 1000);
}

/** Integer mWh → Wh, a decimal with at most 3 places (the division is correctly rounded, so it prints exactly). */
export function mwhToWh(mwh: number): number {
  return mwh / 1000;
}

/** Integer mWh → kWh, at most 6 decimal places. */
export function mwhToKwh(mwh: number): number {
  return mwh / 1_000_000;
}

/**
 * An exact sum of trapezoids `(a + b) · Δt`, counted in whole `unit`s, where one unit is `halfStepsPerUnit`
 * of the integer products. Used for energy (mW, ms → mWh) and for hash-work (GH/s, ms → GH·s).
 */
export class TrapezoidSum {
  private whole = 0;
  /** 0 ≤ remainder < halfStepsPerUnit. */
  private remainder = 0;

  constructor(private readonly halfStepsPerUnit: number) {}

  /** Adds the trapezoid with end values summing to `sum` (integer) over `dtMs` (integer ≥ 0). */
  add(sum: number, dtMs: number): void {
    if (sum === 0 || dtMs === 0) return;
    // Keep every product below 2^53 so the arithmetic stays exact (a MW meter across a long span).
    const maxChunk = Math.max(1, Math.floor(Number.MAX_SAFE_INTEGER / 2 / Math.abs(sum)));
    for (let left = dtMs; left > 0; ) {
      const chunk = Math.min(left, maxChunk);
      const total = this.remainder + sum * chunk;
      const units = Math.floor(total / this.halfStepsPerUnit);
      this.whole += units;
      this.remainder = total - units * this.halfStepsPerUnit;
      left -= chunk;
    }
  }

  /** The sum rounded half up to a whole unit. */
  rounded(): number {
    return this.whole + (this.remainder * 2 >= this.halfStepsPerUnit ? 1 : 0);
  }

  /** The exact sum as a float (whole + remainder / halfStepsPerUnit), for ratios. */
  value(): number {
    return this.whole + this.remainder / this.halfStepsPerUnit;
  }
}

/** The trapezoid between two power readings in mWh, as a float (for a segment's figure; sums use TrapezoidSum). */
export function trapezoidMwh(aMw: number, bMw: number, dtMs: number): number {
  return ((aMw + bMw) * dtMs) / HALF_MW_MS_PER_MWH;
}
