import type { MqttClient } from 'mqtt';
import type { SimMessage } from '../fleet.js';

export interface PublishCounts {
  /** Reading messages the broker acknowledged (status messages are not counted). */
  messages: number;
  /** Readings in those messages. */
  readings: number;
  /** Publishes that failed, and failures around them (a throwing callback, an unroutable message). */
  errors: number;
  /** Publishes sent or queued and not yet acknowledged (MQTT.js resends them after a reconnect). */
  pending: number;
  lastError?: string;
}

/**
 * Publishes with QoS 1 and keeps the books: what is in flight, what was acknowledged, what failed.
 * This is the one place where a publish error is caught; it is counted, never thrown, so a broker hiccup
 * cannot crash the simulator.
 */
export class PublishTracker {
  private readonly counts: PublishCounts = { messages: 0, readings: 0, errors: 0, pending: 0 };
  private idleWaiters: Array<() => void> = [];
  /** Woken when `pending` falls below their limit (a bounded in-flight window). */
  private belowWaiters: Array<{ limit: number; wake: () => void }> = [];

  /** `onPublished` gets the message too: a binary one (Sparkplug) has its bytes there, `payload` is base64. */
  constructor(private readonly onPublished?: (topic: string, payload: string, message: SimMessage) => void) {}

  /** @param counted false for status messages, which are not readings */
  publish(client: MqttClient, message: SimMessage, retain: boolean, counted: boolean): void {
    this.counts.pending++;
    let settled = false;
    const settle = (err?: Error | null): void => {
      if (settled) return;
      settled = true;
      this.settle(message, counted, err ?? undefined);
    };
    try {
      client.publish(message.topic, message.bytes ?? message.payload, { qos: 1, retain }, (err) => settle(err));
    } catch (err) {
      settle(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Resolves once fewer than `limit` publishes are in flight (at once if that is so already). */
  whenBelow(limit: number): Promise<void> {
    if (this.counts.pending < limit) return Promise.resolve();
    return new Promise((wake) => this.belowWaiters.push({ limit, wake }));
  }

  snapshot(): PublishCounts {
    return { ...this.counts };
  }

  /** Resolves true once nothing is in flight, or false after `timeoutMs` with publishes still unacknowledged. */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.counts.pending === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== onIdle);
        resolve(false);
      }, timeoutMs);
      const onIdle = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.idleWaiters.push(onIdle);
    });
  }

  private settle(message: SimMessage, counted: boolean, err: Error | undefined): void {
    this.counts.pending--;
    if (err) {
      this.fail(err);
    } else {
      if (counted) {
        this.counts.messages++;
        this.counts.readings += message.readings;
      }
      try {
        this.onPublished?.(message.topic, message.payload, message);
      } catch (callbackErr) {
        this.fail(callbackErr instanceof Error ? callbackErr : new Error(String(callbackErr)));
      }
    }
    if (this.belowWaiters.length > 0) {
      const ready = this.belowWaiters.filter((w) => this.counts.pending < w.limit);
      this.belowWaiters = this.belowWaiters.filter((w) => this.counts.pending >= w.limit);
      for (const w of ready) w.wake();
    }
    if (this.counts.pending === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** Counts a failure that happened around a publish rather than in it (e.g. a throwing progress callback). */
  recordError(err: unknown): void {
    this.fail(err instanceof Error ? err : new Error(String(err)));
  }

  private fail(err: Error): void {
    this.counts.errors++;
    this.counts.lastError = err.message;
  }
}
