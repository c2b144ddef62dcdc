import { describe, expect, it } from 'vitest';
import { localDayStart, nextLocalDayStart } from '../../server/src/energy/time.js';
import { planRange } from '../../server/src/rollup/plan.js';

const H = 3_600_000;
const M = 60_000;
const T = Date.parse('2026-03-01T00:00:00Z');
const clean = { minutes: new Set<number>(), hours: new Set<number>() };

describe('planRange: which parts of a range come from hour buckets, minute buckets and raw readings', () => {
  it('takes whole hours from hour buckets, whole minutes at the edges from minute buckets, the rest raw', () => {
    expect(planRange(T + 30 * M + 15_000, T + 3 * H + 2 * M + 500, clean)).toEqual({
      raw: [{ from: T + 30 * M + 15_000, to: T + 31 * M }, { from: T + 3 * H + 2 * M, to: T + 3 * H + 2 * M + 500 }],
      minutes: [{ from: T + 31 * M, to: T + H }, { from: T + 3 * H, to: T + 3 * H + 2 * M }],
      hours: [{ from: T + H, to: T + 3 * H }],
    });
    expect(planRange(T, T + 24 * H, clean)).toEqual({ raw: [], minutes: [], hours: [{ from: T, to: T + 24 * H }] });
    expect(planRange(T + 1000, T + 2000, clean)).toEqual({ raw: [{ from: T + 1000, to: T + 2000 }], minutes: [], hours: [] });
  });

  it('reads marked minutes raw, and a marked hour (or one with a marked minute) from its minutes', () => {
    const marks = { minutes: new Set([T + H + 5 * M]), hours: new Set([T + 2 * H]) };
    const plan = planRange(T, T + 4 * H, marks);
    expect(plan.hours).toEqual([{ from: T, to: T + H }, { from: T + 3 * H, to: T + 4 * H }]);
    expect(plan.minutes).toEqual([{ from: T + H, to: T + H + 5 * M }, { from: T + H + 6 * M, to: T + 3 * H }]);
    expect(plan.raw).toEqual([{ from: T + H + 5 * M, to: T + H + 6 * M }]);
  });

  it('serves a local day in any zone: New York\'s 25-hour fall-back day is 25 hour buckets, Kathmandu\'s starts at :15', () => {
    const ny = localDayStart(Date.parse('2024-11-03T12:00:00Z'), 'America/New_York');
    const plan = planRange(ny, nextLocalDayStart(ny, 'America/New_York'), clean);
    expect(plan).toEqual({ raw: [], minutes: [], hours: [{ from: Date.parse('2024-11-03T04:00:00Z'), to: Date.parse('2024-11-04T05:00:00Z') }] });
    const ktm = localDayStart(Date.parse('2024-11-03T12:00:00Z'), 'Asia/Kathmandu');
    expect(new Date(ktm).toISOString()).toBe('2024-11-02T18:15:00.000Z');
    const k = planRange(ktm, nextLocalDayStart(ktm, 'Asia/Kathmandu'), clean);
    expect(k.raw).toEqual([]);
    expect(k.minutes).toEqual([{ from: ktm, to: ktm + 45 * M }, { from: ktm + 24 * H - 15 * M, to: ktm + 24 * H }]);
    expect(k.hours).toEqual([{ from: ktm + 45 * M, to: ktm + 24 * H - 15 * M }]);
  });
});
