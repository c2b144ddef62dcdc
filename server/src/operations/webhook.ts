import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import type { AlertStore, OutboxItem } from './alert-store.js';
import type { AlertChange } from './contract.js';

/**
 * Alert changes to a webhook: a JSON POST per change, from a durable outbox (alerts.db), in order, retried
 * with exponential backoff (1 s, 2 s, 4 s … capped at 5 min) until `attempts` tries have failed. A 2xx is
 * delivered; a 4xx other than 408/429 will never succeed and is dropped at once (logged); anything else
 * (5xx, timeout, refused connection) is retried. With a secret, the body is signed:
 * `X-Kilowatch-Signature: sha256=<hex HMAC-SHA256 of the body>`.
 */
export interface WebhookOptions {
  url: string;
  attempts: number;
  secret?: string | undefined;
  timeoutMs?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  clock?: () => number;
}

export interface WebhookBody extends AlertChange {
  event: `alert.${AlertChange['change']}`;
  sent_by: 'kilowatch';
}

const BATCH = 50;

export class WebhookSender {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private readonly clock: () => number;
  delivered = 0;
  failed = 0;

  constructor(
    private readonly store: AlertStore,
    private readonly opts: WebhookOptions,
    private readonly log: Logger,
  ) {
    this.clock = opts.clock ?? Date.now;
  }

  start(): void {
    this.stopped = false;
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Queue a change for delivery (durably) and send it as soon as the queue allows. */
  send(change: AlertChange): void {
    const body: WebhookBody = { event: `alert.${change.change}`, ...change, sent_by: 'kilowatch' };
    this.store.enqueue(JSON.stringify(body), this.clock());
    this.kick();
  }

  /** The delay before try number `attempt + 1`, after `attempt` failures. */
  backoff(attempt: number): number {
    return Math.min(this.opts.maxBackoffMs ?? 300_000, (this.opts.backoffMs ?? 1000) * 2 ** (attempt - 1));
  }

  private kick(): void {
    if (this.stopped || this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running = this.drain().finally(() => {
      this.running = null;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.stopped) return;
    const next = this.store.queued(1)[0];
    if (!next) return;
    this.timer = setTimeout(() => this.kick(), Math.max(0, next.next_at - this.clock()));
  }

  private async drain(): Promise<void> {
    for (let items = this.store.queued(BATCH); items.length > 0; items = this.store.queued(BATCH)) {
      for (const item of items) {
        // In order: a later change never overtakes an earlier one that is waiting to be retried.
        if (this.stopped || item.next_at > this.clock() || !(await this.deliver(item))) return;
      }
    }
  }

  /** True when the item is done with (delivered or dropped); false when it waits for a retry. */
  private async deliver(item: OutboxItem): Promise<boolean> {
    const result = await this.post(item.body);
    const attempts = item.attempts + 1;
    if (result.ok) {
      this.store.delivered(item.id);
      this.delivered += 1;
      return true;
    }
    if (result.permanent || attempts >= this.opts.attempts) {
      this.store.delivered(item.id);
      this.failed += 1;
      this.log.error({ url: this.opts.url, attempts, error: result.error }, 'alert webhook: giving up on a notification');
      return true;
    }
    const wait = this.backoff(attempts);
    this.store.retryLater(item.id, attempts, this.clock() + wait, result.error);
    this.log.warn({ url: this.opts.url, attempts, retry_in_ms: wait, error: result.error }, 'alert webhook failed; will retry');
    return false;
  }

  private async post(body: string): Promise<{ ok: boolean; permanent: boolean; error: string }> {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'kilowatch-alerts' };
    if (this.opts.secret) headers['x-kilowatch-signature'] = `sha256=${createHmac('sha256', this.opts.secret).update(body).digest('hex')}`;
    try {
      const res = await fetch(this.opts.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000), redirect: 'error' });
      await res.body?.cancel();
      if (res.ok) return { ok: true, permanent: false, error: '' };
      const permanent = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
      return { ok: false, permanent, error: `HTTP ${res.status}` };
    } catch (err) {
      return { ok: false, permanent: false, error: (err as Error).message };
    }
  }
}
