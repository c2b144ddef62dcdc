import { describe, expect, it } from 'vitest';
import { ApiError, parseSeriesPoints, parseSites } from '../../web/src/live/api.js';
import { frameTask, type FrameClock } from '../../web/src/lib/raf.js';

/** A manual animation-frame clock: callbacks run only when the test calls tick(). */
function manualClock(): FrameClock & { tick(): void; pending(): number } {
  let next = 1;
  const queue = new Map<number, () => void>();
  return {
    request(callback) {
      const handle = next;
      next += 1;
      queue.set(handle, callback);
      return handle;
    },
    cancel(handle) {
      queue.delete(handle);
    },
    tick() {
      const due = [...queue.values()];
      queue.clear();
      for (const callback of due) callback();
    },
    pending: () => queue.size,
  };
}

describe('frameTask', () => {
  it('runs once per frame however many times it is requested', () => {
    const clock = manualClock();
    let runs = 0;
    const task = frameTask(() => {
      runs += 1;
    }, clock);
    task.request();
    task.request();
    task.request();
    expect(clock.pending()).toBe(1);
    expect(runs).toBe(0);
    clock.tick();
    expect(runs).toBe(1);
    clock.tick();
    expect(runs).toBe(1);
    task.request();
    clock.tick();
    expect(runs).toBe(2);
  });

  it('does not run after cancel', () => {
    const clock = manualClock();
    let runs = 0;
    const task = frameTask(() => {
      runs += 1;
    }, clock);
    task.request();
    task.cancel();
    clock.tick();
    expect(runs).toBe(0);
    task.request();
    clock.tick();
    expect(runs).toBe(1);
  });
});

describe('parseSeriesPoints', () => {
  it('turns { ts, power_w } into chart points in kW', () => {
    const body = {
      site: null,
      from: 0,
      to: 10_000,
      step_ms: 5000,
      points: [
        { ts: 0, power_w: 1500 },
        { ts: 5000, power_w: 2_000_000 },
      ],
    };
    expect(parseSeriesPoints(body)).toEqual([
      { x: 0, y: 1.5 },
      { x: 5000, y: 2000 },
    ]);
  });

  it('skips malformed points', () => {
    const body = {
      points: [{ ts: 1, power_w: 1000 }, { ts: '2', power_w: 1 }, null, { ts: 3 }, { ts: 4, power_w: null }],
    };
    expect(parseSeriesPoints(body)).toEqual([{ x: 1, y: 1 }]);
  });

  it('throws an ApiError without a points array', () => {
    expect(() => parseSeriesPoints({ error: 'nope' })).toThrow(ApiError);
    expect(() => parseSeriesPoints(null)).toThrow(ApiError);
  });
});

describe('parseSites', () => {
  const good = {
    site: 'site-1',
    ts: 1000,
    power_w: 650_000,
    meter_power_w: null,
    pue: null,
    kwh_today: 12.5,
    hashrate_ths: 40_000,
    j_per_th: 16.3,
    rigs_online: 196,
    rigs_offline: 4,
    pdus_online: 17,
    pdus_offline: 0,
  };

  it('keeps sites that match the contract and skips the rest', () => {
    const body = { sites: [good, { ...good, site: 7 }, { ...good, power_w: '1' }, { ...good, pue: undefined }] };
    expect(parseSites(body)).toEqual([good]);
  });

  it('throws an ApiError without a sites array', () => {
    expect(() => parseSites({})).toThrow(ApiError);
  });
});
