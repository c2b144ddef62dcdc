/**
 * Curtailment: the hours a site ran well below its usual load, as it does for demand response. Pure.
 *
 * - An hour is a local clock hour; its kW is its energy over its length (the billed source: the facility meter
 *   or the Σ PDU outlets), its coverage the share of it lying between readings no further apart than 5 min.
 * - The **usual load** of an hour is the median of the kW of the hours that began in the `baseline_days` × 24 h
 *   before it, counting only complete hours with coverage ≥ `min_coverage_pct` (a median, so the odd curtailed
 *   or spiking hour in the week does not move it). With fewer than `min_baseline_hours` such hours the hour is
 *   not judged.
 * - An hour is **curtailed** when its coverage is ≥ `min_coverage_pct` (a gap in the data is not curtailment)
 *   and its kW < `threshold_pct` % of the usual load. The **energy avoided** is (usual kW − kW) × its length.
 */
import type { Curtailment } from './settings.js';

export interface HourLoad {
  start: number;
  end: number;
  kw: number;
  coverage: number;
}

export interface CurtailedHour {
  start: number;
  end: number;
  local_start: string;
  kw: number;
  usual_kw: number;
  avoided_kwh: number;
}

export interface CurtailmentEvent {
  start: number;
  end: number;
  local_start: string;
  hours: number;
  avoided_kwh: number;
  /** Mean kW over the event, and the mean of its hours' usual kW. */
  kw: number;
  usual_kw: number;
}

export interface CurtailmentReport {
  threshold_pct: number;
  baseline_days: number;
  /** Hours of the period that were judged (complete, covered, with a usual load). */
  judged_hours: number;
  curtailed_hours: number;
  avoided_kwh: number;
  hours: CurtailedHour[];
  /** Consecutive curtailed hours joined. */
  events: CurtailmentEvent[];
}

const HOUR_MS = 3_600_000;

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Judges the hours lying in [from, to) against the hours before them. `hours` holds every complete local hour
 * of the baseline and the period, in time order; `label` writes an hour's local start.
 */
export function curtailment(hours: readonly HourLoad[], range: { from: number; to: number }, rule: Curtailment, label: (ts: number) => string): CurtailmentReport {
  const minCoverage = rule.min_coverage_pct / 100;
  const reach = rule.baseline_days * 24 * HOUR_MS;
  const usable = hours.filter((h) => h.coverage >= minCoverage);
  const curtailed: CurtailedHour[] = [];
  let judged = 0;
  let lo = 0;
  let hi = 0;
  for (const h of hours) {
    if (h.start < range.from || h.end > range.to) continue;
    // The usable hours that began in [h.start − reach, h.start): a sliding window over the sorted list.
    while (lo < usable.length && usable[lo]!.start < h.start - reach) lo += 1;
    while (hi < usable.length && usable[hi]!.start < h.start) hi += 1;
    if (h.coverage < minCoverage || hi - lo < rule.min_baseline_hours) continue;
    const usual = median(usable.slice(lo, hi).map((u) => u.kw));
    judged += 1;
    if (usual > 0 && h.kw < (rule.threshold_pct / 100) * usual) {
      const hoursLong = (h.end - h.start) / HOUR_MS;
      curtailed.push({ start: h.start, end: h.end, local_start: label(h.start), kw: h.kw, usual_kw: usual, avoided_kwh: (usual - h.kw) * hoursLong });
    }
  }
  return {
    threshold_pct: rule.threshold_pct,
    baseline_days: rule.baseline_days,
    judged_hours: judged,
    curtailed_hours: curtailed.length,
    avoided_kwh: curtailed.reduce((s, c) => s + c.avoided_kwh, 0),
    hours: curtailed,
    events: events(curtailed),
  };
}

function events(hours: readonly CurtailedHour[]): CurtailmentEvent[] {
  const out: CurtailmentEvent[] = [];
  let run: CurtailedHour[] = [];
  const flush = () => {
    if (run.length === 0) return;
    const first = run[0]!;
    const last = run[run.length - 1]!;
    const span = (last.end - first.start) / HOUR_MS;
    out.push({
      start: first.start,
      end: last.end,
      local_start: first.local_start,
      hours: run.length,
      avoided_kwh: run.reduce((s, h) => s + h.avoided_kwh, 0),
      kw: run.reduce((s, h) => s + h.kw * ((h.end - h.start) / HOUR_MS), 0) / span,
      usual_kw: run.reduce((s, h) => s + h.usual_kw, 0) / run.length,
    });
    run = [];
  };
  for (const h of hours) {
    if (run.length > 0 && run[run.length - 1]!.end !== h.start) flush();
    run.push(h);
  }
  flush();
  return out;
}
