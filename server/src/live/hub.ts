import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { Server, type Namespace, type Socket } from 'socket.io';
import { isId } from '../domain/ids.js';
import type { DeviceStatus, Reading } from '../domain/reading.js';
import type { ReadingSink } from '../ingest/ingestor.js';
import type { FirstRegister, Store } from '../store/store.js';
import { FRAME_INTERVAL_MS, type ClientToServerEvents, type ServerToClientEvents } from './events.js';
import { LiveState } from './state.js';

const MAX_SUBSCRIBED_SITES = 1000;

/**
 * Pushes live frames over socket.io: every client gets the facility frame, and `site:frame` only for
 * the sites it subscribed to (one room per site). Frames are built once per tick, not per reading,
 * so the cost is independent of the reading rate.
 */
export class LiveHub implements ReadingSink {
  readonly state: LiveState;
  private io: Server<ClientToServerEvents, ServerToClientEvents> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Per site: the local day whose earlier energy has been read from the store, and when to retry. */
  private readonly seeded = new Map<string, number>();
  private readonly retrySeedAt = new Map<string, number>();
  private seeding = false;
  /** Other views counting kWh today (the operations page), given the same first registers. */
  private readonly seedListeners: Array<(first: readonly FirstRegister[], day: number) => void> = [];

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    staleAfterMs: number,
    timeZoneOf: (site: string) => string = () => 'UTC',
    private readonly clock: () => number = Date.now,
  ) {
    this.state = new LiveState(staleAfterMs, timeZoneOf);
  }

  observe(readings: readonly Reading[]): void {
    this.state.observe(readings);
  }

  observeStatus(status: DeviceStatus): void {
    this.state.observeStatus(status);
  }

  get clients(): number {
    return this.io?.engine.clientsCount ?? 0;
  }

  /** Another namespace on this server's connections (the operations page's), for a part started after this. */
  namespace(name: string): Namespace {
    if (!this.io) throw new Error('live hub is not started');
    return this.io.of(name);
  }

  /** Hands every site's first registers of the day, once read from the store, to `listener` too. */
  onSeed(listener: (first: readonly FirstRegister[], day: number) => void): void {
    this.seedListeners.push(listener);
  }

  /** `gate` decides who may connect (authentication); without it everyone may. */
  start(http: HttpServer, gate?: (socket: Socket, next: (err?: Error) => void) => void): void {
    const io = new Server<ClientToServerEvents, ServerToClientEvents>(http, { serveClient: false });
    if (gate) io.use(gate);
    io.on('connection', (socket) => {
      socket.on('subscribe', (req, ack) => {
        const sites = Array.isArray(req?.sites) ? req.sites.filter(isId).slice(0, MAX_SUBSCRIBED_SITES) : null;
        if (!sites) return safeAck(ack, { ok: false, error: 'sites must be an array of site ids' });
        for (const room of socket.rooms) if (room.startsWith('site:')) void socket.leave(room);
        void socket.join(sites.map((s) => `site:${s}`));
        safeAck(ack, { ok: true, data: { sites } });
      });
      socket.on('rigs', (req, ack) => {
        if (!isId(req?.site)) return safeAck(ack, { ok: false, error: 'site must be a site id' });
        safeAck(ack, { ok: true, data: this.state.rigs(req.site, this.clock()) });
      });
    });
    this.io = io;
    this.timer = setInterval(() => this.tick(), FRAME_INTERVAL_MS);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await new Promise<void>((resolve) => (this.io ? this.io.close(() => resolve()) : resolve()));
    this.io = null;
  }

  private tick(): void {
    const now = this.clock();
    void this.seedToday(now);
    const facility = this.state.facility(now);
    const io = this.io;
    if (!io) return;
    io.emit('facility:frame', facility);
    for (const frame of facility.sites) io.to(`site:${frame.site}`).emit('site:frame', frame);
  }

  /**
   * kWh today must count what was used before this process started (or before midnight passed): once a
   * local day per site, read each outlet's first register reading of the day from the store.
   */
  private async seedToday(now: number): Promise<void> {
    if (this.seeding) return;
    this.seeding = true;
    try {
      for (const site of this.state.siteIds()) {
        const day = this.state.dayStart(site, now);
        if (this.seeded.get(site) === day || now < (this.retrySeedAt.get(site) ?? 0)) continue;
        try {
          const first = await this.store.firstRegisters({ site, from: day, to: now + 1 });
          this.state.seedToday(first, day);
          for (const listener of this.seedListeners) listener(first, day);
          this.seeded.set(site, day);
        } catch (err) {
          this.retrySeedAt.set(site, now + 30_000); // the store is down: try again later, not every tick
          this.log.warn({ site, err: (err as Error).message }, "could not read today's first registers; kWh today counts from now");
        }
      }
    } finally {
      this.seeding = false;
    }
  }
}

/** A client may send no ack callback; never let that throw inside the socket handler. */
function safeAck<T>(ack: unknown, res: T): void {
  if (typeof ack === 'function') (ack as (r: T) => void)(res);
}
