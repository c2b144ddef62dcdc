import { DecodeError } from '../../../domain/errors.js';
import { clip, readTimestamp } from '../../../domain/values.js';
import { isTimeZone, offsetMs } from '../../../energy/time.js';

/**
 * A device's wall-clock time without a zone ("2018-02-15T17:37:10", Tasmota's `Time`) read in a zone:
 * minutes east of UTC (fixed), or an IANA name ("America/Chicago"), which follows daylight saving the way
 * the device's own clock does (Tasmota `Timezone 99` with TimeDST/TimeSTD). Pure: no clock is read.
 */
export type UtcOffset = number | string;

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/;
// Tasmota with SetOption52 1 appends the zone itself: then the text is absolute and wins over any setting.
const WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export function localTimeToUtc(text: string, offset: UtcOffset): number {
  if (WITH_ZONE.test(text)) {
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) throw new DecodeError('bad_ts', `Time "${clip(text, 40)}" is not a valid date`);
    return ms;
  }
  const m = LOCAL.exec(text);
  if (!m) throw new DecodeError('bad_ts', `Time "${clip(text, 40)}" is not YYYY-MM-DDThh:mm:ss`);
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s, Number((m[7] ?? '').padEnd(3, '0')));
  const back = new Date(wall);
  // Date.UTC rolls 2019-02-30 over to March: a date that does not exist is a broken clock, not a time.
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw new DecodeError('bad_ts', `Time "${clip(text, 40)}" is not a valid date`);
  }
  if (typeof offset === 'number') return wall - offset * 60_000;
  return zonedWallToUtc(offset, wall);
}

const DAY_MS = 86_400_000;

/**
 * The instant whose wall clock in `zone` reads `wall`. Around a DST change a wall time can occur twice
 * (autumn) or never (spring); like Temporal's "compatible" disambiguation, the earlier of two is taken,
 * and a skipped time is read with the offset from before the change. Assumes one change within ±1 day.
 */
function zonedWallToUtc(zone: string, wall: number): number {
  const before = offsetMs(wall - DAY_MS, zone);
  const after = offsetMs(wall + DAY_MS, zone);
  const fits = [wall - before, wall - after].filter((utc) => utc + offsetMs(utc, zone) === wall);
  return fits.length > 0 ? Math.min(...fits) : wall - before;
}

/** Throws (at start-up, from config) when an offset is neither a sane number of minutes nor a known zone. */
export function checkUtcOffset(offset: UtcOffset, what: string): void {
  if (typeof offset === 'number') {
    if (!Number.isInteger(offset) || Math.abs(offset) > 14 * 60) throw new RangeError(`${what}: UTC offset must be whole minutes within ±14 h`);
    return;
  }
  if (!isTimeZone(offset)) throw new RangeError(`${what}: unknown time zone ${offset}`);
}

/** The latest instant a JS Date can hold (ECMA-262: ±8.64e15 ms, year 275760). */
const MAX_DATE_MS = 8.64e15;

/**
 * readTimestamp (domain/values.ts) for a device time already in ms. Beyond what a Date can hold it is a
 * bad_ts here: readTimestamp formats a future time with toISOString(), which throws a RangeError there.
 */
export function deviceTimestamp(ms: number, ctx: { now: number; maxFutureSkewMs: number }): number {
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_DATE_MS) throw new DecodeError('bad_ts', `time ${ms} ms is outside the range of a date`);
  return readTimestamp(ms, ctx.now, ctx.maxFutureSkewMs);
}
