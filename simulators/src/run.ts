/**
 * Runs the fleet model against a real broker: one MQTT client per PDU gateway (with a retained `offline` last
 * will) and one per site for its miners and meter; every tick's messages are published with QoS 1.
 */
import { randomBytes } from 'node:crypto';
import type { IClientOptions, MqttClient } from 'mqtt';
import type { DialectChoice } from './dialects.js';
import type { FaultEvent, FaultRequest } from './faults/types.js';
import { runFleet, type Fleet, type SimMessage } from './fleet.js';
import type { AsicModel } from './models.js';
import { connectGateways, describeError } from './mqtt/clients.js';
import { FaultReporter } from './faults/reporter.js';
import { PublishTracker } from './mqtt/tracker.js';
import { Ticker } from './schedule.js';
import { computeStats, type RunCounts, type SimStats } from './stats.js';
import type { FleetTruth, TruthRange } from './truth.js';

export type { SimStats } from './stats.js';

export interface SimulationOptions {
  /** Broker URL, e.g. mqtt://127.0.0.1:1883 (mqtts://, ws://, wss:// work too). */
  url: string;
  sites: number;
  /** Rigs per site. */
  rigs: number;
  intervalMs: number;
  seed: number;
  /** Stop by itself after this many seconds; without it, run until stop(). */
  durationS?: number;
  outletsPerPdu?: number;
  /** Client ids are `<prefix>-<gateway>`; default `kwsim-<6 random hex>` so two simulators never kick each other off. */
  clientIdPrefix?: string;
  mqtt?: Partial<IClientOptions>;
  /** After the broker acknowledged a publish (status messages included); binary payloads are base64, bytes in `message`. */
  onPublished?: (topic: string, payload: string, message: SimMessage) => void;
  /** After every tick's messages were handed to the clients, and once more when stopped. */
  onProgress?: (s: SimStats) => void;
  /** ASIC models; default simulators/data/asic-specs.csv. */
  models?: readonly AsicModel[];
  /** How long stop() waits for outstanding acknowledgements before closing anyway (default 30 000 ms). */
  drainTimeoutMs?: number;
  /** Unacknowledged messages held at most before a tick's messages are dropped (default: 10 ticks' worth, ≥ 100 000). */
  maxPending?: number;
  /**
   * Faults to inject (faults/types.ts). They fall within the run: [first tick, first tick + durationS), or its
   * first hour without a duration.
   */
  faults?: FaultRequest;
  /** Each fault once it has played out: the truth log. */
  onFault?: (event: FaultEvent) => void;
  /** false: no miner messages. Default true. */
  miners?: boolean;
  /** Keep truth checkpoints every this many ms (truth over ranges); default: the whole run only. */
  truthStepMs?: number;
  /** What the PDUs and meters speak (dialects.ts): one dialect, or `mixed`; default native. Not with faults. */
  dialect?: DialectChoice;
}

export interface Simulation {
  readonly fleet: Fleet;
  stats(): SimStats;
  /** The true register deltas so far (truth.ts): what the server must count once it has every reading. */
  truth(range?: TruthRange): FleetTruth;
  faultEvents(): readonly FaultEvent[];
  /** Stops ticking, waits for acknowledgements, publishes `offline` (retained) and closes the clients. Idempotent. */
  stop(): Promise<void>;
  /** Resolves when the simulation has stopped: after durationS, or after stop(). Never rejects. */
  readonly done: Promise<void>;
}

/** Inclusive bounds for the run options (the fleet's own are in layout.ts FLEET_LIMITS). */
export const RUN_LIMITS = {
  intervalMs: { min: 10, max: 3_600_000 },
  durationS: { min: 1, max: 31_536_000 },
} as const;

const DEFAULT_DRAIN_TIMEOUT_MS = 30_000;
/** A gateway buffers a bounded backlog while the broker is away: by default 10 ticks, at least 100 000 messages. */
const MIN_MAX_PENDING = 100_000;
const BACKLOG_TICKS = 10;
/** After a failed drain the broker is probably away: give the `offline` announcements only a short chance. */
const OFFLINE_ANNOUNCE_TIMEOUT_MS = 2_000;

/** Connects every gateway, then ticks on the wall clock. Rejects if a client cannot connect at start-up. */
export async function startSimulation(opts: SimulationOptions): Promise<Simulation> {
  checkRunOptions(opts);
  const fleet = runFleet(opts, opts.durationS !== undefined ? { durationMs: opts.durationS * 1000 } : {});
  const sim = new RunningSimulation(fleet, opts);
  await sim.connect();
  sim.start();
  return sim;
}

function checkRunOptions(opts: SimulationOptions): void {
  const { intervalMs, durationS } = opts;
  const { intervalMs: iv, durationS: dur } = RUN_LIMITS;
  if (!Number.isInteger(intervalMs) || intervalMs < iv.min || intervalMs > iv.max) {
    throw new RangeError(`intervalMs must be a whole number from ${iv.min} to ${iv.max}, got ${intervalMs}`);
  }
  if (durationS !== undefined && !(durationS >= dur.min && durationS <= dur.max)) {
    throw new RangeError(`durationS must be from ${dur.min} to ${dur.max} seconds, got ${durationS}`);
  }
}

