/**
 * Historical mode: the fleet's readings for [from, to), stamped with those times, published as fast as the
 * broker acknowledges them — to fill a store for demos and benchmarks.
 *
 * Memory stays flat however long the range: the model is advanced one tick at a time and a tick's messages are
 * handed over at most `maxInFlight` unacknowledged at once (QoS 1), so nothing is generated ahead of the broker.
 * A few connections carry everything; each topic always goes through the same one, so a device's messages keep
 * their order (the faults' order included). No `online`/`offline` status is published: retained statuses
 * describe the present, not the past.
 */
import type { IClientOptions, MqttClient } from 'mqtt';
import type { DialectChoice } from './dialects.js';
import type { FaultEvent, FaultRequest } from './faults/types.js';
import { runFleet, type Fleet, type Gateway, type SimMessage } from './fleet.js';
import type { AsicModel } from './models.js';
import { connectGateways, describeError } from './mqtt/clients.js';
import { FaultReporter } from './faults/reporter.js';
import { PublishTracker } from './mqtt/tracker.js';
import { seedFor } from './prng.js';
import { RUN_LIMITS } from './run.js';
import type { FleetTruth } from './truth.js';

export interface HistoryOptions {
  url: string;
  sites: number;
  /** Rigs per site. */
  rigs: number;
  intervalMs: number;
  seed: number;
  /** Ticks at from, from + intervalMs, … while before `to` (ms epoch). */
  from: number;
  to: number;
  outletsPerPdu?: number;
  /** Faults placed within [from, to), as in a live run. */
  faults?: FaultRequest;
  /** false: PDU and meter messages only. Default true. */
  miners?: boolean;
  /**
   * What the PDUs and meters speak (dialects.ts); default native. Sparkplug edge nodes birth at the first tick;
   * Shelly Gen1 readings carry no time, so the server files them at their arrival, not in the range.
   */
  dialect?: DialectChoice;
  /** Unacknowledged publishes at most (default 2000). */
  maxInFlight?: number;
  /** MQTT connections sharing the load (default 4). */
  connections?: number;
  /** Client ids are `<prefix>-history-<n>` (default `kwsim-hist-<pid>`). */
  clientIdPrefix?: string;
  mqtt?: Partial<IClientOptions>;
  models?: readonly AsicModel[];
  /** Keep truth checkpoints every this many ms (truth over ranges afterwards). */
  truthStepMs?: number;
  /** Aborting stops generating; what was handed over is still drained. */
  signal?: AbortSignal;
  onProgress?: (p: HistoryProgress) => void;
  /** How often onProgress is called, ms of wall time (default 1000). */
  progressEveryMs?: number;
  onFault?: (event: FaultEvent) => void;
  onPublished?: (topic: string, payload: string, message: SimMessage) => void;
  /** How long the end waits for outstanding acknowledgements (default 30 000 ms). */
  drainTimeoutMs?: number;
}

export interface HistoryProgress {
  from: number;
  to: number;
  /** The last tick generated (simulated time reached). */
  simulatedTs: number;
  ticks: number;
  totalTicks: number;
  /** Acknowledged reading messages and their readings. */
  messages: number;
  readings: number;
  pending: number;
  errors: number;
  elapsedMs: number;
  msgsPerSec: number;
  readingsPerSec: number;
  /** Wall time still needed at the pace so far; null before there is a pace. */
  etaMs: number | null;
}

export interface HistoryResult extends HistoryProgress {
  /** Stopped by the signal before `to`. */
  aborted: boolean;
  /** Every acknowledgement arrived within drainTimeoutMs. */
  drained: boolean;
  faults: readonly FaultEvent[];
  truth: FleetTruth;
  lastError?: string;
}

const DEFAULT_MAX_IN_FLIGHT = 2000;
const DEFAULT_CONNECTIONS = 4;
const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;
/** A range is at most this many ticks: 100 million is 3 years at 1 s. */
export const MAX_HISTORY_TICKS = 100_000_000;

/** The tick times of [from, to): every interval exactly once, from `from` on. */
export function* historyTicks(from: number, to: number, intervalMs: number): Generator<number> {
  for (let ts = from; ts < to; ts += intervalMs) yield ts;
}

export function checkHistoryOptions(o: Pick<HistoryOptions, 'from' | 'to' | 'intervalMs' | 'maxInFlight' | 'connections'>): void {
  const { min, max } = RUN_LIMITS.intervalMs;
  if (!Number.isInteger(o.intervalMs) || o.intervalMs < min || o.intervalMs > max) {
    throw new RangeError(`intervalMs must be a whole number from ${min} to ${max}, got ${o.intervalMs}`);
  }
  if (!Number.isSafeInteger(o.from) || !Number.isSafeInteger(o.to) || o.from < 0) throw new RangeError(`from and to must be whole ms epoch, got ${o.from} and ${o.to}`);
  if (o.to <= o.from) throw new RangeError(`to must be after from (${new Date(o.from).toISOString()} … ${new Date(o.to).toISOString()})`);
  const ticks = Math.ceil((o.to - o.from) / o.intervalMs);
  if (ticks > MAX_HISTORY_TICKS) throw new RangeError(`the range is ${ticks} ticks: at most ${MAX_HISTORY_TICKS} (use a longer interval or split it)`);
  for (const [name, value] of [['maxInFlight', o.maxInFlight], ['connections', o.connections]] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1 && value <= 100_000)) throw new RangeError(`${name} must be a whole number from 1 to 100000, got ${value}`);
  }
}

