/**
 * Number formatting for the dashboard. Pure and locale-pinned (en-US) so the same reading always
 * renders the same text, which the unit and browser tests assert exactly. Units are rendered by the
 * markup next to the value, except hashrate, whose unit changes with magnitude.
 *
 * Anything unknown — null, undefined, NaN, ±Infinity — renders as an em dash: an operator must be
 * able to tell "no data" from "zero".
 */

export const UNKNOWN = '—';

const fixedFormats = new Map<number, Intl.NumberFormat>();

function fixed(digits: number): Intl.NumberFormat {
  let format = fixedFormats.get(digits);
  if (!format) {
    format = new Intl.NumberFormat('en-US', {
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
    fixedFormats.set(digits, format);
  }
  return format;
}

function isKnown(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Thousands separators and exactly `digits` decimals; never "-0.0" for a value that rounds to zero. */
export function formatNumber(value: number | null | undefined, digits: number): string {
  if (!isKnown(value)) return UNKNOWN;
  const scale = 10 ** digits;
  const rounded = Math.round(value * scale) / scale;
  // Intl keeps the sign of -0 ("-0.0"); a tiny negative reading is noise, not a negative load.
  return fixed(digits).format(rounded === 0 ? 0 : rounded);
}

/** Watts in, kilowatts out, 1 decimal: "3,512.4". */
export function formatKw(watts: number | null | undefined): string {
  return formatNumber(isKnown(watts) ? watts / 1000 : null, 1);
}

/** kWh with thousands separators, 1 decimal: "42,118.7". */
export function formatKwh(kwh: number | null | undefined): string {
  return formatNumber(kwh, 1);
}

/** J/TH (= W per TH/s), 1 decimal. */
export function formatJth(jPerTh: number | null | undefined): string {
  return formatNumber(jPerTh, 1);
}

/** PUE-style ratio (meter power / IT power), 2 decimals: "1.08". */
export function formatPue(pue: number | null | undefined): string {
  return formatNumber(pue, 2);
}

/** Whole counts (rigs, PDUs) with thousands separators. */
export function formatCount(count: number | null | undefined): string {
  return formatNumber(count, 0);
}

export interface ValueWithUnit {
  value: string;
  unit: string;
}

const HASHRATE_UNITS: readonly { unit: string; ths: number; digits: number }[] = [
  { unit: 'EH/s', ths: 1e6, digits: 2 },
  { unit: 'PH/s', ths: 1e3, digits: 2 },
];

/**
 * Hashrate from TH/s into the largest unit that keeps the value ≥ 1 (TH/s, PH/s, EH/s). The unit is
 * chosen on the rounded value, so 999.999 TH/s reads "1.00 PH/s", not "1,000.0 TH/s".
 */
export function formatHashrate(ths: number | null | undefined): ValueWithUnit {
  if (!isKnown(ths)) return { value: UNKNOWN, unit: 'TH/s' };
  for (const { unit, ths: scale, digits } of HASHRATE_UNITS) {
    const scaled = Math.round((ths / scale) * 10 ** digits) / 10 ** digits;
    if (Math.abs(scaled) >= 1) return { value: formatNumber(scaled, digits), unit };
  }
  return { value: formatNumber(ths, 1), unit: 'TH/s' };
}

/** Age of the last frame, coarse enough to read at a glance: "0.8 s", "12 s", "4 min", "3 h". */
export function formatAge(ms: number | null | undefined): string {
  if (!isKnown(ms)) return UNKNOWN;
  const age = Math.max(0, ms);
  if (age < 10_000) return `${formatNumber(age / 1000, 1)} s`;
  if (age < 60_000) return `${Math.floor(age / 1000)} s`;
  if (age < 3_600_000) return `${Math.floor(age / 60_000)} min`;
  return `${formatCount(Math.floor(age / 3_600_000))} h`;
}
