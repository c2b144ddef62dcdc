import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { IngestCounters } from '../ingest/counters.js';
import type { SpoolDepth } from '../ingest/spool.js';

/** What the metrics read at scrape time: the live parts themselves, so nothing is counted twice. */
export interface MetricSources {
  counters: IngestCounters;
  spool: () => SpoolDepth & { full: boolean };
  mqtt: () => { connected: boolean; reconnects: number };
  socketClients: () => number;
}

/** Store writes, observed by the spool drainer as they happen. */
export interface WriteObserver {
  write(readings: number, seconds: number, ok: boolean): void;
}

/**
 * Prometheus metrics for /metrics. Counters that already exist in IngestCounters are exposed through
 * collect callbacks rather than kept twice; write latency and batch sizes are histograms fed by the
 * drainer; event-loop lag, memory and GC come from prom-client's default Node.js metrics.
 */
export function createMetrics(src: MetricSources): { registry: Registry; writes: WriteObserver } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'kilowatch_' });
  const labeled = (name: string, help: string, labelNames: string[], collect: (c: Counter) => void) =>
    new Counter({ name, help, labelNames, registers: [registry], collect(this: Counter) { this.reset(); collect(this); } });
  const gauge = (name: string, help: string, value: () => number) =>
    new Gauge({ name, help, registers: [registry], collect(this: Gauge) { this.set(value()); } });

  labeled('kilowatch_messages_received_total', 'MQTT messages taken, by dialect', ['dialect'], (c) => {
    for (const [dialect, d] of src.counters.byDialect) c.inc({ dialect }, d.messages);
  });
  labeled('kilowatch_readings_received_total', 'Valid readings taken into the spool, by dialect', ['dialect'], (c) => {
    for (const [dialect, d] of src.counters.byDialect) c.inc({ dialect }, d.readings);
  });
  labeled('kilowatch_readings_rejected_total', 'Rejected readings or messages, by dialect and reason', ['dialect', 'reason'], (c) => {
    for (const [dialect, d] of src.counters.byDialect) for (const [reason, n] of d.rejected) c.inc({ dialect, reason }, n);
  });
  labeled('kilowatch_readings_stored_total', 'Readings the store accepted', [], (c) => c.inc(src.counters.readingsStored));
  labeled('kilowatch_readings_dead_lettered_total', 'Readings the store refused for good (kept in the dead-letter table)', [], (c) => c.inc(src.counters.readingsDeadLettered));
  labeled('kilowatch_spool_full_events_total', 'Times the spool filled and acknowledging paused', [], (c) => c.inc(src.counters.spoolFullEvents));
  labeled('kilowatch_mqtt_reconnects_total', 'MQTT reconnect attempts', [], (c) => c.inc(src.mqtt().reconnects));
  gauge('kilowatch_spool_messages', 'Messages in the spool, not yet stored', () => src.spool().messages);
  gauge('kilowatch_spool_readings', 'Readings in the spool, not yet stored', () => src.spool().readings);
  gauge('kilowatch_spool_bytes', 'Size of the spooled readings', () => src.spool().bytes);
  gauge('kilowatch_spool_full', '1 while the spool is full and acknowledging is paused', () => Number(src.spool().full));
  gauge('kilowatch_mqtt_connected', '1 while connected to the broker', () => Number(src.mqtt().connected));
  gauge('kilowatch_socket_clients', 'Connected dashboard clients', () => src.socketClients());

  const latency = new Histogram({
    name: 'kilowatch_store_write_seconds', help: 'Store write latency per batch', labelNames: ['outcome'], registers: [registry],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  const batches = new Histogram({
    name: 'kilowatch_store_batch_readings', help: 'Readings per store write', registers: [registry],
    buckets: [1, 10, 50, 100, 500, 1000, 2500, 5000, 10_000, 50_000],
  });
  return {
    registry,
    writes: {
      write(readings, seconds, ok) {
        latency.observe({ outcome: ok ? 'ok' : 'error' }, seconds);
        if (ok) batches.observe(readings);
      },
    },
  };
}
