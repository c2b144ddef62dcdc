import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Namespace, Socket } from 'socket.io';
import { loadAsicSpecs } from '../../../simulators/src/models.js';
import type { DeviceStatus, Reading } from '../domain/reading.js';
import { NameplateTable, type Nameplate } from '../energy/nameplate.js';
import type { FleetRegistry } from '../fleet/registry.js';
import type { ReadingSink } from '../ingest/ingestor.js';
import { FRAME_INTERVAL_MS, type OpsClientToServerEvents, type OpsServerToClientEvents } from '../live/events.js';
import type { LiveState } from '../live/state.js';
import type { FirstRegister } from '../store/store.js';
import { AlertStore } from './alert-store.js';
import { AlertService } from './alerts.js';
import type { AlertRecord, OpsNodeView } from './contract.js';
import { detect } from './detectors.js';
import { alertCounts, capacityReport, nodeFrame } from './frames.js';
import { NodeHistory } from './history.js';
import { resolveRules, type Rules } from './rules.js';
import { buildSnapshot, type Snapshot } from './snapshot.js';
import { OpsTelemetry } from './telemetry.js';
import { Topology } from './topology.js';
import { WebhookSender } from './webhook.js';

export interface OperationsOptions {
  live: Pick<LiveState, 'rigs'>;
  fleet: () => FleetRegistry;
  dataDir: string;
  staleMs: number;
  webhook: { url?: string | undefined; attempts: number; secret?: string | undefined };
  retentionDays: number;
  log: Logger;
  clock?: () => number;
  nameplates?: NameplateTable;
}

const ROOM = 'ops:';
const MAX_NODE_ID = 220;
const NODE_ID = /^(facility|(site|rack|pdu|outlet):[A-Za-z0-9_.\-/]+)$/;
const PRUNE_EVERY_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * The operations part: keeps the outlets' electrical figures, builds a snapshot of the whole facility once a
 * second (figures per drill-down node, capacity checks), runs the alert rules on it, and pushes each watched
 * node's frame to its room and every alert change to every client, on the live server's /ops namespace. Lifecycle:
 * the constructor only assigns; start() opens alerts.db, takes over active alerts and starts ticking;
 * stop() undoes it in reverse.
 */
export class OperationsHub implements ReadingSink {
  readonly telemetry: OpsTelemetry;
  readonly alerts: AlertService;
  private readonly alertStore: AlertStore;
  private readonly webhook: WebhookSender | null;
  private readonly history = new NodeHistory();
  private readonly clock: () => number;
  private readonly nameplates: NameplateTable;
  private readonly nameplateCache = new Map<string, Nameplate | null>();
  private io: Namespace<OpsClientToServerEvents, OpsServerToClientEvents> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private topology: { fleet: FleetRegistry; version: number; value: Topology } | null = null;
  private rules: { fleet: FleetRegistry; value: Rules } | null = null;
  private snapshot: Snapshot | null = null;
  private startedAt = 0;
  private prunedAt = 0;

  constructor(private readonly o: OperationsOptions) {
    this.clock = o.clock ?? Date.now;
    this.telemetry = new OpsTelemetry((site) => o.fleet().timeZoneOf(site), this.clock);
    this.alertStore = new AlertStore(join(o.dataDir, 'alerts.db'));
    this.webhook = o.webhook.url ? new WebhookSender(this.alertStore, { url: o.webhook.url, attempts: o.webhook.attempts, secret: o.webhook.secret }, o.log.child({ part: 'webhook' })) : null;
    this.alerts = new AlertService(this.alertStore, this.webhook, o.log);
    this.nameplates = o.nameplates ?? new NameplateTable(loadAsicSpecs());
  }

  observe(readings: readonly Reading[]): void {
    this.telemetry.observe(readings);
  }

  observeStatus(status: DeviceStatus): void {
    this.telemetry.observeStatus(status);
  }

  /** Opens the alert store and, given the live server's operations namespace (OPS_NAMESPACE), serves it. */
  start(ns?: Namespace, gate?: (socket: Socket, next: (err?: Error) => void) => void): void {
    this.startedAt = this.clock();
    this.alertStore.open();
    this.alerts.restore(this.startedAt);
    this.prune(this.startedAt);
    this.webhook?.start();
    this.alerts.onChange((change) => this.io?.emit('alert', change));
    if (ns) this.io = this.serve(ns as Namespace<OpsClientToServerEvents, OpsServerToClientEvents>, gate);
    this.timer = setInterval(() => this.tick(), FRAME_INTERVAL_MS);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    // The namespace's sockets only: the server and its connections belong to LiveHub, stopped after this.
    this.io?.disconnectSockets();
    this.io = null;
    await this.webhook?.stop();
    this.alertStore.close();
  }

