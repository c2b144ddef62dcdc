import type { SeriesFeed, XY } from '../lib/live-series.js';

/**
 * Replay scheduling, pure: simulated time runs at `speed` × wall time while playing, from an anchor (the wall
 * time and cursor of the last play, seek or speed change), so the cursor never drifts however irregular the
 * animation frames are. The clock is injected: the unit tests drive it by hand.
 */
export const REPLAY_SPEEDS = [1, 10, 60, 600, 3600] as const;
export type ReplaySpeed = (typeof REPLAY_SPEEDS)[number];
export type PlaybackState = 'paused' | 'playing' | 'ended';

export interface WallClock {
  now(): number;
}

export class Playback {
  private anchorWall = 0;
  private anchorCursor: number;
  private currentSpeed: ReplaySpeed;
  private current: PlaybackState = 'paused';

  constructor(
    readonly from: number,
    readonly to: number,
    private readonly clock: WallClock,
    speed: ReplaySpeed = 1,
  ) {
    if (!(to > from)) throw new RangeError('a replay needs from < to');
    this.anchorCursor = from;
    this.currentSpeed = speed;
  }

  get state(): PlaybackState {
    return this.current;
  }

  get speed(): ReplaySpeed {
    return this.currentSpeed;
  }

  /** Where playback is now (ms epoch, in [from, to]); reaching `to` ends it. */
  cursor(): number {
    if (this.current !== 'playing') return this.anchorCursor;
    const t = this.anchorCursor + (this.clock.now() - this.anchorWall) * this.currentSpeed;
    if (t < this.to) return t;
    this.anchorCursor = this.to;
    this.current = 'ended';
    return this.to;
  }

  /** Plays from the cursor; from the start again once ended. */
  play(): void {
    if (this.current === 'playing') return;
    if (this.current === 'ended') this.anchorCursor = this.from;
    this.anchorWall = this.clock.now();
    this.current = 'playing';
  }

  pause(): void {
    if (this.current !== 'playing') return;
    this.anchorCursor = this.cursor();
    if (this.current === 'playing') this.current = 'paused';
  }

  setSpeed(speed: ReplaySpeed): void {
    this.reanchor();
    this.currentSpeed = speed;
  }

  /** Moves the cursor (clamped to the range); playing goes on from there. */
  seek(ts: number): void {
    const t = Math.min(this.to, Math.max(this.from, ts));
    this.anchorCursor = t;
    this.anchorWall = this.clock.now();
    if (this.current === 'ended') this.current = t < this.to ? 'paused' : 'ended';
  }

  private reanchor(): void {
    const t = this.cursor();
    this.anchorCursor = t;
    this.anchorWall = this.clock.now();
  }
}

/**
 * The chart's time window at a speed: 15 minutes as on the live pages, or the last 15 s of playback at high
 * speed (2.5 h at 600×, 15 h at 3600×), and at least 20 steps of the data.
 */
export function windowFor(speed: ReplaySpeed, stepMs: number): number {
  return Math.max(15 * 60_000, speed * 15_000, 20 * stepMs);
}

/**
 * The replayed points as the live chart reads them (the same SeriesFeed the live pages use): every point up to
 * the cursor, bounded to the window before it. The points are fetched once; showing them is moving an index.
 *
 * `display` maps a point's time to the x the chart draws it at. The chart labels its axis in the browser's zone;
 * an auditor reads the site's clock, so the page maps each instant to the browser-zone instant showing the same
 * wall time (siteWallClock below). The cursor and `at` stay in real time.
 */
export class ReplayFeed implements SeriesFeed {
  private shown = 0;
  private readonly listeners = new Set<() => void>();
  private readonly drawn: readonly XY[];

  constructor(
    private readonly points: readonly XY[],
    private window: number,
    display: (x: number) => number = (x) => x,
  ) {
    this.drawn = points.map((p) => ({ x: display(p.x), y: p.y }));
  }

  get windowMs(): number {
    return this.window;
  }

  setWindow(ms: number): void {
    if (ms === this.window) return;
    this.window = ms;
    this.notify();
  }

  /** Shows every point with x ≤ cursor; true (and listeners told) when that changed what is shown. */
  showUntil(cursor: number): boolean {
    let lo = 0;
    let hi = this.points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.points[mid]!.x <= cursor) lo = mid + 1;
      else hi = mid;
    }
    if (lo === this.shown) return false;
    this.shown = lo;
    this.notify();
    return true;
  }

  /** Points shown so far. */
  get count(): number {
    return this.shown;
  }

  /** The shown point at or before `ts` (the power at the cursor), or null. */
  at(ts: number): XY | null {
    const last = this.shown > 0 ? this.points[this.shown - 1]! : null;
    return last !== null && last.x <= ts ? last : null;
  }

  /** The last shown point's x as drawn. */
  lastX(): number | null {
    return this.shown > 0 ? this.drawn[this.shown - 1]!.x : null;
  }

  snapshot(out: XY[]): XY[] {
    const last = this.lastX();
    out.length = 0;
    if (last === null) return out;
    for (let i = this.shown - 1; i >= 0 && this.drawn[i]!.x >= last - this.window; i--) out.push(this.drawn[i]!);
    return out.reverse();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}

/**
 * An instant → the instant the browser's zone shows the site's wall time at: the chart's axis then reads the
 * site's clock. `offsetOf` is the site zone's offset at an instant (energy/time.ts `offsetMs`).
 */
export function siteWallClock(offsetOf: (ts: number) => number): (x: number) => number {
  return (x) => {
    const wall = x + offsetOf(x);
    // The browser zone's offset at the target instant (its own DST), found in one correction step.
    const guess = wall + new Date(wall).getTimezoneOffset() * 60_000;
    return wall + new Date(guess).getTimezoneOffset() * 60_000;
  };
}
