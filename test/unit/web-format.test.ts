import { describe, expect, it } from 'vitest';
import {
  UNKNOWN,
  formatAge,
  formatCount,
  formatHashrate,
  formatJth,
  formatKw,
  formatKwh,
  formatNumber,
  formatPue,
} from '../../web/src/lib/format.js';

describe('formatKw', () => {
  it('converts W to kW with one decimal and thousands separators', () => {
    expect(formatKw(0)).toBe('0.0');
    expect(formatKw(1234)).toBe('1.2');
    expect(formatKw(1250)).toBe('1.3');
    expect(formatKw(3_512_449)).toBe('3,512.4');
    expect(formatKw(12_000_000)).toBe('12,000.0');
  });

  it('shows unknown readings as an em dash', () => {
    expect(UNKNOWN).toBe('—');
    expect(formatKw(null)).toBe('—');
    expect(formatKw(undefined)).toBe('—');
    expect(formatKw(Number.NaN)).toBe('—');
    expect(formatKw(Number.POSITIVE_INFINITY)).toBe('—');
  });

  it('never prints a negative zero', () => {
    expect(formatKw(-0.2)).toBe('0.0');
    expect(formatKw(-0)).toBe('0.0');
    expect(formatKw(-1500)).toBe('-1.5');
  });
});

describe('formatKwh', () => {
  it('uses thousands separators and one decimal', () => {
    expect(formatKwh(0)).toBe('0.0');
    expect(formatKwh(42_118.66)).toBe('42,118.7');
    expect(formatKwh(1_234_567.04)).toBe('1,234,567.0');
    expect(formatKwh(null)).toBe('—');
  });
});

describe('formatJth and formatPue', () => {
  it('J/TH has one decimal', () => {
    expect(formatJth(21.54)).toBe('21.5');
    expect(formatJth(17)).toBe('17.0');
    expect(formatJth(null)).toBe('—');
  });

  it('PUE has two decimals', () => {
    expect(formatPue(1.0849)).toBe('1.08');
    expect(formatPue(1)).toBe('1.00');
    expect(formatPue(null)).toBe('—');
  });
});

describe('formatCount and formatNumber', () => {
  it('counts are whole numbers with separators', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(498)).toBe('498');
    expect(formatCount(12_500)).toBe('12,500');
    expect(formatCount(null)).toBe('—');
  });

  it('formatNumber pads to the requested decimals', () => {
    expect(formatNumber(2, 3)).toBe('2.000');
    expect(formatNumber(1234.5678, 2)).toBe('1,234.57');
  });
});

describe('formatHashrate', () => {
  it('keeps TH/s below 1,000 TH/s', () => {
    expect(formatHashrate(0)).toEqual({ value: '0.0', unit: 'TH/s' });
    expect(formatHashrate(234.56)).toEqual({ value: '234.6', unit: 'TH/s' });
  });

  it('switches to PH/s and EH/s', () => {
    expect(formatHashrate(1000)).toEqual({ value: '1.00', unit: 'PH/s' });
    expect(formatHashrate(100_000)).toEqual({ value: '100.00', unit: 'PH/s' });
    expect(formatHashrate(123_456)).toEqual({ value: '123.46', unit: 'PH/s' });
    expect(formatHashrate(2_500_000)).toEqual({ value: '2.50', unit: 'EH/s' });
  });

  it('chooses the unit on the rounded value', () => {
    expect(formatHashrate(999.999)).toEqual({ value: '1.00', unit: 'PH/s' });
    expect(formatHashrate(999_996)).toEqual({ value: '1.00', unit: 'EH/s' });
  });

  it('shows unknown hashrate as an em dash', () => {
    expect(formatHashrate(null)).toEqual({ value: '—', unit: 'TH/s' });
    expect(formatHashrate(Number.NaN)).toEqual({ value: '—', unit: 'TH/s' });
  });
});

describe('formatAge', () => {
  it('uses tenths of a second under 10 s', () => {
    expect(formatAge(0)).toBe('0.0 s');
    expect(formatAge(640)).toBe('0.6 s');
    expect(formatAge(9_940)).toBe('9.9 s');
  });

  it('uses whole seconds, minutes and hours beyond', () => {
    expect(formatAge(12_900)).toBe('12 s');
    expect(formatAge(60_000)).toBe('1 min');
    expect(formatAge(59 * 60_000 + 59_999)).toBe('59 min');
    expect(formatAge(3 * 3_600_000 + 1)).toBe('3 h');
  });

  it('clamps a negative age (clock step) to zero and shows unknown as a dash', () => {
    expect(formatAge(-500)).toBe('0.0 s');
    expect(formatAge(null)).toBe('—');
  });
});
