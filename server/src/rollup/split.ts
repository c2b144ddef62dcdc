/**
 * Splitting counted energy over time buckets so that buckets add up exactly, whatever the bucket size.
 * Pure integer arithmetic: no I/O, no clock.
 *
 * A piece of energy counted over [a, b] (a register delta, a trapezoid of power) is given to the buckets it
 * overlaps through its cumulative share C(t), the energy counted from a up to t, rounded to a whole unit:
 * the part in [x, y) is C(y) − C(x). Because the parts telescope, the minutes of an hour add up to exactly
 * what the hour gets, and any run of buckets to exactly the whole, with no remainder lost or counted twice.
 *
 * - register delta of M mWh: C(t) = round(M · (t − a) / (b − a)): in proportion to time, as demand does (the
 *   power between two readings is unknown, so taken as constant);
 * - trapezoid from p_a to p_b mW: C(t) = round(∫ₐᵗ p) in half-mW·ms (7.2 × 10⁶ to the mWh), exactly along the
 *   straight line, so the whole trapezoid keeps its exact value (p_a + p_b)·(b − a).
 */

export { HALF_MW_MS_PER_MWH } from '../energy/exact.js';
/** Half-(GH/s)·ms in one GH·s: hash-work trapezoids of GH/s over ms. */
export const HALF_GH_MS_PER_GHS = 2000;

// Below this, 2·n + d stays under 2^52 and a float division floors exactly.
const SAFE = 2 ** 50;

/** round(n / d) half up, for integers n and d > 0; exact for any size (BigInt when the product is large). */
function roundDiv(n: number | bigint, d: number | bigint): number {
  if (typeof n === 'number' && typeof d === 'number' && Math.abs(n) < SAFE && d < SAFE) return Math.floor((2 * n + d) / (2 * d));
  const N = BigInt(n);
  const D = BigInt(d);
  const num = 2n * N + D;
  const den = 2n * D;
  // BigInt division truncates toward zero; floor it.
  const q = num / den;
  return Number(num % den !== 0n && num < 0n ? q - 1n : q);
}

/** The part of a register delta of `mwh` counted over [a, b] that falls in [x, y). */
export function registerShare(mwh: number, a: number, b: number, x: number, y: number): number {
  if (b <= a) return a >= x && a < y ? mwh : 0;
  if (a >= x && b <= y) return mwh;
  const lo = Math.max(a, x);
  const hi = Math.min(b, y);
  if (hi <= lo) return 0;
  return cumRegister(mwh, a, b, hi) - cumRegister(mwh, a, b, lo);
}

function cumRegister(mwh: number, a: number, b: number, t: number): number {
  if (t <= a) return 0;
  if (t >= b) return mwh;
  const u = t - a;
  const d = b - a;
  return Math.abs(mwh * u) < SAFE ? roundDiv(mwh * u, d) : roundDiv(BigInt(mwh) * BigInt(u), d);
}

/** The part of the trapezoid from `aMw` at a to `bMw` at b that falls in [x, y), in half-mW·ms (or half-GH·ms). */
export function trapezoidShare(aMw: number, bMw: number, a: number, b: number, x: number, y: number): number {
  if (b <= a) return 0;
  if (a >= x && b <= y) return (aMw + bMw) * (b - a);
  const lo = Math.max(a, x);
  const hi = Math.min(b, y);
  if (hi <= lo) return 0;
  return cumTrapezoid(aMw, bMw, a, b, hi) - cumTrapezoid(aMw, bMw, a, b, lo);
}

/** round(2 · ∫ₐᵗ p) with p linear from aMw to bMw: (2·p_a·u·D + (p_b − p_a)·u²) / D, u = t − a, D = b − a. */
function cumTrapezoid(aMw: number, bMw: number, a: number, b: number, t: number): number {
  if (t <= a) return 0;
  const d = b - a;
  if (t >= b) return (aMw + bMw) * d;
  const u = BigInt(t - a);
  const D = BigInt(d);
  const n = 2n * BigInt(aMw) * u * D + BigInt(bMw - aMw) * u * u;
  return roundDiv(n, D);
}

/** An exact quantity as whole units plus a remainder 0 ≤ frac < per (e.g. mWh and half-mW·ms). */
export interface Exact {
  whole: number;
  frac: number;
}

/** Adds `units` (an integer count of 1/per) to `acc`, keeping 0 ≤ frac < per. */
export function addUnits(acc: Exact, units: number, per: number): void {
  const rest = units % per;
  const total = acc.frac + rest;
  const carry = Math.floor(total / per);
  acc.whole += (units - rest) / per + carry;
  acc.frac = total - carry * per;
}

/** Adds another exact quantity of the same unit. */
export function addExact(acc: Exact, add: Exact, per: number): void {
  acc.whole += add.whole;
  addUnits(acc, add.frac, per);
}

/** Rounded half up to a whole unit, as energy/exact.ts TrapezoidSum.rounded() does. */
export function roundExact(e: Exact, per: number): number {
  return e.whole + (e.frac * 2 >= per ? 1 : 0);
}
