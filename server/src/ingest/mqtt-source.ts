import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Ingestor } from './ingestor.js';

export interface MqttSourceOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  /** For mqtts:// and wss://: PEM files of the CA to trust and of our client certificate and key. */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  /** 5 for MQTT 5, 4 for MQTT 3.1.1 (aedes speaks only 3.1.1). */
  protocolVersion: 4 | 5;
  subscriptions: string[];
  /**
   * Where the filters last subscribed are remembered: the broker keeps a persistent session's
   * subscriptions across restarts, so filters dropped from the configuration must be unsubscribed.
   */
  subscriptionsFile?: string;
}

export type MqttState = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'stopped';

const MIN_RECONNECT_MS = 1000;
const MAX_RECONNECT_MS = 30_000;
// A week: long enough that the broker keeps our queue through any restart or upgrade of the server.
const SESSION_EXPIRY_S = 7 * 24 * 3600;

/**
 * The broker connection. A persistent session (fixed client id, no clean start) means the broker
 * queues QoS 1 messages while we are away; each message is acknowledged only after the Ingestor
 * has made it durable, so a crash between delivery and storage leaves it with the broker.
 */
export class MqttSource {
  private client: MqttClient | null = null;
  private reconnectMs = MIN_RECONNECT_MS;
  state: MqttState = 'stopped';
  reconnects = 0;
  lastError: string | null = null;

  constructor(
    private readonly opts: MqttSourceOptions,
    private readonly ingestor: Ingestor,
    private readonly log: Logger,
  ) {}

  /** Resolves on the first connection; keeps retrying in the background if the broker is not up yet. */
  async start(): Promise<void> {
    const client = mqtt.connect(this.opts.url, this.clientOptions());
    this.client = client;
    this.state = 'connecting';
    // MQTT.js calls this one message at a time and sends the PUBACK only when `done` is called.
    client.handleMessage = (packet, done) => {
      const fail = (err: Error) => {
        // Not acknowledged: the broker keeps the message and redelivers it when the session resumes.
        this.log.error({ err: err.message, topic: packet.topic }, 'could not spool a message; left unacknowledged');
        done(err);
      };
      try {
        const pending = this.ingestor.handle(packet.topic, packet.payload as Buffer);
        if (pending) pending.then(() => done(), fail);
        else done();
      } catch (err) {
        fail(err as Error);
      }
    };
    client.on('connect', (connack) => this.onConnect(connack.sessionPresent));
    client.on('close', () => this.onClose());
    client.on('error', (err) => {
      this.lastError = err.message;
      this.log.warn({ err: err.message }, 'mqtt error');
    });
    await new Promise<void>((resolve) => {
      client.once('connect', () => resolve());
      client.once('close', () => resolve());
    });
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    // Not forced: the acknowledgements of messages already handled go out before the socket closes.
    await this.client?.endAsync(false);
    this.client = null;
  }

  /** Fire-and-forget, QoS 0, not retained: Sparkplug host commands are sent that way (Sparkplug 3.0 §6.4.16). */
  publish(topic: string, payload: Buffer | string): void {
    if (this.state !== 'connected' || !this.client) return;
    this.client.publish(topic, payload, { qos: 0, retain: false }, (err) => {
      if (err) this.log.warn({ topic, err: err.message }, 'could not publish a command');
    });
  }

  private clientOptions(): IClientOptions {
    const options: IClientOptions = {
      clientId: this.opts.clientId,
      clean: false,
      protocolVersion: this.opts.protocolVersion,
      reconnectPeriod: MIN_RECONNECT_MS,
      connectTimeout: 10_000,
      keepalive: 30,
      // We subscribe ourselves on every connection whose session the broker did not keep.
      resubscribe: false,
    };
    if (this.opts.username !== undefined) options.username = this.opts.username;
    if (this.opts.password !== undefined) options.password = this.opts.password;
    // The broker's certificate is always verified; a private CA is trusted by naming it, not by switching checks off.
    if (this.opts.tls?.ca) options.ca = this.opts.tls.ca;
    if (this.opts.tls?.cert) options.cert = this.opts.tls.cert;
    if (this.opts.tls?.key) options.key = this.opts.tls.key;
    if (this.opts.protocolVersion === 5) {
      // Receive Maximum: how many QoS 1 messages the broker may have in flight to us. A small window
      // makes a busy broker queue (and, past its limits, drop) messages for a slow subscriber.
      options.properties = { sessionExpiryInterval: SESSION_EXPIRY_S, receiveMaximum: 65_535 };
    }
    return options;
  }

  private onConnect(sessionPresent: boolean): void {
    this.state = 'connected';
    this.reconnectMs = MIN_RECONNECT_MS;
    if (this.client) this.client.options.reconnectPeriod = MIN_RECONNECT_MS;
    this.log.info({ url: redact(this.opts.url), sessionPresent }, 'mqtt connected');
    this.syncSubscriptions(sessionPresent);
  }

  /**
   * Subscribe to what the configuration asks for on every connection — a resumed session may hold an
   * older set (DIALECTS changed while the server was down) — and drop filters no longer wanted.
   */
  private syncSubscriptions(sessionPresent: boolean): void {
    const client = this.client;
    if (!client) return;
    const wanted = this.opts.subscriptions;
    const stale = sessionPresent ? this.rememberedSubscriptions().filter((t) => !wanted.includes(t)) : [];
    if (stale.length > 0) {
      client.unsubscribe(stale, (err) => {
        if (err) this.log.warn({ err: err.message, stale }, 'mqtt unsubscribe failed');
        else this.log.info({ stale }, 'mqtt unsubscribed filters no longer configured');
      });
    }
    const topics = Object.fromEntries(wanted.map((t) => [t, { qos: 1 as const }]));
    client.subscribe(topics, (err, granted) => {
      if (err) return void this.log.error({ err: err.message }, 'mqtt subscribe failed');
      this.log.info({ granted: granted?.map((g) => `${g.topic} qos${g.qos}`) }, 'mqtt subscribed');
      if (this.opts.subscriptionsFile) writeFileSync(this.opts.subscriptionsFile, `${JSON.stringify(wanted)}\n`);
    });
  }

  private rememberedSubscriptions(): string[] {
    if (!this.opts.subscriptionsFile || !existsSync(this.opts.subscriptionsFile)) return [];
    try {
      const list = JSON.parse(readFileSync(this.opts.subscriptionsFile, 'utf8')) as unknown;
      return Array.isArray(list) ? list.filter((t): t is string => typeof t === 'string') : [];
    } catch {
      return [];
    }
  }

  private onClose(): void {
    if (this.state === 'stopped') return;
    if (this.state === 'connected') this.log.warn('mqtt connection lost; reconnecting');
    this.state = 'reconnecting';
    this.reconnects += 1;
    // MQTT.js retries at a fixed period; doubling it here gives capped exponential backoff.
    this.reconnectMs = Math.min(this.reconnectMs * 2, MAX_RECONNECT_MS);
    if (this.client) this.client.options.reconnectPeriod = this.reconnectMs;
  }
}

/** Never log a password embedded in a URL. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
