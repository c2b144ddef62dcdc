/**
 * Seeded randomness. Every device gets its own stream, derived from the fleet seed and the device's id, so a
 * rig's readings do not change when the fleet around it grows (site-1's rigs are the same with --sites 1 or 5).
 */

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/** mulberry32: tiny, fast, 32-bit state; plenty for telemetry noise (not for anything security-related). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed for one named stream: FNV-1a over the label, mixed with the fleet seed (murmur3 finalizer). */
export function seedFor(seed: number, label: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) {
    h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A random stream for one device or decision, e.g. `streamFor(42, 'site-1-r01-u03')`. */
export function streamFor(seed: number, label: string): Random {
  return mulberry32(seedFor(seed, label));
}

/** Standard normal deviate (Box–Muller; the sine branch is dropped to keep one draw per call). */
export function gaussian(rand: Random): number {
  const u = 1 - rand(); // (0, 1]: log(0) would be -Infinity
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Uniform in [min, max). */
export function uniform(rand: Random, min: number, max: number): number {
  return min + (max - min) * rand();
}

/** One element of a non-empty list. */
export function pick<T>(rand: Random, items: readonly T[]): T {
  const item = items[Math.floor(rand() * items.length)];
  if (item === undefined) throw new RangeError('pick() from an empty list');
  return item;
}
