/**
 * Energy from stored readings. Pure: no I/O, no clock.
 *
 * Per series (one outlet or one meter): when the device has a lifetime register (`energy_wh`), energy
 * is the sum of the register's increases between consecutive readings in the range — exact, and
 * bridging gaps because the device kept counting. Without a register, power is integrated with
 * trapezoids, never across a gap longer than `maxGapMs` (such a span counts as missing, not guessed).
 * Nothing is extrapolated beyond the first and last reading in the range.
 */

export interface EnergyPoint {
  ts: number;
  power_w: number;
  energy_wh?: number;
}

export interface EnergyBreakdown {
  wh: number;
  wh_register: number;
  wh_integrated: number;
  series: number;
  series_register: number;
  series_integrated: number;
  readings: number;
  /** Register decreases seen (device reset or replaced); the step is not counted. */
  resets: number;
}

export const DEFAULT_MAX_GAP_MS = 5 * 60_000;

export function emptyBreakdown(): EnergyBreakdown {
  return { wh: 0, wh_register: 0, wh_integrated: 0, series: 0, series_register: 0, series_integrated: 0, readings: 0, resets: 0 };
}

/** Energy of many series, each given by its key (e.g. `pdu/outlet`). */
export function energyOf<T extends EnergyPoint>(readings: Iterable<T>, keyOf: (r: T) => string, maxGapMs = DEFAULT_MAX_GAP_MS): EnergyBreakdown {
  const bySeries = new Map<string, T[]>();
  for (const r of readings) {
    const key = keyOf(r);
    const list = bySeries.get(key);
    if (list) list.push(r);
    else bySeries.set(key, [r]);
  }
  const total = emptyBreakdown();
  for (const points of bySeries.values()) {
    const s = seriesEnergy(points, maxGapMs);
    total.wh += s.wh;
    total.wh_register += s.wh_register;
    total.wh_integrated += s.wh_integrated;
    total.series_register += s.series_register;
    total.series_integrated += s.series_integrated;
    total.readings += s.readings;
    total.resets += s.resets;
    total.series += 1;
  }
  return total;
}

/** One series. Readings may come in any order and repeat; the same timestamp counts once (last wins). */
export function seriesEnergy(points: readonly EnergyPoint[], maxGapMs = DEFAULT_MAX_GAP_MS): EnergyBreakdown {
  const byTs = new Map<number, EnergyPoint>();
  for (const p of points) byTs.set(p.ts, p);
  const sorted = [...byTs.values()].sort((a, b) => a.ts - b.ts);
  const result = { ...emptyBreakdown(), series: 1, readings: sorted.length };
  const registers = sorted.filter((p) => p.energy_wh !== undefined);
  if (registers.length > 0) {
    let previous = registers[0]!.energy_wh!;
    for (const p of registers.slice(1)) {
      const delta = p.energy_wh! - previous;
      if (delta >= 0) result.wh_register += delta;
      else result.resets += 1;
      previous = p.energy_wh!;
    }
    result.series_register = 1;
  } else {
    for (let i = 1; i < sorted.length; i++) {
      const a = sorted[i - 1]!;
      const b = sorted[i]!;
      const dt = b.ts - a.ts;
      if (dt <= maxGapMs) result.wh_integrated += ((a.power_w + b.power_w) / 2) * (dt / 3_600_000);
    }
    result.series_integrated = 1;
  }
  result.wh = result.wh_register + result.wh_integrated;
  return result;
}

/** How a figure was computed, in one word, for API answers. */
export function methodOf(b: EnergyBreakdown): 'register' | 'integrated' | 'mixed' | 'none' {
  if (b.series === 0) return 'none';
  if (b.series_integrated === 0) return 'register';
  if (b.series_register === 0) return 'integrated';
  return 'mixed';
}