class RunningSimulation implements Simulation {
  readonly done: Promise<void>;
  private resolveDone: () => void = () => undefined;
  private readonly tracker: PublishTracker;
  private readonly ticker: Ticker;
  private readonly counts: RunCounts = { startedAt: 0, until: 0, dropped: 0, ticks: 0, skippedTicks: 0, disconnects: 0, connectionErrors: 0 };
  private clients: MqttClient[] = [];
  /** By topic for the native gateways, by gateway name for devices (SimMessage.route). */
  private readonly route = new Map<string, MqttClient>();
  private readonly byGateway = new Map<string, MqttClient>();
  private stopping: Promise<void> | undefined;
  private stoppedAt: number | undefined;
  private endTimer: NodeJS.Timeout | undefined;
  private maxPending = MIN_MAX_PENDING;
  private readonly faults: FaultReporter;

  constructor(
    readonly fleet: Fleet,
    private readonly opts: SimulationOptions,
  ) {
    this.tracker = new PublishTracker(opts.onPublished);
    this.faults = new FaultReporter(fleet, opts.onFault, (err) => this.tracker.recordError(err));
    this.ticker = new Ticker(opts.intervalMs, (ts) => this.onTick(ts));
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  async connect(): Promise<void> {
    const gateways = this.fleet.gateways();
    this.clients = await connectGateways(gateways, {
      url: this.opts.url,
      clientIdPrefix: this.opts.clientIdPrefix ?? `kwsim-${randomBytes(3).toString('hex')}`,
      mqtt: this.opts.mqtt,
      // Every (re)connect announces the gateway again: the broker may have published its will meanwhile.
      // A Sparkplug edge node also births again, with the next tick.
      onConnect: (gateway, client) => {
        if (this.stopping) return;
        for (const message of this.fleet.connected(gateway.name)) this.tracker.publish(client, message, message.retain ?? true, false);
      },
      onClose: (gateway) => this.fleet.disconnected(gateway.name),
      onMessage: (gateway, topic, payload) => this.fleet.command(gateway.name, topic, payload),
      onOffline: () => this.counts.disconnects++,
      onError: (_gateway, err) => {
        this.counts.connectionErrors++;
        this.counts.lastConnectionError = describeError(err);
      },
    });
    const perTick = gateways.reduce((n, g) => n + g.topics.length, 0);
    this.maxPending = this.opts.maxPending ?? Math.max(MIN_MAX_PENDING, BACKLOG_TICKS * perTick);
    gateways.forEach((gateway, i) => {
      const client = this.clients[i] as MqttClient;
      for (const topic of gateway.topics) this.route.set(topic, client);
      if (gateway.statusTopic !== undefined) this.route.set(gateway.statusTopic, client);
      this.byGateway.set(gateway.name, client);
    });
  }

  start(): void {
    this.counts.startedAt = Date.now();
    this.ticker.start();
    const { durationS } = this.opts;
    if (durationS !== undefined) this.endTimer = setTimeout(() => void this.stop(), durationS * 1000);
  }

  stats(): SimStats {
    this.counts.until = this.stoppedAt ?? Date.now();
    this.counts.skippedTicks = this.ticker.skipped;
    return computeStats(this.tracker.snapshot(), this.counts);
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  truth(range?: TruthRange): FleetTruth {
    return this.fleet.truth(range);
  }

  faultEvents(): readonly FaultEvent[] {
    return this.fleet.faultEvents();
  }

  private onTick(ts: number): void {
    // A timer callback has no caller to throw to: whatever goes wrong here is counted, never thrown.
    try {
      this.counts.ticks++;
      const messages = this.fleet.tick(ts);
      if (this.tracker.snapshot().pending + messages.length > this.maxPending) {
        // The devices go on running (their registers keep counting); only this tick's readings are lost.
        this.counts.dropped += messages.length;
      } else {
        for (const message of messages) this.publish(message, false);
      }
    } catch (err) {
      this.tracker.recordError(err);
    }
    this.faults.report();
    this.progress();
  }

  /** Readings are counted; status messages are retained (unless they say otherwise) and not counted. */
  private publish(message: SimMessage, isStatus: boolean): void {
    const client = message.route !== undefined ? this.byGateway.get(message.route) : this.route.get(message.topic);
    if (client === undefined) throw new Error(`no gateway publishes ${message.topic}`);
    this.tracker.publish(client, message, message.retain ?? isStatus, !isStatus);
  }

  private async shutdown(): Promise<void> {
    this.ticker.stop();
    clearTimeout(this.endTimer);
    try {
      // Readings a fault still holds back (late, reorder) go out before the end, as the device would send them.
      for (const message of this.fleet.flush()) this.publish(message, false);
      this.faults.report();
      const drainMs = this.opts.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
      const drained = await this.tracker.drain(drainMs);
      this.announceOffline();
      const announced = await this.tracker.drain(drained ? drainMs : Math.min(drainMs, OFFLINE_ANNOUNCE_TIMEOUT_MS));
      // A clean DISCONNECT makes the broker discard the will, hence the explicit `offline` above.
      await Promise.all(this.clients.map((c) => c.endAsync(!announced).catch(() => undefined)));
    } catch (err) {
      // stop() is also called from a timer (durationS): it must never reject.
      this.tracker.recordError(err);
    } finally {
      this.stoppedAt = Date.now();
      this.progress();
      this.resolveDone();
    }
  }

  private announceOffline(): void {
    for (const message of this.fleet.statusMessages(false)) this.publish(message, true);
  }

  private progress(): void {
    try {
      this.opts.onProgress?.(this.stats());
    } catch (err) {
      this.tracker.recordError(err);
    }
  }
}
