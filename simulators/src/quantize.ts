/**
 * Reporting resolutions of payload format v1. A value is rounded to an integer count of its step and divided once,
 * so it is the float64 nearest to a short decimal: JSON.stringify prints that decimal and JSON.parse (or a float64
 * store) gives back the very same number.
 */

/** Steps per unit: power 0.1 W, voltage 0.1 V, current 1 mA, pf 0.001, hashrate 0.01 TH/s, temperature 0.1 °C. */
export const STEPS = {
  power: 10,
  voltage: 10,
  current: 1000,
  pf: 1000,
  hashrate: 100,
  temp: 10,
} as const;

export type Quantity = keyof typeof STEPS;

/** Integer count of steps (e.g. deciwatts for power). */
export function toSteps(quantity: Quantity, value: number): number {
  return Math.round(value * STEPS[quantity]);
}

/** A count of steps back as the reported number (e.g. 32504 deciwatts → 3250.4). */
export function fromSteps(quantity: Quantity, steps: number): number {
  return steps / STEPS[quantity];
}

/** Rounds a value to its reporting resolution. */
export function quantize(quantity: Quantity, value: number): number {
  return fromSteps(quantity, toSteps(quantity, value));
}

/**
 * A whole count of 10^-decimals as fixed-point text, by integer arithmetic (12345, 3 → "12.345"): for devices
 * that print a fixed number of decimals (Tasmota's `Total` kWh with 3, `Power` with WattRes 1) without a float
 * ever standing in between.
 */
export function stepsText(steps: number, decimals: number): string {
  if (!Number.isSafeInteger(steps) || steps < 0) throw new RangeError(`steps must be a whole number ≥ 0, got ${steps}`);
  if (decimals === 0) return String(steps);
  const digits = String(steps).padStart(decimals + 1, '0');
  return `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

/** Steps of 10^-from re-rounded to 10^-to (to < from), half up: pf 0.987 (987 of 0.001) → 99 of 0.01. */
export function coarser(steps: number, from: number, to: number): number {
  return Math.round(steps / 10 ** (from - to));
}
