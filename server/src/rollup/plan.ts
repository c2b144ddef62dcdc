/**
 * Which parts of a range come from 1-hour buckets, 1-minute buckets and raw readings. Pure: no I/O, no clock.
 *
 * Whole UTC hours inside the range whose bucket is up to date (neither the hour nor any of its minutes is
 * marked) come from 1-hour buckets; other whole minutes inside the range from 1-minute buckets unless marked;
 * marked minutes and the partial minutes at the range's ends from raw readings. Buckets are UTC minutes and
 * hours, which suits every zone whose offset is whole hours; a local day in a +05:45 zone starts at :15 past a
 * UTC hour, so its first 45 and last 15 minutes come from minute buckets (offsets in use today are all
 * whole quarters of an hour, hence whole minutes).
 */
import { HOUR_MS, MINUTE_MS } from './accounting.js';

export interface Run {
  from: number;
  to: number;
}

export interface Plan {
  hours: Run[];
  minutes: Run[];
  raw: Run[];
}

export interface Marks {
  minutes: ReadonlySet<number>;
  hours: ReadonlySet<number>;
}

export function planRange(from: number, to: number, marks: Marks): Plan {
  const plan: Plan = { hours: [], minutes: [], raw: [] };
  const mFrom = ceil(from, MINUTE_MS);
  const mTo = Math.floor(to / MINUTE_MS) * MINUTE_MS;
  if (mFrom >= mTo) {
    push(plan.raw, from, to);
    return plan;
  }
  push(plan.raw, from, mFrom);
  const hFrom = ceil(mFrom, HOUR_MS);
  const hTo = Math.floor(mTo / HOUR_MS) * HOUR_MS;
  if (hFrom < hTo) {
    const touched = new Set(marks.hours);
    for (const m of marks.minutes) touched.add(Math.floor(m / HOUR_MS) * HOUR_MS);
    minutes(plan, mFrom, hFrom, marks);
    for (let h = hFrom; h < hTo; h += HOUR_MS) {
      if (!touched.has(h)) push(plan.hours, h, h + HOUR_MS);
      else minutes(plan, h, h + HOUR_MS, marks);
    }
    minutes(plan, hTo, mTo, marks);
  } else {
    minutes(plan, mFrom, mTo, marks);
  }
  push(plan.raw, mTo, to);
  return plan;
}

function minutes(plan: Plan, from: number, to: number, marks: Marks): void {
  for (let m = from; m < to; m += MINUTE_MS) push(marks.minutes.has(m) ? plan.raw : plan.minutes, m, m + MINUTE_MS);
}

/** Appends [from, to) to the runs, joining it to the last run when they touch. */
function push(runs: Run[], from: number, to: number): void {
  if (to <= from) return;
  const last = runs.at(-1);
  if (last && last.to === from) last.to = to;
  else runs.push({ from, to });
}

function ceil(t: number, step: number): number {
  return Math.ceil(t / step) * step;
}
