import type { PublishCounts } from './mqtt/tracker.js';

/** A running simulation's figures. Counts cover acknowledged reading messages; status messages are not counted. */
export interface SimStats {
  /** Reading messages the broker acknowledged (PUBACK). */
  messages: number;
  /** Readings in those messages (outlets in PDU messages, 1 per miner or meter message). */
  readings: number;
  /** Failed publishes (and exceptions from onPublished); never thrown. */
  errors: number;
  /** When ticking began, ms epoch. */
  startedAt: number;
  /** Time since startedAt, frozen when the simulation has stopped. */
  elapsedMs: number;
  /** Average over elapsedMs. */
  msgsPerSec: number;
  readingsPerSec: number;
  /** Sent or queued (e.g. while the broker is away) and not yet acknowledged. */
  pending: number;
  /** Messages not published because `maxPending` were already waiting (a gateway's buffer is finite). */
  dropped: number;
  /** Ticks run, and boundaries skipped because the process stalled past them. */
  ticks: number;
  skippedTicks: number;
  /** Times a client lost its connection, and connection errors seen (MQTT.js reconnects by itself). */
  disconnects: number;
  connectionErrors: number;
  lastError?: string;
}

export interface RunCounts {
  startedAt: number;
  /** Now, or when the simulation stopped. */
  until: number;
  dropped: number;
  ticks: number;
  skippedTicks: number;
  disconnects: number;
  connectionErrors: number;
  lastConnectionError?: string;
}

export function computeStats(publish: PublishCounts, run: RunCounts): SimStats {
  const elapsedMs = Math.max(0, run.until - run.startedAt);
  const perSec = (n: number): number => (elapsedMs > 0 ? (n * 1000) / elapsedMs : 0);
  const stats: SimStats = {
    messages: publish.messages,
    readings: publish.readings,
    errors: publish.errors,
    startedAt: run.startedAt,
    elapsedMs,
    msgsPerSec: perSec(publish.messages),
    readingsPerSec: perSec(publish.readings),
    pending: publish.pending,
    dropped: run.dropped,
    ticks: run.ticks,
    skippedTicks: run.skippedTicks,
    disconnects: run.disconnects,
    connectionErrors: run.connectionErrors,
  };
  const lastError = publish.lastError ?? run.lastConnectionError;
  if (lastError !== undefined) stats.lastError = lastError;
  return stats;
}
