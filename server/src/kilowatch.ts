import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { createApp } from './api/app.js';
import { authEnabled, type AuthState } from './auth/middleware.js';
import { socketAuth } from './auth/socket.js';
import { AuthStore } from './auth/store.js';
import type { HealthReport } from './api/routes/status.js';
import { ConfigError, type Config } from './config/config.js';
import { IngestCounters, RejectLog } from './ingest/counters.js';
import { createDialects } from './ingest/dialects/index.js';
import { readDialectOptions } from './ingest/dialects/options-file.js';
import { SpoolDrainer } from './ingest/drainer.js';
import { EmbeddedBroker } from './ingest/embedded-broker.js';
import { Ingestor } from './ingest/ingestor.js';
import { MqttSource, redact } from './ingest/mqtt-source.js';
import { TopicRouter } from './ingest/router.js';
import { Spool } from './ingest/spool.js';
import { OPS_NAMESPACE } from './live/events.js';
import { LiveHub } from './live/hub.js';
import { FleetSource } from './fleet/loader.js';
import { UnassignedDevices } from './fleet/unassigned.js';
import { MinerPoller } from './miners/poller.js';
import { OperationsHub } from './operations/hub.js';
import { createMetrics } from './observability/metrics.js';
import type { SeriesSettings } from './energy/settings.js';
import { RollupEngine } from './rollup/engine.js';
import { DirtyLedger } from './rollup/ledger.js';
import { RangeReader } from './rollup/reader.js';
import { createStore } from './store/index.js';
import type { Store } from './store/store.js';
import { AuditLog } from './audit/log.js';
import { ExportRegistry } from './exports/registry.js';

export const WEB_DIST = resolve(fileURLToPath(new URL('../../web/dist', import.meta.url)));

/**
 * The composition root: builds every part from the configuration and wires them. Parts start in
 * order (users, audit log, fleet, store, spool, rollups, drainer, HTTP + live hub + operations, broker,
 * MQTT subscription, miner polling) and stop in reverse, so
 * nothing is taken from the broker before there is somewhere durable to put it, and a shutdown
 * stops taking before it flushes.
 */
