/**
 * Local calendar boundaries in an IANA time zone, DST included, with nothing but `Intl.DateTimeFormat`.
 * Pure: every function takes the instant it works on; none reads the clock.
 *
 * "Wall time" below is a local date and time written as if it were UTC (ms since 1970-01-01T00:00 local), which
 * makes local arithmetic plain integer arithmetic; `offsetMs` converts between it and real instants.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
export const QUARTER_MS = 15 * MINUTE;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** True for an IANA zone name this runtime knows (e.g. `Asia/Kathmandu`, `UTC`). */
export function isTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** The local wall time of an instant, ms (see the module comment). */
export function wallMs(ts: number, tz: string): number {
  return ts + offsetMs(ts, tz);
}

/** The zone's offset from UTC at an instant, ms (+05:45 → 20 700 000). Historic offsets include seconds. */
export function offsetMs(ts: number, tz: string): number {
  const fields: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(ts)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const wallSeconds = Date.UTC(fields.year!, fields.month! - 1, fields.day!, fields.hour!, fields.minute!, fields.second!);
  return wallSeconds - Math.floor(ts / 1000) * 1000;
}

/**
 * The first instant whose local wall time is at or after `wall`. That is the one instant showing `wall` on
 * most days; the earlier of two when clocks went back over it; and, when clocks jumped forward over it
 * (a zone whose DST starts at midnight), the instant of the jump.
 */
export function instantOfWall(wall: number, tz: string): number {
  // Offsets a day either side: no zone changes its offset twice within two days.
  const before = wall - offsetMs(wall - DAY, tz);
  const after = wall - offsetMs(wall + DAY, tz);
  const candidates = [before, after].filter((t) => wallMs(t, tz) === wall);
  if (candidates.length > 0) return Math.min(...candidates);
  // Skipped: the answer is the jump, between the two guesses. Find it to the ms.
  let lo = Math.min(before, after);
  let hi = Math.max(before, after);
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (wallMs(mid, tz) >= wall) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function wallDate(ts: number, tz: string): { year: number; month: number; day: number } {
  const d = new Date(wallMs(ts, tz));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth(), day: d.getUTCDate() };
}

/** Start of the local day holding `ts` (23, 24 or 25 hours long). */
export function localDayStart(ts: number, tz: string): number {
  const { year, month, day } = wallDate(ts, tz);
  return instantOfWall(Date.UTC(year, month, day), tz);
}

/** Start of the local day after the one holding `ts`: [localDayStart, nextLocalDayStart) is "today". */
export function nextLocalDayStart(ts: number, tz: string): number {
  const { year, month, day } = wallDate(ts, tz);
  return instantOfWall(Date.UTC(year, month, day + 1), tz);
}

/** Start of the local month holding `ts`. */
export function localMonthStart(ts: number, tz: string): number {
  const { year, month } = wallDate(ts, tz);
  return instantOfWall(Date.UTC(year, month, 1), tz);
}

/** Start of the local month after the one holding `ts`. */
export function nextLocalMonthStart(ts: number, tz: string): number {
  const { year, month } = wallDate(ts, tz);
  return instantOfWall(Date.UTC(year, month + 1, 1), tz);
}

/**
 * Start of the local clock quarter (:00, :15, :30, :45) holding `ts`. Every offset in use today is a whole
 * number of quarters (+05:45 Kathmandu, +08:45 Eucla, −09:30 Marquesas), so these are also UTC quarters; the
 * wall-time arithmetic keeps it right for any offset (Monrovia's −00:44:30 until 1972).
 */
export function localQuarterStart(ts: number, tz: string): number {
  const wall = wallMs(ts, tz);
  return ts - (wall - Math.floor(wall / QUARTER_MS) * QUARTER_MS);
}

/**
 * The local clock quarters overlapping [from, to). Each is 15 minutes, except where an offset change that is
 * not a whole number of quarters falls inside one (never in today's zones): that one is cut short.
 */
export function localQuarters(from: number, to: number, tz: string): Array<{ start: number; end: number }> {
  const quarters: Array<{ start: number; end: number }> = [];
  for (let start = localQuarterStart(from, tz); start < to; ) {
    let end = localQuarterStart(start + QUARTER_MS, tz);
    if (end <= start) end = start + QUARTER_MS;
    quarters.push({ start, end });
    start = end;
  }
  return quarters;
}

/** ISO 8601 local time with its offset, e.g. `2024-11-03T01:15:00-05:00`. */
export function formatLocal(ts: number, tz: string): string {
  const offset = offsetMs(ts, tz);
  const wall = new Date(ts + offset).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset) / 1000;
  const hh = String(Math.floor(abs / 3600)).padStart(2, '0');
  const mm = String(Math.floor((abs % 3600) / 60)).padStart(2, '0');
  const ss = abs % 60;
  return `${wall}${sign}${hh}:${mm}${ss === 0 ? '' : `:${String(ss).padStart(2, '0')}`}`;
}
