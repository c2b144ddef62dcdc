import type { Logger } from 'pino';
import { REJECT_REASONS, type Rejection, type RejectReason } from '../domain/errors.js';

/** What came in and where it went, since start. Served by /api/health. */
export class IngestCounters {
  messagesReceived = 0;
  readingsReceived = 0;
  readingsStored = 0;
  readingsRejected = 0;
  readingsDeadLettered = 0;
  statusesReceived = 0;
  /** Times the spool filled up and acknowledging paused. */
  spoolFullEvents = 0;
  readonly rejectedByReason = Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>;
  /** Per dialect: messages, readings accepted, and rejections by reason (for /metrics). */
  readonly byDialect = new Map<string, { messages: number; readings: number; rejected: Map<RejectReason, number> }>();

  message(dialect: string, readings: number): void {
    this.messagesReceived += 1;
    this.readingsReceived += readings;
    const d = this.dialect(dialect);
    d.messages += 1;
    d.readings += readings;
  }

  reject(reason: RejectReason, dialect = 'none'): void {
    this.readingsRejected += 1;
    this.rejectedByReason[reason] += 1;
    const d = this.dialect(dialect);
    d.rejected.set(reason, (d.rejected.get(reason) ?? 0) + 1);
  }

  private dialect(name: string) {
    let d = this.byDialect.get(name);
    if (!d) {
      d = { messages: 0, readings: 0, rejected: new Map() };
      this.byDialect.set(name, d);
    }
    return d;
  }

  snapshot() {
    return {
      messages_received: this.messagesReceived,
      readings_received: this.readingsReceived,
      readings_stored: this.readingsStored,
      readings_rejected: this.readingsRejected,
      readings_dead_lettered: this.readingsDeadLettered,
      statuses_received: this.statusesReceived,
      spool_full_events: this.spoolFullEvents,
      rejected_by_reason: { ...this.rejectedByReason },
    };
  }
}

/**
 * Logs rejections without flooding the log: the first of each reason at once (with its topic and
 * message), then at most one summary line per reason and window saying how many were held back.
 */
export class RejectLog {
  private readonly windows = new Map<RejectReason, { since: number; suppressed: number }>();

  constructor(
    private readonly log: Logger,
    private readonly windowMs = 10_000,
  ) {}

  note(topic: string, rejection: Rejection, now: number): void {
    const w = this.windows.get(rejection.reason);
    if (w && now - w.since < this.windowMs) {
      w.suppressed += 1;
      return;
    }
    const suppressed = w?.suppressed ?? 0;
    this.windows.set(rejection.reason, { since: now, suppressed: 0 });
    this.log.warn({ topic, reason: rejection.reason, suppressed }, `rejected: ${rejection.message}${suppressed ? ` (+${suppressed} more of this reason not logged)` : ''}`);
  }
}