/** Connects, publishes the range, drains, disconnects. Rejects only if the broker cannot be reached at the start. */
export async function runHistory(opts: HistoryOptions): Promise<HistoryResult> {
  const fleet = historyFleet(opts);
  const n = opts.connections ?? DEFAULT_CONNECTIONS;
  const gateways: Gateway[] = Array.from({ length: n }, (_, i) => ({ name: `history-${i + 1}`, kind: 'site', site: '', topics: [] }));
  let lastConnectionError: string | undefined;
  const clients = await connectGateways(gateways, {
    url: opts.url,
    clientIdPrefix: opts.clientIdPrefix ?? `kwsim-hist-${process.pid}`,
    mqtt: opts.mqtt,
    onConnect: () => undefined,
    onOffline: () => undefined,
    // MQTT.js reconnects by itself and resends what is unacknowledged: the window waits meanwhile.
    onError: (_g, err) => (lastConnectionError = describeError(err)),
  });
  try {
    const result = await publishHistory(fleet, clients, opts);
    return result.lastError === undefined && lastConnectionError !== undefined ? { ...result, lastError: lastConnectionError } : result;
  } finally {
    await Promise.all(clients.map((c) => c.endAsync().catch(() => undefined)));
  }
}

/** The fleet of a historical run, faults placed within [from, to). Throws a RangeError for options out of bounds. */
export function historyFleet(opts: HistoryOptions): Fleet {
  checkHistoryOptions(opts);
  return runFleet(opts, { from: opts.from, to: opts.to });
}

/** Publishes the fleet's ticks over [from, to) through connected clients (the loop of runHistory, without connecting). */
export function publishHistory(fleet: Fleet, clients: readonly MqttClient[], opts: HistoryOptions): Promise<HistoryResult> {
  if (clients.length === 0) throw new RangeError('no MQTT client to publish with');
  return new HistoryRun(fleet, clients, new PublishTracker(opts.onPublished), opts).run();
}

class HistoryRun {
  private readonly startedAt = Date.now();
  private readonly maxInFlight: number;
  private readonly totalTicks: number;
  private ticks = 0;
  private simulatedTs: number;
  private lastProgressAt = this.startedAt;
  private readonly faults: FaultReporter;
  private readonly aborted: Promise<void>;

  constructor(
    private readonly fleet: Fleet,
    private readonly clients: readonly MqttClient[],
    private readonly tracker: PublishTracker,
    private readonly opts: HistoryOptions,
  ) {
    this.maxInFlight = opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    this.faults = new FaultReporter(fleet, opts.onFault, (err) => tracker.recordError(err));
    this.totalTicks = Math.ceil((opts.to - opts.from) / opts.intervalMs);
    this.simulatedTs = opts.from;
    const signal = opts.signal;
    this.aborted = new Promise((resolve) => {
      if (signal?.aborted) resolve();
      signal?.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  async run(): Promise<HistoryResult> {
    const { from, to, intervalMs, signal } = this.opts;
    for (const ts of historyTicks(from, to, intervalMs)) {
      if (signal?.aborted) break;
      if (!(await this.publishAll(this.fleet.tick(ts)))) break;
      this.ticks++;
      this.simulatedTs = ts;
      this.faults.report();
      if (Date.now() - this.lastProgressAt >= (this.opts.progressEveryMs ?? 1000)) this.progress();
    }
    // Whatever faults still hold back goes out last, as the device would send it.
    await this.publishAll(this.fleet.flush(), true);
    this.faults.report();
    const drained = await this.tracker.drain(this.opts.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS);
    const snapshot = this.tracker.snapshot();
    return {
      ...this.figures(),
      aborted: signal?.aborted === true && this.ticks < this.totalTicks,
      drained,
      faults: this.fleet.faultEvents(),
      truth: this.fleet.truth(),
      ...(snapshot.lastError !== undefined && { lastError: snapshot.lastError }),
    };
  }

  /** Hands the messages over, waiting whenever the window is full; false if aborted while waiting. */
  private async publishAll(messages: readonly SimMessage[], evenIfAborted = false): Promise<boolean> {
    for (const message of messages) {
      if (this.tracker.snapshot().pending >= this.maxInFlight) {
        await Promise.race([this.tracker.whenBelow(this.maxInFlight), evenIfAborted ? new Promise<void>(() => undefined) : this.aborted]);
        if (!evenIfAborted && this.opts.signal?.aborted) return false;
      }
      this.tracker.publish(this.clientFor(message), message, false, true);
    }
    return true;
  }

  /**
   * The same connection for every message of a device: a native topic, or a device of another dialect as a whole
   * (a Sparkplug node's births, DATA and seq order span several topics).
   */
  private clientFor(message: SimMessage): MqttClient {
    return this.clients[seedFor(0, message.route ?? message.topic) % this.clients.length] as MqttClient;
  }

  private progress(): void {
    this.lastProgressAt = Date.now();
    try {
      this.opts.onProgress?.(this.figures());
    } catch (err) {
      this.tracker.recordError(err);
    }
  }

  private figures(): HistoryProgress {
    const s = this.tracker.snapshot();
    const elapsedMs = Math.max(0, Date.now() - this.startedAt);
    const perSec = (n: number): number => (elapsedMs > 0 ? (n * 1000) / elapsedMs : 0);
    const done = this.ticks / this.totalTicks;
    return {
      from: this.opts.from,
      to: this.opts.to,
      simulatedTs: this.simulatedTs,
      ticks: this.ticks,
      totalTicks: this.totalTicks,
      messages: s.messages,
      readings: s.readings,
      pending: s.pending,
      errors: s.errors,
      elapsedMs,
      msgsPerSec: perSec(s.messages),
      readingsPerSec: perSec(s.readings),
      etaMs: done > 0 && elapsedMs > 0 ? Math.round((elapsedMs * (1 - done)) / done) : null,
    };
  }
}
