import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, FacilityFrame, ServerToClientEvents } from './contract.js';

export type KilowatchSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Socket status as the page needs it; times are browser ms (see connectionState for why). */
export interface LinkStatus {
  connected: boolean;
  everConnected: boolean;
  connectedAt: number | null;
  lastFrameAt: number | null;
  framesReceived: number;
}

export interface LiveLink {
  status(): Readonly<LinkStatus>;
  /** Every `facility:frame`; returns the unsubscribe function. */
  onFacilityFrame(listener: (frame: FacilityFrame) => void): () => void;
  /** Connect/disconnect transitions; `resumed` is true for a reconnect after a drop. */
  onStatus(listener: (connected: boolean, resumed: boolean) => void): () => void;
  close(): void;
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
  };
  const frameListeners = new Set<(frame: FacilityFrame) => void>();
  const statusListeners = new Set<(connected: boolean, resumed: boolean) => void>();

  socket.on('connect', () => {
    const resumed = state.everConnected;
    state.connected = true;
    state.everConnected = true;
    state.connectedAt = now();
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
    for (const listener of frameListeners) listener(frame);
  });

  return {
    status: () => state,
    onFacilityFrame(listener) {
      frameListeners.add(listener);
      return () => {
        frameListeners.delete(listener);
      };
    },
    onStatus(listener) {
      statusListeners.add(listener);
      return () => {
        statusListeners.delete(listener);
      };
    },
    close() {
      frameListeners.clear();
      statusListeners.clear();
      socket.close();
    },
  };
}
