import { describe, expect, it } from 'vitest';
import { poll, pollWhileVisible, type PollTimers, type Visibility } from '../../web/src/lib/poll.js';

/** Timers the test fires by hand. */
function manualTimers(): PollTimers & { fire(): void; pending(): number[] } {
  let next = 1;
  const due = new Map<number, { callback: () => void; ms: number }>();
  return {
    set(callback, ms) {
      due.set(next, { callback, ms });
      return next++;
    },
    clear: (handle) => void due.delete(handle),
    fire() {
      const all = [...due.values()];
      due.clear();
      for (const t of all) t.callback();
    },
    pending: () => [...due.values()].map((t) => t.ms),
  };
}

/** Lets settled promises run their callbacks. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('poll', () => {
  it('runs at once, then the interval after each run ends, one run at a time', async () => {
    const timers = manualTimers();
    let runs = 0;
    let finish: () => void = () => undefined;
    const poller = poll(
      () =>
        new Promise<void>((resolve) => {
          runs += 1;
          finish = resolve;
        }),
      5000,
      timers,
    );
    expect(runs).toBe(1);
    expect(timers.pending()).toEqual([]);
    finish();
    await settle();
    expect(timers.pending()).toEqual([5000]);
    timers.fire();
    expect(runs).toBe(2);
    poller.stop();
    finish();
    await settle();
    expect(timers.pending()).toEqual([]);
  });

  it('runs again right after an in-flight run when kicked, and keeps going after a failure', async () => {
    const timers = manualTimers();
    let runs = 0;
    const poller = poll(async () => {
      runs += 1;
      if (runs === 1) throw new Error('server away');
    }, 60_000, timers);
    poller.kick();
    await settle();
    expect(runs).toBe(2);
    expect(timers.pending()).toEqual([60_000]);
    poller.kick();
    expect(runs).toBe(3);
    await settle();
    expect(timers.pending()).toEqual([60_000]);
    poller.stop();
    poller.kick();
    expect(runs).toBe(3);
  });
});

describe('pollWhileVisible', () => {
  function page(): Visibility & { set(hidden: boolean): void } {
    let hidden = false;
    const listeners = new Set<() => void>();
    return {
      hidden: () => hidden,
      onChange(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      set(value) {
        hidden = value;
        for (const listener of listeners) listener();
      },
    };
  }

  it('skips runs while hidden and makes one up when the page is back', async () => {
    const timers = manualTimers();
    const visibility = page();
    let runs = 0;
    const poller = pollWhileVisible(async () => void (runs += 1), 60_000, visibility, timers);
    expect(runs).toBe(1);
    await settle();
    visibility.set(true);
    timers.fire();
    await settle();
    timers.fire();
    await settle();
    expect(runs).toBe(1);
    visibility.set(false);
    expect(runs).toBe(2);
    await settle();
    // Back on screen with nothing missed since: no extra run.
    visibility.set(true);
    visibility.set(false);
    expect(runs).toBe(2);
    poller.stop();
    visibility.set(true);
    timers.fire();
    visibility.set(false);
    expect(runs).toBe(2);
  });
});