  /** One tick: snapshot, alert rules, history, frames. Public for tests, which pass their own clock. */
  tick(now = this.clock()): void {
    try {
      const snap = this.refresh(now);
      this.alerts.step(detect(snap, this.currentRules(), this.alerts.tracked()), now);
      this.history.record(now, historyValues(snap));
      this.emitFrames(snap, this.alerts.active());
      if (now - this.prunedAt > PRUNE_EVERY_MS) this.prune(now);
    } catch (err) {
      this.o.log.error({ err }, 'operations tick failed');
    }
  }

  /** A node's view with its recent history; null for an unknown node. */
  view(id: string): OpsNodeView | null {
    const snap = this.snapshot ?? this.refresh(this.clock());
    const frame = nodeFrame(snap, alertCounts(snap, this.alerts.active()), id);
    return frame ? { frame, history: this.history.points(id) } : null;
  }

  capacity(site?: string): ReturnType<typeof capacityReport> {
    return capacityReport(this.snapshot ?? this.refresh(this.clock()), site);
  }

  currentRules(): Rules {
    const fleet = this.o.fleet();
    if (this.rules?.fleet !== fleet) this.rules = { fleet, value: resolveRules(fleet.fleet.alerts) };
    return this.rules.value;
  }

  private refresh(now: number): Snapshot {
    const snap = buildSnapshot({
      topology: this.currentTopology(),
      telemetry: this.telemetry,
      rigs: (site) => this.o.live.rigs(site, now),
      nameplate: (model) => this.nameplate(model),
      staleMs: this.o.staleMs,
      startedAt: this.startedAt,
      now,
    });
    this.snapshot = snap;
    return snap;
  }

  private currentTopology(): Topology {
    const fleet = this.o.fleet();
    const version = this.telemetry.version;
    if (this.topology?.fleet !== fleet || this.topology.version !== version) {
      const value = new Topology(fleet, this.telemetry);
      this.topology = { fleet, version, value };
      this.history.retain((id) => value.has(id));
    }
    return this.topology.value;
  }

  private nameplate(model: string | null): Nameplate | null {
    if (model === null) return null;
    let n = this.nameplateCache.get(model);
    if (n === undefined) this.nameplateCache.set(model, (n = this.nameplates.lookup(model)));
    return n;
  }

  private serve(io: Namespace<OpsClientToServerEvents, OpsServerToClientEvents>, gate?: (socket: Socket, next: (err?: Error) => void) => void): Namespace<OpsClientToServerEvents, OpsServerToClientEvents> {
    if (gate) io.use(gate);
    io.on('connection', (socket) => {
      socket.on('ops:watch', (req, ack) => {
        const node = typeof req?.node === 'string' && req.node.length <= MAX_NODE_ID && NODE_ID.test(req.node) ? req.node : null;
        const view = node === null ? null : this.view(node);
        if (!node || !view) return safeAck(ack, { ok: false, error: `no such node: ${String(req?.node).slice(0, 80)}` });
        for (const room of socket.rooms) if (room.startsWith(ROOM)) void socket.leave(room);
        void socket.join(ROOM + node);
        safeAck(ack, { ok: true, data: view });
      });
    });
    return io;
  }

  private emitFrames(snap: Snapshot, active: readonly AlertRecord[]): void {
    const io = this.io;
    if (!io) return;
    const watched = [...io.adapter.rooms.keys()].filter((room) => room.startsWith(ROOM));
    if (watched.length === 0) return;
    const counts = alertCounts(snap, active);
    for (const room of watched) {
      const frame = nodeFrame(snap, counts, room.slice(ROOM.length));
      if (frame) io.to(room).emit('ops:node', frame);
    }
  }

  private prune(now: number): void {
    this.prunedAt = now;
    const removed = this.alertStore.prune(now - this.o.retentionDays * DAY_MS);
    if (removed > 0) this.o.log.info({ removed, retention_days: this.o.retentionDays }, 'pruned old cleared alerts');
  }

  /** The first registers of a site's day, as LiveHub reads them once for both views: kWh today before this process. */
  seedToday(first: readonly FirstRegister[], day: number): void {
    this.telemetry.seedToday(first, day);
  }
}

/** Facility, sites, racks and PDUs (the snapshot holds no outlet figures): the nodes whose load is kept for charts. */
function* historyValues(snap: Snapshot): Iterable<[string, number]> {
  for (const [id, f] of snap.figures) yield [id, f.power_w];
}

/** A client may send no ack callback; never let that throw inside the socket handler. */
function safeAck<T>(ack: unknown, res: T): void {
  if (typeof ack === 'function') (ack as (r: T) => void)(res);
}
