/**
 * The month's peak 15-minute load and its highest hashrate, from per-minute figures. Pure: no I/O, no clock.
 *
 * Peak load is what a utility's demand register shows: the energy counted in each local clock quarter
 * (energy/time.ts `localQuarters`) over its length, the highest of them (the earliest of equals) — the same
 * definition as GET /api/demand, built here from the minutes of the rollups so a month is cheap. Minutes are
 * UTC minutes, and every zone in use today has quarters made of whole minutes.
 */
import { MINUTE_MS } from '../rollup/accounting.js';
import { combine, emptyFigures, energyMwh, hashGhs, type Figures } from '../rollup/figures.js';
import { formatLocal, localQuarters } from '../energy/time.js';

export interface PeakQuarter {
  start: number;
  end: number;
  local_start: string;
  kwh: number;
  kw: number;
  /** Covered time / time the series were present in the quarter. */
  coverage: number;
}

/** Σ of several series' minute figures, minute by minute (e.g. a site's facility meters). */
export function sumMinutes(series: Iterable<ReadonlyMap<number, Figures>>): Map<number, Figures> {
  const out = new Map<number, Figures>();
  for (const byMinute of series) {
    for (const [minute, f] of byMinute) {
      const into = out.get(minute);
      if (into) combine(into, f, 'series');
      else out.set(minute, { ...f, integrated: { ...f.integrated }, hash: { ...f.hash } });
    }
  }
  return out;
}

/** The local quarter of [from, to) with the highest average kW; null when nothing was counted. */
export function peakQuarter(minutes: ReadonlyMap<number, Figures>, from: number, to: number, tz: string): PeakQuarter | null {
  const sorted = [...minutes.keys()].sort((a, b) => a - b);
  let i = 0;
  let peak: PeakQuarter | null = null;
  for (const q of localQuarters(from, to, tz)) {
    while (i < sorted.length && sorted[i]! < q.start) i++;
    const f = emptyFigures();
    let any = false;
    for (; i < sorted.length && sorted[i]! < q.end; i++) {
      combine(f, minutes.get(sorted[i]!)!, 'time');
      any = true;
    }
    if (!any) continue;
    const mwh = energyMwh(f);
    const ms = q.end - q.start;
    // mWh · 3600 / (ms · 1000) = kW: one division of two exact integers, as /api/demand does.
    const kw = (mwh * 3600) / (ms * 1000);
    if (mwh > 0 && (peak === null || kw > peak.kw)) {
      peak = { start: q.start, end: q.end, local_start: formatLocal(q.start, tz), kwh: mwh / 1e6, kw, coverage: f.series_ms > 0 ? f.covered_ms / f.series_ms : 0 };
    }
  }
  return peak;
}

export interface HashratePeak {
  /** The highest 1-minute mean hashrate, TH/s (hash-work in the minute / 60 s). */
  ths: number;
  at: number;
}

/** The minute with the most hash-work (the earliest of equals); null without miner readings. */
export function maxHashrate(minutes: ReadonlyMap<number, Figures>): HashratePeak | null {
  let best: HashratePeak | null = null;
  for (const minute of [...minutes.keys()].sort((a, b) => a - b)) {
    // GH·s over the minute's ms is TH/s (GH·s / s / 1000).
    const ths = hashGhs(minutes.get(minute)!) / MINUTE_MS;
    if (ths > 0 && (best === null || ths > best.ths)) best = { ths, at: minute };
  }
  return best;
}
