import { createServer, type Server } from 'node:net';
import { Aedes } from 'aedes';
import type { Logger } from 'pino';

/**
 * The in-process MQTT broker (aedes, MQTT 3.1.1) used when MQTT_URL is unset: the demo and small
 * sites need no Mosquitto. Its sessions live in memory, so they do not survive a restart of the
 * server; production deployments point MQTT_URL at Mosquitto with persistence on.
 */
export class EmbeddedBroker {
  private broker: Aedes | null = null;
  private server: Server | null = null;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly log: Logger,
  ) {}

  get url(): string {
    return `mqtt://${this.host === '0.0.0.0' ? '127.0.0.1' : this.host}:${this.port}`;
  }

  async start(): Promise<void> {
    const broker = await Aedes.createBroker();
    broker.on('clientError', (client, err) => this.log.debug({ client: client.id, err: err.message }, 'embedded broker client error'));
    const server = createServer(broker.handle);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(err.code === 'EADDRINUSE' ? new Error(`MQTT_PORT ${this.port} is in use: set MQTT_PORT to a free port, or MQTT_URL to use that broker`) : err),
      );
      server.listen(this.port, this.host, () => resolve());
    });
    this.broker = broker;
    this.server = server;
    this.log.info({ url: this.url }, 'embedded MQTT broker listening (MQTT 3.1.1)');
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.broker ? this.broker.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.broker = null;
    this.server = null;
  }
}
