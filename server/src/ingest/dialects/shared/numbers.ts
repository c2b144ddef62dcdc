import { DecodeError } from '../../../domain/errors.js';

/**
 * value × 10^pow10, computed on the decimal text instead of in floating point, so a device's 1.234 kWh
 * is exactly 1234 Wh (1.234 * 1000 is 1233.9999999999998). `String(x)` of a JSON-parsed number is the
 * shortest decimal that round-trips, i.e. the digits the device sent (for ≤ 15 significant digits), and
 * `Number("1.234e3")` is correctly rounded: the result is the double nearest to the exact decimal.
 */
export function scaleDecimal(value: number | string, pow10: number): number {
  if (pow10 === 0) return Number(value);
  const text = typeof value === 'number' ? String(value) : value;
  const match = /^([^eE]*)(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match) return Number.NaN;
  const exponent = Number(match[2] ?? 0) + pow10;
  return Number(`${match[1]}e${exponent}`);
}

/**
 * The decimal a float32 stood for: Sparkplug Float metrics decode widened (12.3 → 12.300000190734863).
 * The shortest decimal that rounds to the same float32 is what the device meant; 9 significant digits
 * always identify a float32 (IEEE 754), so the loop ends.
 */
export function float32ToDecimal(value: number): number {
  if (!Number.isFinite(value)) return value;
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}

/** A 64-bit integer as a number, refused beyond ±2^53 where a number would silently round. */
export function exactInteger(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new DecodeError('unsafe_integer', `${what} ${value} is beyond 2^53 and cannot be kept exact`);
  }
  return Number(value);
}
