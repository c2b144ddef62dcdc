import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Gateway } from '../fleet.js';

export interface GatewayConnectOptions {
  url: string;
  clientIdPrefix: string;
  /** Passed to MQTT.js under ours (credentials, keepalive, reconnectPeriod, TLS, protocolVersion …). */
  mqtt?: Partial<IClientOptions>;
  /** Every (re)connect of a gateway's client, the first one included. */
  onConnect: (gateway: Gateway, client: MqttClient) => void;
  /** Connection trouble after start-up (MQTT.js goes on reconnecting by itself). */
  onOffline: (gateway: Gateway) => void;
  onError: (gateway: Gateway, err: Error) => void;
  /** The connection closed (MQTT.js reconnects by itself): may return the will for the next attempt. */
  onClose?: (gateway: Gateway) => Gateway['will'];
  /** A message on one of the gateway's `commands` topics, which are subscribed on every connect. */
  onMessage?: (gateway: Gateway, topic: string, payload: Buffer) => void;
  /** How many clients may be connecting at once (default 50): thousands of PDUs must not all dial in one burst. */
  concurrency?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

/**
 * Connects one client per gateway and resolves once every one has its first CONNACK. A PDU gateway's client
 * carries a retained `offline` last will on its status topic, as the real gateway would; a device of another
 * dialect carries its own (`Gateway.will`). If any client cannot connect, all are closed and the first error is
 * thrown (the caller's one boundary reports it).
 */
export async function connectGateways(gateways: readonly Gateway[], opts: GatewayConnectOptions): Promise<MqttClient[]> {
  const clients: Array<MqttClient | undefined> = new Array(gateways.length);
  const opened: MqttClient[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < gateways.length) {
      const index = next++;
      const client = openClient(gateways[index] as Gateway, opts);
      opened.push(client);
      await firstConnect(client, opts);
      clients[index] = client;
    }
  };
  const workers = Array.from({ length: Math.min(opts.concurrency ?? 50, gateways.length) }, worker);
  try {
    await Promise.all(workers);
  } catch (err) {
    next = gateways.length; // stop the other workers from opening more
    await Promise.all(opened.map((c) => c.endAsync(true).catch(() => undefined)));
    throw err;
  }
  return clients as MqttClient[];
}

function openClient(gateway: Gateway, opts: GatewayConnectOptions): MqttClient {
  const options: IClientOptions = {
    clean: true,
    reconnectPeriod: 1000,
    connectTimeout: DEFAULT_CONNECT_TIMEOUT_MS,
    ...opts.mqtt,
    clientId: `${opts.clientIdPrefix}-${gateway.name}`,
  };
  if (gateway.will !== undefined) options.will = mqttWill(gateway.will);
  else if (gateway.statusTopic !== undefined) {
    options.will = { topic: gateway.statusTopic, payload: Buffer.from('offline'), qos: 1, retain: true };
  }
  const client = mqtt.connect(opts.url, options);
  client.on('connect', () => {
    if (gateway.commands?.length) client.subscribe(gateway.commands, { qos: 0 });
    opts.onConnect(gateway, client);
  });
  if (opts.onClose) {
    const onClose = opts.onClose;
    // MQTT.js builds each CONNECT from client.options, so a will set here goes with the next attempt.
    client.on('close', () => {
      const will = onClose(gateway);
      if (will !== undefined) client.options.will = mqttWill(will);
    });
  }
  if (opts.onMessage && gateway.commands?.length) {
    const onMessage = opts.onMessage;
    client.on('message', (topic, payload) => onMessage(gateway, topic, payload));
  }
  client.on('offline', () => opts.onOffline(gateway));
  // Without an 'error' listener an EventEmitter throws: count it and let MQTT.js reconnect.
  client.on('error', (err) => opts.onError(gateway, err));
  return client;
}

function mqttWill(will: NonNullable<Gateway['will']>): NonNullable<IClientOptions['will']> {
  return { topic: will.topic, payload: typeof will.payload === 'string' ? Buffer.from(will.payload) : will.payload, qos: 1, retain: will.retain };
}

/** Resolves on the first CONNACK; rejects on an error or when no CONNACK came within the connect timeout. */
function firstConnect(client: MqttClient, opts: GatewayConnectOptions): Promise<void> {
  const timeoutMs = opts.mqtt?.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const done = (err?: Error): void => {
      clearTimeout(timer);
      client.off('connect', onConnect);
      client.off('error', onError);
      if (err) reject(err);
      else resolve();
    };
    const onConnect = (): void => done();
    const where = redactUrl(opts.url);
    const onError = (err: Error): void =>
      done(new Error(`MQTT client ${client.options.clientId} could not connect to ${where}: ${describeError(err)}`));
    const timer = setTimeout(
      () => done(new Error(`MQTT client ${client.options.clientId}: no CONNACK from ${where} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    client.on('connect', onConnect);
    client.on('error', onError);
  });
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** Node's connect errors can be an AggregateError with an empty message (IPv6 then IPv4 attempts). */
export function describeError(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (err.message !== '') return err.message;
  if (err instanceof AggregateError && err.errors.length > 0) {
    return err.errors.map((e: unknown) => (e instanceof Error ? describeError(e) : String(e))).join('; ');
  }
  return code ?? err.name;
}
