import cliProgress from 'cli-progress';
import type { HistoryProgress } from '../history.js';
import type { SimStats } from '../stats.js';
import { formatHistoryProgressLine, formatProgressLine } from './format.js';

export interface ProgressReporter<T> {
  update(s: T): void;
  stop(): void;
}

/** What a progress display needs from a run's figures. */
export interface ProgressView<T> {
  line(s: T): string;
  elapsedMs(s: T): number;
  /** Share done, 0..1, when the run has a known end: the terminal then shows a bar. */
  done?(s: T): number;
}

/** Plain lines go out at most this often when the output is a file or a pipe (logs stay readable). */
const PLAIN_EVERY_MS = 5_000;

/** A live run: the bar follows the wall clock when there is a duration. */
export function liveView(durationS?: number): ProgressView<SimStats> {
  return {
    line: formatProgressLine,
    elapsedMs: (s) => s.elapsedMs,
    ...(durationS !== undefined && { done: (s: SimStats) => s.elapsedMs / (durationS * 1000) }),
  };
}

/** A historical run: the bar follows the simulated time reached. */
export const historyView: ProgressView<HistoryProgress> = {
  line: formatHistoryProgressLine,
  elapsedMs: (s) => s.elapsedMs,
  done: (s) => s.ticks / s.totalTicks,
};

/**
 * Updates after stop() are ignored, so the final summary is not overwritten by a late tick.
 * A live cli-progress line on a terminal (with a bar when the run has a known end), else a plain line every 5 s.
 * Both write to `stream`; the caller prints nothing else there until stop().
 */
export function createProgress<T>(stream: NodeJS.WriteStream, view: ProgressView<T>): ProgressReporter<T> {
  return stream.isTTY ? new TerminalProgress(stream, view) : new PlainProgress(stream, view);
}

class TerminalProgress<T> implements ProgressReporter<T> {
  private readonly bar: cliProgress.SingleBar;
  private started = false;
  private stopped = false;

  constructor(
    stream: NodeJS.WriteStream,
    private readonly view: ProgressView<T>,
  ) {
    const lead = view.done === undefined ? '' : '[{bar}] {percentage}% | ';
    this.bar = new cliProgress.SingleBar(
      { stream, format: `${lead}{line}`, hideCursor: true, barsize: 20, fps: 4 },
      cliProgress.Presets.shades_classic,
    );
  }

  update(s: T): void {
    if (this.stopped) return;
    const value = this.view.done === undefined ? 0 : Math.min(100, Math.floor(100 * this.view.done(s)));
    if (!this.started) {
      this.bar.start(100, value, { line: this.view.line(s) });
      this.started = true;
    } else {
      this.bar.update(value, { line: this.view.line(s) });
    }
  }

  stop(): void {
    if (this.started && !this.stopped) this.bar.stop();
    this.stopped = true;
  }
}

class PlainProgress<T> implements ProgressReporter<T> {
  /** Which 5 s slot was printed last; slots keep the lines on a steady beat however ticks fall. */
  private lastSlot = 0;
  private stopped = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly view: ProgressView<T>,
  ) {}

  update(s: T): void {
    if (this.stopped) return;
    const slot = Math.floor(this.view.elapsedMs(s) / PLAIN_EVERY_MS);
    if (slot <= this.lastSlot) return;
    this.lastSlot = slot;
    this.stream.write(`${this.view.line(s)}\n`);
  }

  stop(): void {
    this.stopped = true;
  }
}
