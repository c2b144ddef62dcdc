import { describe, expect, it } from 'vitest';
import {
  formatLocal,
  isTimeZone,
  localDayStart,
  localMonthStart,
  localQuarterStart,
  localQuarters,
  nextLocalDayStart,
  nextLocalMonthStart,
  offsetMs,
} from '../../server/src/energy/time.js';

const NY = 'America/New_York';
const KTM = 'Asia/Kathmandu';
const MIN = 60_000;
const HOUR = 60 * MIN;

describe('local day and month boundaries', () => {
  it('UTC days and months are the UTC ones', () => {
    const t = Date.UTC(2024, 1, 29, 13, 7, 5, 123);
    expect(localDayStart(t, 'UTC')).toBe(Date.UTC(2024, 1, 29));
    expect(nextLocalDayStart(t, 'UTC')).toBe(Date.UTC(2024, 2, 1));
    expect(localMonthStart(t, 'UTC')).toBe(Date.UTC(2024, 1, 1));
    expect(nextLocalMonthStart(t, 'UTC')).toBe(Date.UTC(2024, 2, 1));
  });

  it('New York: the fall-back day has 25 hours, the spring-forward day 23', () => {
    const fall = Date.UTC(2024, 10, 3, 12);
    expect(localDayStart(fall, NY)).toBe(Date.UTC(2024, 10, 3, 4)); // 00:00 EDT
    expect(nextLocalDayStart(fall, NY)).toBe(Date.UTC(2024, 10, 4, 5)); // 00:00 EST
    const spring = Date.UTC(2024, 2, 10, 12);
    expect(nextLocalDayStart(spring, NY) - localDayStart(spring, NY)).toBe(23 * HOUR);
    expect(localMonthStart(fall, NY)).toBe(Date.UTC(2024, 10, 1, 4)); // 1 November, still EDT
    expect(nextLocalMonthStart(fall, NY)).toBe(Date.UTC(2024, 11, 1, 5)); // 1 December, EST
  });

  it('an instant just before local midnight belongs to the previous local day', () => {
    const lastMsOfNov2 = Date.UTC(2024, 10, 3, 4) - 1;
    expect(localDayStart(lastMsOfNov2, NY)).toBe(Date.UTC(2024, 10, 2, 4));
  });

  it('Kathmandu (+05:45): the local day starts at 18:15 UTC', () => {
    const t = Date.UTC(2024, 5, 1, 6);
    expect(offsetMs(t, KTM)).toBe(5 * HOUR + 45 * MIN);
    expect(localDayStart(t, KTM)).toBe(Date.UTC(2024, 4, 31, 18, 15));
    expect(localMonthStart(t, KTM)).toBe(Date.UTC(2024, 4, 31, 18, 15));
  });

  it('a zone whose DST starts at midnight starts that day at 01:00 (Santiago, 8 Sep 2024)', () => {
    const start = localDayStart(Date.UTC(2024, 8, 8, 16), 'America/Santiago');
    expect(start).toBe(Date.UTC(2024, 8, 8, 4));
    expect(formatLocal(start, 'America/Santiago')).toBe('2024-09-08T01:00:00-03:00');
    expect(formatLocal(start - 1, 'America/Santiago')).toBe('2024-09-07T23:59:59-04:00');
  });

  it('a zone whose clocks fall back over midnight starts the day at its one real midnight (Beirut, 27 Oct 2024)', () => {
    expect(localDayStart(Date.UTC(2024, 9, 27, 12), 'Asia/Beirut')).toBe(Date.UTC(2024, 9, 26, 22));
  });
});

describe('local clock quarters', () => {
  it('start at :00, :15, :30, :45 local', () => {
    expect(localQuarterStart(Date.UTC(2024, 5, 1, 8, 59, 59, 999), 'UTC')).toBe(Date.UTC(2024, 5, 1, 8, 45));
    expect(localQuarterStart(Date.UTC(2024, 5, 1, 9), 'UTC')).toBe(Date.UTC(2024, 5, 1, 9));
    // 14:37 in Kathmandu is 08:52 UTC; its quarter starts at 14:30 local = 08:45 UTC.
    expect(localQuarterStart(Date.UTC(2024, 5, 1, 8, 52), KTM)).toBe(Date.UTC(2024, 5, 1, 8, 45));
  });

  it('follow the local clock where the offset is not whole quarters (Monrovia, −00:44:30 until 1972)', () => {
    expect(localQuarterStart(Date.UTC(1970, 5, 1, 12, 50), 'Africa/Monrovia')).toBe(Date.UTC(1970, 5, 1, 12, 44, 30));
    expect(formatLocal(Date.UTC(1970, 5, 1, 12, 44, 30), 'Africa/Monrovia')).toBe('1970-06-01T12:00:00-00:44:30');
  });

  it('number 100 on the New York fall-back day, with 01:00–01:59 twice, told apart by the offset', () => {
    const day = localQuarters(Date.UTC(2024, 10, 3, 4), Date.UTC(2024, 10, 4, 5), NY);
    expect(day).toHaveLength(100);
    expect(day.every((q) => q.end - q.start === 15 * MIN)).toBe(true);
    expect(day.slice(4, 10).map((q) => formatLocal(q.start, NY))).toEqual([
      '2024-11-03T01:00:00-04:00',
      '2024-11-03T01:15:00-04:00',
      '2024-11-03T01:30:00-04:00',
      '2024-11-03T01:45:00-04:00',
      '2024-11-03T01:00:00-05:00',
      '2024-11-03T01:15:00-05:00',
    ]);
  });

  it('number 92 on the spring-forward day, 01:45 EST followed by 03:00 EDT', () => {
    const day = localQuarters(Date.UTC(2024, 2, 10, 5), Date.UTC(2024, 2, 11, 4), NY);
    expect(day).toHaveLength(92);
    expect(day.slice(7, 9).map((q) => formatLocal(q.start, NY))).toEqual(['2024-03-10T01:45:00-05:00', '2024-03-10T03:00:00-04:00']);
  });

  it('cover a range that does not start on a quarter', () => {
    const qs = localQuarters(Date.UTC(2024, 5, 1, 8, 20), Date.UTC(2024, 5, 1, 8, 46), KTM);
    expect(qs.map((q) => formatLocal(q.start, KTM))).toEqual(['2024-06-01T14:00:00+05:45', '2024-06-01T14:15:00+05:45', '2024-06-01T14:30:00+05:45']);
  });
});

describe('time zone names', () => {
  it('accepts IANA names and refuses others', () => {
    expect(isTimeZone('Asia/Kathmandu')).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isTimeZone('')).toBe(false);
  });
});
