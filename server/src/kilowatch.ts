import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { createApp } from './api/app.js';
import type { HealthReport } from './api/routes/status.js';
import type { Config } from './config/config.js';
import { IngestCounters, RejectLog } from './ingest/counters.js';
import { createDialects } from './ingest/dialects/index.js';
import { SpoolDrainer } from './ingest/drainer.js';
import { EmbeddedBroker } from './ingest/embedded-broker.js';
import { Ingestor } from './ingest/ingestor.js';
import { MqttSource, redact } from './ingest/mqtt-source.js';
import { TopicRouter } from './ingest/router.js';
import { Spool } from './ingest/spool.js';
import { LiveHub } from './live/hub.js';
import { createMetrics } from './observability/metrics.js';
import { createStore } from './store/index.js';
import type { Store } from './store/store.js';

export const WEB_DIST = resolve(fileURLToPath(new URL('../../web/dist', import.meta.url)));

/**
 * The composition root: builds every part from the configuration and wires them. Parts start in
 * order (store, spool, drainer, HTTP + live hub, broker, MQTT subscription) and stop in reverse, so
 * nothing is taken from the broker before there is somewhere durable to put it, and a shutdown
 * stops taking before it flushes.
 */
export class Kilowatch {
  readonly counters = new IngestCounters();
  readonly store: Store;
  readonly spool: Spool;
  readonly live: LiveHub;
  private readonly drainer: SpoolDrainer;
  private readonly ingestor: Ingestor;
  private readonly broker: EmbeddedBroker | null;
  private readonly mqtt: MqttSource;
  private readonly http: Server;
  private readonly startedAt = Date.now();

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
    opts: { webDir?: string } = {},
  ) {
    this.store = createStore(config);
    this.spool = new Spool(join(config.DATA_DIR, 'spool.db'), config.SPOOL_MAX_MB * 1024 * 1024);
    const metrics = createMetrics({
      counters: this.counters,
      spool: () => ({ ...this.spool.depth(), full: this.ingestor.blocked }),
      mqtt: () => ({ connected: this.mqtt.state === 'connected', reconnects: this.mqtt.reconnects }),
      socketClients: () => this.live.clients,
    });
    this.drainer = new SpoolDrainer(this.spool, this.store, this.counters, log.child({ part: 'drainer' }), {
      batchSize: config.WRITE_BATCH_SIZE,
      intervalMs: config.WRITE_INTERVAL_MS,
      observer: metrics.writes,
    });
    this.live = new LiveHub(this.store, log.child({ part: 'live' }), config.STALE_AFTER_MS);
    const router = new TopicRouter(createDialects({ topicRoot: config.MQTT_TOPIC_ROOT }), config.MAX_PAYLOAD_BYTES);
    const ingestLog = log.child({ part: 'ingest' });
    this.ingestor = new Ingestor({
      router,
      spool: this.spool,
      sink: this.live,
      counters: this.counters,
      rejectLog: new RejectLog(ingestLog),
      log: ingestLog,
      maxFutureSkewMs: config.MAX_FUTURE_SKEW_MS,
      onSpooled: () => this.kickDrainer(),
    });
    this.broker = config.MQTT_URL ? null : new EmbeddedBroker(config.HOST, config.MQTT_PORT, log.child({ part: 'broker' }));
    this.mqtt = new MqttSource(
      {
        url: config.MQTT_URL ?? this.broker!.url,
        clientId: config.MQTT_CLIENT_ID,
        ...(config.MQTT_USERNAME !== undefined && { username: config.MQTT_USERNAME }),
        ...(config.MQTT_PASSWORD !== undefined && { password: config.MQTT_PASSWORD }),
        // aedes speaks MQTT 3.1.1 only.
        protocolVersion: this.broker || config.MQTT_PROTOCOL === '3.1.1' ? 4 : 5,
        subscriptions: router.subscriptions,
      },
      this.ingestor,
      log.child({ part: 'mqtt' }),
    );
    const app = createApp({
      store: this.store,
      live: this.live.state,
      health: () => this.health(),
      readiness: () => this.readiness(),
      metrics: metrics.registry,
      log,
      webDir: opts.webDir ?? WEB_DIST,
    });
    this.http = createServer(app);
  }

  /** The dashboard's address once started. */
  get url(): string {
    const addr = this.http.address() as AddressInfo;
    const host = addr.address.includes(':') ? `[${addr.address}]` : addr.address;
    return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${addr.port}`;
  }

  get mqttUrl(): string {
    return this.config.MQTT_URL ?? this.broker!.url;
  }

  async start(): Promise<void> {
    await this.store.start();
    this.spool.open();
    const pending = this.spool.depth();
    if (pending.messages > 0) this.log.info({ pending }, 'spool holds readings from before the restart; storing them first');
    this.drainer.start();
    await this.listen();
    this.live.start(this.http);
    await this.broker?.start();
    await this.mqtt.start();
    this.log.info({ dashboard: this.url, mqtt: redact(this.mqttUrl), store: this.store.status().backend }, 'kilowatch started');
  }

  /** Stop taking messages, store what was taken, close. Bounded: a dead store cannot hold shutdown forever. */
  async stop(deadlineMs = 10_000): Promise<void> {
    await this.mqtt.stop();
    await this.broker?.stop();
    await this.drainer.stop(deadlineMs);
    await this.live.stop();
    // Open keep-alive connections would hold close() forever; the API has nothing left to say.
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeAllConnections();
    await closed;
    this.spool.close();
    await this.store.stop();
    const left = this.spool.depth();
    this.log.info({ left_in_spool: left }, left.messages ? 'stopped; unstored readings stay in the spool for the next start' : 'stopped');
  }

  health(): HealthReport {
    const store = this.store.status();
    const spool = this.spool.depth();
    const mqttOk = this.mqtt.state === 'connected';
    return {
      status: mqttOk && store.ready && !this.ingestor.blocked ? 'ok' : 'degraded',
      uptime_s: Math.round((Date.now() - this.startedAt) / 1000),
      mqtt: { state: this.mqtt.state, url: redact(this.mqttUrl), embedded: this.broker !== null, reconnects: this.mqtt.reconnects, last_error: this.mqtt.lastError },
      store: { backend: store.backend, state: store.ready ? 'ready' : 'unavailable', last_error: store.lastError, last_write_at: this.drainer.lastWriteAt, last_write_ms: this.drainer.lastWriteMs },
      spool: { pending_messages: spool.messages, pending_readings: spool.readings, bytes: spool.bytes, limit_bytes: this.spool.limitBytes, full: this.ingestor.blocked },
      live: { sites: this.live.state.siteIds().length, clients: this.live.clients },
      counters: this.counters.snapshot(),
    };
  }

  /** Ready to take data: broker connected, store reachable, spool not full. Each failing check is named. */
  readiness(): { ready: boolean; failing: string[] } {
    const failing: string[] = [];
    if (this.mqtt.state !== 'connected') failing.push(`mqtt ${this.mqtt.state}`);
    if (!this.store.status().ready) failing.push(`store unavailable: ${this.store.status().lastError ?? 'not started'}`);
    if (this.ingestor.blocked) failing.push('spool full');
    return { ready: failing.length === 0, failing };
  }

  private kickDrainer(): void {
    if (this.spool.depth().readings >= this.config.WRITE_BATCH_SIZE) this.drainer.kick();
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.http.once('error', (err: NodeJS.ErrnoException) =>
        reject(err.code === 'EADDRINUSE' ? new Error(`PORT ${this.config.PORT} on ${this.config.HOST} is in use: set PORT to a free port`) : err),
      );
      this.http.listen(this.config.PORT, this.config.HOST, () => resolve());
    });
  }
}
