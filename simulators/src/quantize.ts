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
