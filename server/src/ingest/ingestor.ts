import type { DeviceStatus, Reading } from '../domain/reading.js';
import type { IngestCounters, RejectLog } from './counters.js';
import type { TopicRouter } from './router.js';
import type { Spool } from './spool.js';

/** Whoever wants readings as they arrive (the live hub), before they reach the store. */
export interface ReadingSink {
  observe(readings: readonly Reading[]): void;
  observeStatus(status: DeviceStatus): void;
}

/**
 * One message in: decode, count, make durable, show live. Synchronous on purpose: when `handle`
 * returns, the message's readings are in the spool and the broker may be acknowledged. It throws
 * only when the spool cannot take them, and then the message must not be acknowledged.
 */
export class Ingestor {
  constructor(
    private readonly router: TopicRouter,
    private readonly spool: Spool,
    private readonly sink: ReadingSink,
    private readonly counters: IngestCounters,
    private readonly rejectLog: RejectLog,
    private readonly maxFutureSkewMs: number,
    private readonly onSpooled: () => void,
    private readonly clock: () => number = Date.now,
  ) {}

  handle(topic: string, payload: Buffer): void {
    const now = this.clock();
    const decoded = this.router.decode(topic, payload, { now, maxFutureSkewMs: this.maxFutureSkewMs });
    this.counters.messagesReceived += 1;
    for (const rejection of decoded.rejects) {
      this.counters.reject(rejection.reason);
      this.rejectLog.note(topic, rejection, now);
    }
    if (decoded.readings.length > 0) {
      this.spool.append(decoded.readings);
      this.counters.readingsReceived += decoded.readings.length;
      this.sink.observe(decoded.readings);
      this.onSpooled();
    }
    for (const status of decoded.statuses) {
      this.counters.statusesReceived += 1;
      this.sink.observeStatus(status);
    }
  }
}
