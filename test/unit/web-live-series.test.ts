import { describe, expect, it } from 'vitest';
import { LiveSeries, mergeHistory, type XY } from '../../web/src/lib/live-series.js';

const pts = (...xs: number[]): XY[] => xs.map((x) => ({ x, y: x / 10 }));

describe('mergeHistory', () => {
  it('takes all history when there are no live points', () => {
    expect(mergeHistory([], pts(10, 0, 5), 5)).toEqual(pts(0, 5, 10));
  });

  it('drops history buckets that live points already cover', () => {
    // Buckets of 5: [0,5) [5,10) [10,15) [15,20); live points at 11, 12, 16.
    const live = pts(11, 12, 16);
    expect(mergeHistory(live, pts(0, 5, 10, 15), 5)).toEqual(pts(0, 5, 11, 12, 16));
  });

  it('fills a reconnect gap between live points', () => {
    const live = pts(0, 1, 2, 30, 31);
    expect(mergeHistory(live, pts(0, 5, 10, 15, 20, 25, 30), 5)).toEqual(
      pts(0, 1, 2, 5, 10, 15, 20, 25, 30, 31),
    );
  });

  it('skips non-finite history points and does not modify its inputs', () => {
    const live = pts(20);
    const history: XY[] = [{ x: 0, y: Number.NaN }, { x: 5, y: 1 }, { x: Number.POSITIVE_INFINITY, y: 1 }];
    expect(mergeHistory(live, history, 5)).toEqual([{ x: 5, y: 1 }, { x: 20, y: 2 }]);
    expect(live).toEqual(pts(20));
  });
});

describe('LiveSeries', () => {
  it('appends newer points and drops ones that are not newer', () => {
    const series = new LiveSeries(10, 60_000);
    expect(series.push({ x: 1, y: 1 })).toBe(true);
    expect(series.push({ x: 2, y: 2 })).toBe(true);
    expect(series.push({ x: 2, y: 9 })).toBe(false);
    expect(series.push({ x: 1, y: 9 })).toBe(false);
    expect(series.push({ x: 3, y: Number.NaN })).toBe(false);
    expect(series.snapshot([])).toEqual([{ x: 1, y: 1 }, { x: 2, y: 2 }]);
    expect(series.lastX()).toBe(2);
  });

  it('is bounded by its capacity', () => {
    const series = new LiveSeries(3, 60_000);
    for (let x = 1; x <= 100; x += 1) series.push({ x, y: x });
    expect(series.length).toBe(3);
    expect(series.snapshot([]).map((p) => p.x)).toEqual([98, 99, 100]);
  });

  it('merges history before live points and keeps the newest when over capacity', () => {
    const series = new LiveSeries(4, 60_000);
    series.push({ x: 100, y: 1 });
    series.push({ x: 101, y: 1 });
    series.merge(pts(70, 75, 80, 85, 90, 95, 100), 5);
    expect(series.snapshot([]).map((p) => p.x)).toEqual([90, 95, 100, 101]);
    // Live points keep arriving after the merge.
    expect(series.push({ x: 102, y: 1 })).toBe(true);
    expect(series.snapshot([]).map((p) => p.x)).toEqual([95, 100, 101, 102]);
  });

  it('notifies listeners on change until they unsubscribe', () => {
    const series = new LiveSeries(5, 60_000);
    let calls = 0;
    const off = series.onChange(() => {
      calls += 1;
    });
    series.push({ x: 1, y: 1 });
    series.push({ x: 1, y: 1 }); // dropped: no change, no call
    series.merge(pts(0), 1);
    series.merge([], 1); // nothing to merge: no call
    off();
    series.push({ x: 2, y: 1 });
    expect(calls).toBe(2);
  });
});