export class Kilowatch {
  readonly counters = new IngestCounters();
  readonly store: Store;
  readonly spool: Spool;
  readonly live: LiveHub;
  readonly auth: AuthState;
  readonly rollups: RollupEngine;
  readonly fleet: FleetSource;
  readonly unassigned = new UnassignedDevices();
  readonly miners: MinerPoller;
  readonly operations: OperationsHub;
  /** Who viewed or exported what (hash-chained), and the manifests of every export. */
  readonly audit: AuditLog;
  readonly exports: ExportRegistry;
  private readonly drainer: SpoolDrainer;
  private readonly ingestor: Ingestor;
  private readonly broker: EmbeddedBroker | null;
  private readonly mqtt: MqttSource;
  private readonly http: Server;
  private readonly startedAt = Date.now();
  /** How to stop each part that has started, in start order; stop() runs them backwards. */
  private readonly started: (() => unknown)[] = [];
  private stopDeadlineMs = 10_000;

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
    opts: { webDir?: string } = {},
  ) {
    this.store = createStore(config);
    this.auth = { store: new AuthStore(join(config.DATA_DIR, 'auth.db'), config.SESSION_TTL_HOURS * 3_600_000), forced: config.AUTH === 'on' };
    this.spool = new Spool(join(config.DATA_DIR, 'spool.db'), config.SPOOL_MAX_MB * 1024 * 1024);
    this.audit = new AuditLog(join(config.DATA_DIR, 'audit.db'));
    this.exports = new ExportRegistry(join(config.DATA_DIR, 'exports'), softwareVersion());
    const metrics = createMetrics({
      counters: this.counters,
      spool: () => ({ ...this.spool.depth(), full: this.ingestor.blocked }),
      mqtt: () => ({ connected: this.mqtt.state === 'connected', reconnects: this.mqtt.reconnects }),
      socketClients: () => this.live.clients,
    });
    // The fleet is read when used, not captured: a reload changes the settings of every later answer.
    const settings: SeriesSettings = {
      optionsOf: (site, kind, key) => this.fleet.current.optionsOf(site, kind, key),
      fingerprint: (site) => this.fleet.current.fingerprint(site),
    };
    this.rollups = new RollupEngine(this.store, new DirtyLedger(join(config.DATA_DIR, 'rollup.db')), log.child({ part: 'rollups' }), { settings });
    this.drainer = new SpoolDrainer(this.spool, this.store, this.counters, log.child({ part: 'drainer' }), {
      batchSize: config.WRITE_BATCH_SIZE,
      intervalMs: config.WRITE_INTERVAL_MS,
      observer: metrics.writes,
      onStored: (readings) => this.rollups.noteStored(readings),
    });
    this.fleet = new FleetSource(config.FLEET_FILE, log.child({ part: 'fleet' }), () => {
      this.unassigned.clear();
      this.rollups.settingsChanged();
    });
    this.live = new LiveHub(this.store, log.child({ part: 'live' }), config.STALE_AFTER_MS, (site) => this.fleet.current.timeZoneOf(site));
    this.operations = new OperationsHub({
      live: this.live.state, fleet: () => this.fleet.current, dataDir: config.DATA_DIR, staleMs: config.STALE_AFTER_MS,
      webhook: { url: config.ALERT_WEBHOOK_URL, attempts: config.ALERT_WEBHOOK_ATTEMPTS, secret: config.ALERT_WEBHOOK_SECRET },
      retentionDays: config.ALERT_RETENTION_DAYS, log: log.child({ part: 'operations' }),
    });
    // One read of each site's first registers a day, for both views' kWh today.
    this.live.onSeed((first, day) => this.operations.seedToday(first, day));
    const router = new TopicRouter(
      createDialects({ ...readDialectOptions(config.DIALECT_OPTIONS_FILE), topicRoot: config.MQTT_TOPIC_ROOT, subscribe: config.DIALECTS }),
      config.MAX_PAYLOAD_BYTES,
    );
    const ingestLog = log.child({ part: 'ingest' });
    this.ingestor = new Ingestor({
      router,
      spool: this.spool,
      binder: { reading: (r) => this.fleet.current.bind(r), status: (s) => this.fleet.current.bindStatus(s) },
      sink: {
        observe: (readings) => {
          this.live.observe(readings);
          this.operations.observe(readings);
          this.unassigned.observe(readings);
        },
        observeStatus: (status) => {
          this.live.observeStatus(status);
          this.operations.observeStatus(status);
        },
      },
      counters: this.counters,
      rejectLog: new RejectLog(ingestLog),
      log: ingestLog,
      maxFutureSkewMs: config.MAX_FUTURE_SKEW_MS,
      onSpooled: () => this.kickDrainer(),
      publish: (m) => this.mqtt.publish(m.topic, m.payload),
    });
    this.miners = new MinerPoller(() => this.fleet.current, (readings) => this.ingestor.submit('miner-api', readings), log.child({ part: 'miners' }));
    this.broker = config.MQTT_URL ? null : new EmbeddedBroker(config.HOST, config.MQTT_PORT, log.child({ part: 'broker' }));
    this.mqtt = new MqttSource(
      {
        url: config.MQTT_URL ?? this.broker!.url,
        clientId: config.MQTT_CLIENT_ID,
        ...(config.MQTT_USERNAME !== undefined && { username: config.MQTT_USERNAME }),
        ...(config.MQTT_PASSWORD !== undefined && { password: config.MQTT_PASSWORD }),
        tls: readTlsFiles(config),
        // aedes speaks MQTT 3.1.1 only.
        protocolVersion: this.broker || config.MQTT_PROTOCOL === '3.1.1' ? 4 : 5,
        subscriptions: router.subscriptions,
        subscriptionsFile: join(config.DATA_DIR, 'mqtt-subscriptions.json'),
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
      fleet: () => this.fleet.current,
      operations: this.operations,
      energy: { reader: new RangeReader(this.store, this.rollups), sites: { timeZoneOf: (site) => this.fleet.current.timeZoneOf(site) } },
      unassigned: this.unassigned,
      audit: { log: this.audit, exports: this.exports, rollups: this.rollups },
      auth: { state: this.auth, options: { sessionTtlMs: config.SESSION_TTL_HOURS * 3_600_000, secureCookies: config.COOKIE_SECURE, loginAttempts: config.LOGIN_ATTEMPTS } },
      trustProxy: config.TRUST_PROXY,
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
    try {
      await this.openAuth();
      this.started.push(() => this.auth.store.close());
      this.audit.open();
      this.started.push(() => this.audit.close());
      this.fleet.start();
      this.started.push(() => this.fleet.stop());
      await this.store.start();
      this.started.push(() => this.store.stop());
      this.spool.open();
      this.started.push(() => this.closeSpool());
      await this.rollups.start();
      this.started.push(() => this.rollups.stop());
      const pending = this.spool.depth();
      if (pending.messages > 0) this.log.info({ pending }, 'spool holds readings from before the restart; storing them first');
      this.drainer.start();
      this.started.push(() => this.drainer.stop(this.stopDeadlineMs));
      await this.listen();
      this.started.push(() => this.closeHttp());
      this.live.start(this.http, socketAuth(this.auth));
      this.started.push(() => this.live.stop());
      this.operations.start(this.live.namespace(OPS_NAMESPACE), socketAuth(this.auth));
      this.started.push(() => this.operations.stop());
      if (this.broker) {
        await this.broker.start();
        this.started.push(() => this.broker!.stop());
      }
      this.started.push(() => this.mqtt.stop());
      await this.mqtt.start();
      this.miners.start();
      this.started.push(() => this.miners.stop());
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.log.info({ dashboard: this.url, mqtt: redact(this.mqttUrl), store: this.store.status().backend }, 'kilowatch started');
  }

  /**
   * Stop in reverse order of start: stop taking messages, store what was taken (bounded: a dead store
   * cannot hold shutdown forever; what is left stays in the spool), close. Safe after a failed start.
   */
  async stop(deadlineMs = 10_000): Promise<void> {
    this.stopDeadlineMs = deadlineMs;
    for (let part = this.started.pop(); part; part = this.started.pop()) await part();
  }

  private closeSpool(): void {
    const left = this.spool.depth();
    this.spool.close();
    this.log.info({ left_in_spool: left }, left.messages ? 'stopped; unstored readings stay in the spool for the next start' : 'stopped');
  }

  private async closeHttp(): Promise<void> {
    // Open keep-alive connections would hold close() forever; the API has nothing left to say.
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.http.closeAllConnections();
    await closed;
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
      miner_api: this.miners.counts,
      unassigned_devices: this.unassigned.size,
      counters: this.counters.snapshot(),
    };
  }

  /**
   * Secure by default, as Mosquitto 2 is: with no user and AUTH unset the server is open, so it may
   * listen on loopback only. KILOWATCH_ADMIN_PASSWORD creates the first admin (containers).
   */
  private async openAuth(): Promise<void> {
    this.auth.store.open();
    const c = this.config;
    if (!this.auth.store.hasUsers && c.KILOWATCH_ADMIN_PASSWORD) {
      await this.auth.store.addUser(c.KILOWATCH_ADMIN_USER, 'admin', c.KILOWATCH_ADMIN_PASSWORD);
      this.log.info({ user: c.KILOWATCH_ADMIN_USER }, 'created the first admin from KILOWATCH_ADMIN_PASSWORD');
    }
    if (authEnabled(this.auth)) {
      this.log.info({ users: this.auth.store.listUsers().length }, 'authentication on: every data route and the live socket need a session or an API token');
      return;
    }
    if (!isLoopback(c.HOST)) {
      throw new Error(
        `HOST=${c.HOST} would open the dashboard and API to the network with authentication off. ` +
          'Create a user first (npm run user -- add NAME --role admin), or set KILOWATCH_ADMIN_PASSWORD, or listen on 127.0.0.1.',
      );
    }
    this.log.warn(`authentication off: open to anyone who can reach ${c.HOST}:${c.PORT} on this machine (create a user with npm run user -- add NAME --role admin)`);
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

/** package.json's version: what export manifests name as the software that made them. */
function softwareVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** PEM files for the broker connection, read once at start-up; a missing file is a configuration error. */
function readTlsFiles(c: Config): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  const read = (key: 'MQTT_CA_FILE' | 'MQTT_CERT_FILE' | 'MQTT_KEY_FILE') => {
    const path = c[key];
    if (path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch (err) {
      throw new ConfigError(`${key}: cannot read ${path}: ${(err as Error).message}`);
    }
  };
  const files = { ca: read('MQTT_CA_FILE'), cert: read('MQTT_CERT_FILE'), key: read('MQTT_KEY_FILE') };
  if ((files.cert === undefined) !== (files.key === undefined)) throw new ConfigError('MQTT_CERT_FILE and MQTT_KEY_FILE go together');
  return Object.fromEntries(Object.entries(files).filter(([, v]) => v !== undefined));
}
