/**
 * Wall-clock tick scheduling. Ticks fall on whole multiples of the interval (…:00.000, …:01.000 for 1 s), like
 * devices that sample on the second, and each tick is stamped with its boundary, not with the late timer's time.
 */

/** The first interval boundary strictly after `now`. */
export function nextTickAt(now: number, intervalMs: number): number {
  return (Math.floor(now / intervalMs) + 1) * intervalMs;
}

export interface TickerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: TickerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Calls `onTick(ts)` at every boundary until `stop()`. If the process stalls past one or more boundaries they are
 * skipped (counted in `skipped`), not replayed in a burst: a real device does not read its sensors twice at once.
 */
export class Ticker {
  private handle: unknown;
  private running = false;
  private last = -Infinity;
  skipped = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly onTick: (ts: number) => void,
    private readonly clock: TickerClock = systemClock,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.handle !== undefined) this.clock.clearTimeout(this.handle);
    this.handle = undefined;
  }

  private schedule(): void {
    const now = this.clock.now();
    const at = nextTickAt(Math.max(now, this.last), this.intervalMs);
    if (this.last !== -Infinity) this.skipped += Math.max(0, (at - this.last) / this.intervalMs - 1);
    this.handle = this.clock.setTimeout(() => this.fire(at), at - now);
  }

  private fire(at: number): void {
    if (!this.running) return;
    this.last = at;
    // setTimeout may fire a millisecond early; the tick still belongs to its boundary.
    this.onTick(at);
    if (this.running) this.schedule();
  }
}
