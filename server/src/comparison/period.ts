/**
 * The comparison's periods, each in a site's own time zone: "today" in Texas and "today" in Kathmandu are
 * different instants. Pure: `now` is given.
 */
import { instantOfWall, localDayStart, localMonthStart, wallMs } from '../energy/time.js';

export const PERIODS = ['today', 'yesterday', 'this-week', 'last-week', 'this-month', 'last-month', 'custom'] as const;
export type PeriodName = (typeof PERIODS)[number];

/** Custom periods are whole local days, at most this many. */
export const MAX_CUSTOM_DAYS = 62;

export interface PeriodRequest {
  period: PeriodName;
  /** custom only: local dates YYYY-MM-DD, both days included. */
  from?: string;
  to?: string;
}

export interface SiteRange {
  /** The period's start, ms epoch. */
  from: number;
  /** Where its figures end: the period's end, or now while it is running. */
  to: number;
  /** The period's end as the calendar has it (after `to` while the period runs). */
  periodEnd: number;
}

const DAY_MS = 86_400_000;

/** The local calendar fields of an instant. `weekday` 0 = Monday (ISO). */
export function localFields(ts: number, tz: string): { year: number; month: number; day: number; weekday: number; hour: number } {
  const d = new Date(wallMs(ts, tz));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), weekday: (d.getUTCDay() + 6) % 7, hour: d.getUTCHours() };
}

/** Start of the local day `days` after the one holding `ts` (negative: before). */
function dayStartShifted(ts: number, tz: string, days: number): number {
  const f = localFields(ts, tz);
  return instantOfWall(Date.UTC(f.year, f.month - 1, f.day + days), tz);
}

function monthStartShifted(ts: number, tz: string, months: number): number {
  const f = localFields(ts, tz);
  return instantOfWall(Date.UTC(f.year, f.month - 1 + months, 1), tz);
}

/** Start of the local ISO week (Monday 00:00) holding `ts`. */
export function localWeekStart(ts: number, tz: string): number {
  return dayStartShifted(ts, tz, -localFields(ts, tz).weekday);
}

/** The instant local midnight starts `date` (YYYY-MM-DD) in the zone. */
export function localDateStart(date: string, tz: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return instantOfWall(Date.UTC(y, m - 1, d), tz);
}

/** Whole days from `a` to `b` (YYYY-MM-DD), plus one: both included. */
export function daysIncluded(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS) + 1;
}

export class PeriodError extends Error {
  override name = 'PeriodError';
}

/** The period in one site's zone, its figures cut at `now`. Throws PeriodError for a period that has not begun. */
export function resolvePeriod(req: PeriodRequest, tz: string, now: number): SiteRange {
  const [from, end] = bounds(req, tz, now);
  if (from >= now) throw new PeriodError(`the period starts at ${new Date(from).toISOString()}, after now: nothing to compare yet`);
  return { from, to: Math.min(end, now), periodEnd: end };
}

function bounds(req: PeriodRequest, tz: string, now: number): [number, number] {
  const today = localDayStart(now, tz);
  switch (req.period) {
    case 'today':
      return [today, dayStartShifted(now, tz, 1)];
    case 'yesterday':
      return [dayStartShifted(now, tz, -1), today];
    case 'this-week': {
      const week = localWeekStart(now, tz);
      return [week, dayStartShifted(week, tz, 7)];
    }
    case 'last-week': {
      const week = localWeekStart(now, tz);
      return [dayStartShifted(week, tz, -7), week];
    }
    case 'this-month':
      return [localMonthStart(now, tz), monthStartShifted(now, tz, 1)];
    case 'last-month':
      return [monthStartShifted(now, tz, -1), localMonthStart(now, tz)];
    case 'custom': {
      if (!req.from || !req.to) throw new PeriodError('custom needs from and to (YYYY-MM-DD)');
      const start = localDateStart(req.from, tz);
      return [start, dayStartShifted(localDateStart(req.to, tz), tz, 1)];
    }
  }
}
