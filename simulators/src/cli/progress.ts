import cliProgress from 'cli-progress';
import type { SimStats } from '../stats.js';
import { formatProgressLine } from './format.js';

export interface ProgressReporter {
  update(s: SimStats): void;
  stop(): void;
}

/** Plain lines go out at most this often when the output is a file or a pipe (logs stay readable). */
const PLAIN_EVERY_MS = 5_000;

/**
 * Updates after stop() are ignored, so the final summary is not overwritten by a late tick.
 * A live cli-progress line on a terminal (a bar when the run has a duration), else a plain line every 5 s.
 * Both write to `stream`; the caller prints nothing else there until stop().
 */
export function createProgress(stream: NodeJS.WriteStream, durationS?: number): ProgressReporter {
  return stream.isTTY ? new TerminalProgress(stream, durationS) : new PlainProgress(stream);
}

class TerminalProgress implements ProgressReporter {
  private readonly bar: cliProgress.SingleBar;
  private started = false;
  private stopped = false;

  constructor(
    stream: NodeJS.WriteStream,
    private readonly durationS?: number,
  ) {
    const lead = durationS === undefined ? '' : '[{bar}] {percentage}% | ';
    this.bar = new cliProgress.SingleBar(
      { stream, format: `${lead}{line}`, hideCursor: true, barsize: 20, fps: 4 },
      cliProgress.Presets.shades_classic,
    );
  }

  update(s: SimStats): void {
    if (this.stopped) return;
    const total = this.durationS ?? 1;
    const value = this.durationS === undefined ? 0 : Math.min(total, Math.floor(s.elapsedMs / 1000));
    if (!this.started) {
      this.bar.start(total, value, { line: formatProgressLine(s) });
      this.started = true;
    } else {
      this.bar.update(value, { line: formatProgressLine(s) });
    }
  }

  stop(): void {
    if (this.started && !this.stopped) this.bar.stop();
    this.stopped = true;
  }
}

class PlainProgress implements ProgressReporter {
  /** Which 5 s slot was printed last; slots keep the lines on a steady beat however ticks fall. */
  private lastSlot = 0;
  private stopped = false;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(s: SimStats): void {
    if (this.stopped) return;
    const slot = Math.floor(s.elapsedMs / PLAIN_EVERY_MS);
    if (slot <= this.lastSlot) return;
    this.lastSlot = slot;
    this.stream.write(`${formatProgressLine(s)}\n`);
  }

  stop(): void {
    this.stopped = true;
  }
}
