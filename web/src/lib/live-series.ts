import { RingBuffer } from './ring-buffer.js';

/**
 * One chart point, already in the shape chart.js reads with `parsing: false`: x is ms epoch (server
 * time), y is kW. Storing the chart's shape means a redraw copies references, never re-maps objects.
 */
export interface XY {
  x: number;
  y: number;
}

/** What a chart needs from a series: read the points, hear when they change. */
export interface SeriesFeed {
  /** Width of the time window the chart should show, ms. */
  readonly windowMs: number;
  /** Copies the points, oldest first, into `out` and returns it. */
  snapshot(out: XY[]): XY[];
  /** Newest point's x, or null when empty. */
  lastX(): number | null;
  /** Called after every change; returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
}

/**
 * Adds history (from GET /api/series) to live points without doubling up where they overlap: a
 * history point stands for the bucket [x, x + stepMs), and is kept only when no existing point
 * falls in that bucket. This one rule covers the back-fill at start-up (live frames may already have
 * arrived when the history answer lands) and the gap after a reconnect.
 *
 * Returns a new array sorted by x; `existing` must already be sorted by x.
 */
export function mergeHistory(existing: readonly XY[], history: readonly XY[], stepMs: number): XY[] {
  const merged: XY[] = existing.slice();
  let cursor = 0;
  const sortedHistory = history
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
    .sort((a, b) => a.x - b.x);
  for (const point of sortedHistory) {
    // Existing points are sorted, so the first one at or after point.x decides the overlap.
    while (cursor < existing.length && (existing[cursor] as XY).x < point.x) cursor += 1;
    const next = existing[cursor];
    if (next !== undefined && next.x < point.x + stepMs) continue;
    merged.push(point);
  }
  merged.sort((a, b) => a.x - b.x);
  return merged;
}

/** A bounded, time-ordered live series with change notification. */
export class LiveSeries implements SeriesFeed {
  private readonly buffer: RingBuffer<XY>;
  private readonly listeners = new Set<() => void>();

  constructor(
    capacity: number,
    readonly windowMs: number,
  ) {
    this.buffer = new RingBuffer<XY>(capacity);
  }

  get length(): number {
    return this.buffer.length;
  }

  lastX(): number | null {
    return this.buffer.last()?.x ?? null;
  }

  snapshot(out: XY[] = []): XY[] {
    return this.buffer.toArray(out);
  }

  /**
   * Appends a live point. A point not newer than the last one is dropped: frames replayed after a
   * reconnect, or a clock step on the server, must not make the line run backwards.
   */
  push(point: XY): boolean {
    if (!Number.isFinite(point.x) || !Number.isFinite(point.y)) return false;
    const last = this.buffer.last();
    if (last !== undefined && point.x <= last.x) return false;
    this.buffer.push(point);
    this.notify();
    return true;
  }

  /** Merges history (see mergeHistory); if the result exceeds capacity the oldest points go. */
  merge(history: readonly XY[], stepMs: number): void {
    if (history.length === 0) return;
    const merged = mergeHistory(this.buffer.toArray(), history, stepMs);
    this.buffer.clear();
    for (const point of merged) this.buffer.push(point);
    this.notify();
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
