import { WakeableSleep } from '../lib/wakeable-sleep.js';
import type { Logger } from 'pino';
import type { Reading } from '../domain/reading.js';
import { StoreRejectedError, type Store } from '../store/store.js';
import type { IngestCounters } from './counters.js';
import type { Spool } from './spool.js';

export interface DrainerOptions {
  /** Most readings per store write. */
  batchSize: number;
  /** How long to wait for more readings when the spool is empty. */
  intervalMs: number;
  /** Told of every batch write, for metrics. */
  observer?: { write(readings: number, seconds: number, ok: boolean): void };
  /**
   * Told of every stored batch before it leaves the spool (the rollups mark what changed). If it throws, the
   * batch stays in the spool and is written again later, as after a failed write.
   */
  onStored?: (readings: readonly Reading[]) => void;
  /** Backoff after a failed write: from `minBackoffMs`, doubling, capped at `maxBackoffMs`. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * Moves spooled readings to the store, oldest first, in batches. A batch leaves the spool only after
 * the store took it. Network errors and 5xx keep the batch and retry with capped exponential backoff;
 * a batch the store refuses outright is split until the refused readings are isolated, and those go
 * to the dead-letter table (still retrievable) while the rest are stored.
 */
export class SpoolDrainer {
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly nap = new WakeableSleep();
  private backoffMs: number;
  private failing = false;
  lastWriteAt: number | null = null;
  lastWriteMs: number | null = null;

  constructor(
    private readonly spool: Spool,
    private readonly store: Store,
    private readonly counters: IngestCounters,
    private readonly log: Logger,
    private readonly opts: DrainerOptions,
  ) {
    this.backoffMs = opts.minBackoffMs ?? 250;
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Stop after the write in progress; then one more drain attempt so a clean shutdown leaves the spool empty if it can. */
  async stop(deadlineMs = 10_000): Promise<void> {
    this.running = false;
    this.kick();
    await this.loop;
    const deadline = Date.now() + deadlineMs;
    while (Date.now() < deadline && this.spool.depth().messages > 0) {
      if (!(await this.drainOnce())) break;
    }
  }

  /** New readings were spooled: stop waiting. */
  kick(): void {
    this.nap.wake();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const ok = await this.drainOnce();
      if (!this.running) break;
      if (!ok) await this.nap.sleep(this.nextBackoff());
      else if (this.spool.depth().messages === 0) await this.nap.sleep(this.opts.intervalMs);
    }
  }

  /** Write one batch. False when the store failed (retry later); true otherwise, including nothing to do. */
  private async drainOnce(): Promise<boolean> {
    const batch = this.spool.peek(this.opts.batchSize);
    if (!batch) return true;
    const started = Date.now();
    let stored: number;
    try {
      stored = await this.writeIsolatingRejects(batch.readings);
      this.opts.onStored?.(batch.readings);
    } catch (err) {
      this.opts.observer?.write(batch.readings.length, (Date.now() - started) / 1000, false);
      if (!this.failing) this.log.error({ err: (err as Error).message, pending: this.spool.depth() }, 'store write failed; readings stay in the spool and will be retried');
      this.failing = true;
      return false;
    }
    this.spool.ack(batch);
    this.opts.observer?.write(batch.readings.length, (Date.now() - started) / 1000, true);
    this.noteSuccess(stored, started);
    return true;
  }

  private noteSuccess(stored: number, started: number): void {
    const now = Date.now();
    this.lastWriteAt = now;
    this.lastWriteMs = now - started;
    this.counters.readingsStored += stored;
    if (this.failing) this.log.info({ pending: this.spool.depth() }, 'store writes recovered');
    this.failing = false;
    this.backoffMs = this.opts.minBackoffMs ?? 250;
  }

  /** Returns how many readings the store took; the refused ones are dead-lettered. */
  private async writeIsolatingRejects(readings: Reading[]): Promise<number> {
    try {
      await this.store.write(readings);
      return readings.length;
    } catch (err) {
      if (!(err instanceof StoreRejectedError)) throw err;
      if (readings.length === 1) {
        this.spool.deadLetter(readings[0]!, err.message, Date.now());
        this.counters.readingsDeadLettered += 1;
        this.log.error({ reading: readings[0], err: err.message }, 'store refused a reading; kept in the dead-letter table');
        return 0;
      }
      // Writes are idempotent, so re-sending the good half of a partly written batch is harmless.
      const mid = Math.ceil(readings.length / 2);
      return (await this.writeIsolatingRejects(readings.slice(0, mid))) + (await this.writeIsolatingRejects(readings.slice(mid)));
    }
  }

  private nextBackoff(): number {
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.opts.maxBackoffMs ?? 30_000);
    // Full jitter keeps many servers from hammering a recovering InfluxDB in step.
    return Math.round(delay / 2 + Math.random() * (delay / 2));
  }
}
