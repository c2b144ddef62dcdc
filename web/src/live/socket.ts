import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, FacilityFrame, RigLatest, ServerToClientEvents, SiteFrame } from './contract.js';

export type KilowatchSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Socket status as the page needs it; times are browser ms (see connectionState for why). */
export interface LinkStatus {
  connected: boolean;
  everConnected: boolean;
  connectedAt: number | null;
  lastFrameAt: number | null;
  framesReceived: number;
  /** `site:frame`s received, for the sites subscribed to. */
  siteFramesReceived: number;
}

export interface LiveLink {
  status(): Readonly<LinkStatus>;
  /** Every `facility:frame`; returns the unsubscribe function. */
  onFacilityFrame(listener: (frame: FacilityFrame) => void): () => void;
  /** Every `site:frame` of the subscribed sites; returns the unsubscribe function. */
  onSiteFrame(listener: (frame: SiteFrame) => void): () => void;
  /**
   * Follow these sites' `site:frame`s (replaces the set; [] follows none). The set is kept and sent
   * again after every reconnect, because a new connection starts in no room.
   */
  subscribe(sites: readonly string[]): void;
  /** The latest figures of every rig of `site`; rejects when offline, on a timeout or a refused ack. */
  rigs(site: string): Promise<RigLatest[]>;
  /** Connect/disconnect transitions; `resumed` is true for a reconnect after a drop. */
  onStatus(listener: (connected: boolean, resumed: boolean) => void): () => void;
  close(): void;
}

/** An ack the server never sends (a lost packet, a stuck handler) must not hang a refresh loop. */
const ACK_TIMEOUT_MS = 10_000;

function listenerSet<T>(): { add(listener: (value: T) => void): () => void; emit(value: T): void; clear(): void } {
  const listeners = new Set<(value: T) => void>();
  return {
    add(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    emit(value) {
      for (const listener of listeners) listener(value);
    },
    clear: () => listeners.clear(),
  };
}

function unwrap<T>(res: Ack<T>, what: string): T {
  if (!res.ok) throw new Error(`${what}: ${res.error}`);
  return res.data;
}

/**
 * The page's one socket.io connection, same origin (path /socket.io), so the server's CSP
 * `default-src 'self'` covers it. Socket.io retries on its own after a network drop; after a
 * server-side disconnect it does not, so we reconnect explicitly — an operator screen should never
 * give up on its own.
 */
export function connectLive(now: () => number = Date.now): LiveLink {
  const socket: KilowatchSocket = io({ path: '/socket.io' });
  const state: LinkStatus = {
    connected: false,
    everConnected: false,
    connectedAt: null,
    lastFrameAt: null,
    framesReceived: 0,
    siteFramesReceived: 0,
  };
  const facilityListeners = listenerSet<FacilityFrame>();
  const siteListeners = listenerSet<SiteFrame>();
  const statusListeners = new Set<(connected: boolean, resumed: boolean) => void>();
  let followed: string[] = [];

  const sendSubscription = (): void => {
    const sites = followed;
    socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck('subscribe', { sites })
      .then((res) => unwrap(res, 'subscribe'))
      .catch((error: unknown) => console.warn('kilowatch: subscribe failed', sites, error));
  };

  socket.on('connect', () => {
    const resumed = state.everConnected;
    state.connected = true;
    state.everConnected = true;
    state.connectedAt = now();
    if (followed.length > 0) sendSubscription();
    for (const listener of statusListeners) listener(true, resumed);
  });
  socket.on('disconnect', (reason) => {
    state.connected = false;
    for (const listener of statusListeners) listener(false, false);
    if (reason === 'io server disconnect') socket.connect();
  });
  socket.on('facility:frame', (frame) => {
    state.lastFrameAt = now();
    state.framesReceived += 1;
    facilityListeners.emit(frame);
  });
  socket.on('site:frame', (frame) => {
    state.siteFramesReceived += 1;
    siteListeners.emit(frame);
  });

  return {
    status: () => state,
    onFacilityFrame: (listener) => facilityListeners.add(listener),
    onSiteFrame: (listener) => siteListeners.add(listener),
    subscribe(sites) {
      followed = [...sites];
      // While offline, the connect handler sends it; socket.io would otherwise queue a stale copy.
      if (socket.connected) sendSubscription();
    },
    async rigs(site) {
      if (!socket.connected) throw new Error('rigs: not connected');
      return unwrap(await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('rigs', { site }), 'rigs');
    },
    onStatus(listener) {
      statusListeners.add(listener);
      return () => {
        statusListeners.delete(listener);
      };
    },
    close() {
      facilityListeners.clear();
      siteListeners.clear();
      statusListeners.clear();
      socket.close();
    },
  };
}
