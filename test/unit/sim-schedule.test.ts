import { describe, expect, it } from 'vitest';
import { nextTickAt, Ticker, type TickerClock } from '../../simulators/src/schedule.js';

describe('nextTickAt', () => {
  it('is the first interval boundary strictly after now', () => {
    expect(nextTickAt(999, 1000)).toBe(1000);
    expect(nextTickAt(1000, 1000)).toBe(2000);
    expect(nextTickAt(1001, 1000)).toBe(2000);
    expect(nextTickAt(1_767_225_600_123, 250)).toBe(1_767_225_600_250);
  });
});

/** A hand-driven clock: timers fire only when the test advances time. */
class FakeClock implements TickerClock {
  t: number;
  private timers: Array<{ at: number; fn: () => void; id: number }> = [];
  private nextId = 1;
  constructor(start: number) {
    this.t = start;
  }
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== handle);
  }
  /** Moves to `to`, firing due timers in order; `lateMs` makes each fire that much late (a busy event loop). */
  advance(to: number, lateMs = 0): void {
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (next === undefined || next.at > to) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.at + lateMs);
      next.fn();
    }
    this.t = Math.max(this.t, to);
  }
}

describe('Ticker', () => {
  it('ticks on interval boundaries, stamped with the boundary even when the timer is late', () => {
    const clock = new FakeClock(10_300);
    const seen: number[] = [];
    const ticker = new Ticker(1000, (ts) => seen.push(ts), clock);
    ticker.start();
    clock.advance(14_000, 7);
    expect(seen).toEqual([11_000, 12_000, 13_000, 14_000]);
    expect(ticker.skipped).toBe(0);
    ticker.stop();
    clock.advance(20_000);
    expect(seen).toHaveLength(4);
  });

  it('skips boundaries the process slept through instead of replaying them', () => {
    const clock = new FakeClock(0);
    const seen: number[] = [];
    const ticker = new Ticker(1000, (ts) => {
      seen.push(ts);
      if (ts === 2000) clock.t = 5_500; // this tick took 3.5 s
    }, clock);
    ticker.start();
    clock.advance(8_000);
    expect(seen).toEqual([1000, 2000, 6000, 7000, 8000]);
    expect(ticker.skipped).toBe(3);
  });
});
