import { DecodeError } from './errors.js';

/**
 * Field checks shared by every dialect. Each throws a DecodeError whose reason is a counter, so a
 * payload that fails says exactly why, and the caller decides whether it sinks the whole message or
 * only one part of it.
 */

/** Earliest plausible reading time: anything before 2000-01-01 is a device clock that was never set. */
export const MIN_TS = Date.UTC(2000, 0, 1);

/** The largest time a JavaScript Date holds (±100,000,000 days around 1970). */
const MAX_DATE_MS = 8.64e15;

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** A reading time: integer ms epoch or an RFC 3339 string with a zone. Returns ms epoch. */
export function readTimestamp(value: unknown, now: number, maxFutureSkewMs: number): number {
  if (value === undefined || value === null) throw new DecodeError('missing_ts', 'ts is required');
  let ts: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new DecodeError('not_finite', 'ts is not a finite number');
    if (!Number.isInteger(value)) throw new DecodeError('bad_ts', `ts ${value} is not a whole number of ms`);
    ts = value;
  } else if (typeof value === 'string') {
    if (!RFC3339.test(value)) throw new DecodeError('bad_ts', `ts "${clip(value)}" is not RFC 3339 with a zone`);
    ts = Date.parse(value);
    if (Number.isNaN(ts)) throw new DecodeError('bad_ts', `ts "${clip(value)}" is not a valid date`);
  } else {
    throw new DecodeError('wrong_type', `ts must be a number (ms epoch) or an RFC 3339 string`);
  }
  if (ts < MIN_TS) {
    const hint = ts > 9e8 && ts < 4e9 ? ' (looks like seconds; ts is milliseconds)' : '';
    throw new DecodeError('bad_ts', `ts ${ts} is before 2000-01-01${hint}`);
  }
  if (ts > now + maxFutureSkewMs) {
    // Past year 275760 a Date cannot even be formatted: say the number instead.
    const when = ts <= MAX_DATE_MS ? new Date(ts).toISOString() : String(ts);
    throw new DecodeError('future_ts', `ts ${when} is ${Math.round((ts - now) / 1000)} s ahead of the server clock`);
  }
  return ts;
}

export interface Bounds {
  min: number;
  max: number;
}

/** A required measurement: a finite JSON number within physical bounds. */
export function readNumber(obj: Record<string, unknown>, key: string, bounds: Bounds, missing: 'missing_power' | 'missing_hashrate' | 'wrong_type' = 'wrong_type'): number {
  const value = obj[key];
  if (value === undefined || value === null) throw new DecodeError(missing, `${key} is required`);
  return checkNumber(key, value, bounds);
}

/** An optional measurement: absent or null gives undefined; anything else must be valid. */
export function readOptionalNumber(obj: Record<string, unknown>, key: string, bounds: Bounds): number | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  return checkNumber(key, value, bounds);
}

function checkNumber(key: string, value: unknown, { min, max }: Bounds): number {
  if (typeof value === 'string' && /^[+-]?(nan|inf(inity)?)$/i.test(value.trim())) {
    throw new DecodeError('not_finite', `${key} is ${value}`);
  }
  if (typeof value !== 'number') throw new DecodeError('wrong_type', `${key} must be a number, got ${typeof value}`);
  // JSON.parse turns 1e400 into Infinity: the device sent a number no meter can produce.
  if (!Number.isFinite(value)) throw new DecodeError('not_finite', `${key} is not finite`);
  if (value < 0 && min >= 0) throw new DecodeError('negative', `${key} ${value} is negative`);
  if (value < min || value > max) throw new DecodeError('out_of_range', `${key} ${value} is outside ${min}..${max}`);
  return value;
}

export function clip(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
