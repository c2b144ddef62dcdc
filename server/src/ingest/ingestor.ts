import type { Logger } from 'pino';
import type { DeviceStatus, Reading } from '../domain/reading.js';
import type { OutboundMessage } from './dialect.js';
import type { IngestCounters, RejectLog } from './counters.js';
import type { TopicRouter } from './router.js';
import type { Spool } from './spool.js';

const RESUME_SHARE = 0.9;

/** Whoever wants readings as they arrive (the live hub), before they reach the store. */
export interface ReadingSink {
  observe(readings: readonly Reading[]): void;
  observeStatus(status: DeviceStatus): void;
}

/** Names readings the way the fleet file does (site, PDU outlet, rig, meter); identity without a fleet. */
export interface Binder {
  reading(r: Reading): Reading;
  /** null: the status means nothing live (a device bound to a meter). */
  status(s: DeviceStatus): DeviceStatus | null;
}

export interface IngestorDeps {
  router: TopicRouter;
  binder?: Binder;
  spool: Spool;
  sink: ReadingSink;
  counters: IngestCounters;
  rejectLog: RejectLog;
  log: Logger;
  maxFutureSkewMs: number;
  /** Messages a dialect asks to send back (Sparkplug rebirth requests). */
  publish?: (m: OutboundMessage) => void;
  /** Called after readings were spooled (to wake the writer). */
  onSpooled: () => void;
  clock?: () => number;
  /** How often a full spool is checked for room again. */
  fullPollMs?: number;
}

/**
 * One message in: decode, count, make durable, show live. When `handle` has returned (or its promise
 * resolved), the message's readings are in the spool and the broker may be acknowledged. It throws
 * when the spool cannot take them, and then the message must not be acknowledged.
 *
 * A full spool (the store has been down long enough to fill it) is not a reason to drop anything:
 * `handle` waits for room, the MQTT client stops acknowledging and reading, and the broker holds the
 * messages in our persistent session until the store catches up.
 */
export class Ingestor {
  private fullSince: number | null = null;

  constructor(private readonly d: IngestorDeps) {}

  handle(topic: string, payload: Buffer): void | Promise<void> {
    const now = (this.d.clock ?? Date.now)();
    const decoded = this.d.router.decode(topic, payload, { now, maxFutureSkewMs: this.d.maxFutureSkewMs });
    for (const rejection of decoded.rejects) {
      this.d.counters.reject(rejection.reason, decoded.dialect);
      this.d.rejectLog.note(topic, rejection, now);
    }
    for (const command of decoded.commands ?? []) this.d.publish?.(command);
    const binder = this.d.binder;
    for (const status of decoded.statuses) {
      this.d.counters.statusesReceived += 1;
      const bound = binder ? binder.status(status) : status;
      if (bound) this.d.sink.observeStatus(bound);
    }
    if (decoded.readings.length === 0) {
      this.d.counters.message(decoded.dialect, 0);
      return;
    }
    return this.submit(decoded.dialect, decoded.readings);
  }

  /**
   * Readings that did not come over MQTT (the miner API poller): the same path from here on — bound,
   * spooled, counted under their source, shown live — so they are stored exactly as if published.
   */
  submit(source: string, readings: readonly Reading[]): void | Promise<void> {
    if (readings.length === 0) return;
    const binder = this.d.binder;
    const bound = binder ? readings.map((r) => binder.reading(r)) : [...readings];
    const accept = () => {
      this.accept(bound);
      this.d.counters.message(source, bound.length);
    };
    if (!this.d.spool.hasRoom()) return this.waitForRoom().then(accept);
    accept();
  }

  /** Whether ingestion is held back by a full spool right now. */
  get blocked(): boolean {
    return this.fullSince !== null;
  }

  private accept(readings: Reading[]): void {
    this.d.spool.append(readings);
    this.d.sink.observe(readings);
    this.d.onSpooled();
  }

  private async waitForRoom(): Promise<void> {
    this.fullSince = Date.now();
    this.d.counters.spoolFullEvents += 1;
    this.d.log.error({ spool: this.d.spool.depth(), limit_bytes: this.d.spool.limitBytes }, 'spool full: not acknowledging new messages until the store takes readings; the broker holds them');
    // Resume at 90 % of the limit, not just under it: one message in, full again, would flap.
    while (!this.d.spool.hasRoom(RESUME_SHARE)) await new Promise((resolve) => setTimeout(resolve, this.d.fullPollMs ?? 100));
    this.d.log.info({ waited_ms: Date.now() - this.fullSince, spool: this.d.spool.depth() }, 'spool has room again; acknowledging resumes');
    this.fullSince = null;
  }
}
