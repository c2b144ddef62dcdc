import { io, type Socket } from 'socket.io-client';
import { ApiError, getJson, isRecord } from '../live/api.js';
import {
  OPS_NAMESPACE,
  type AlertChange,
  type AlertRecord,
  type OpsClientToServerEvents,
  type OpsNodeFrame,
  type OpsNodeView,
  type OpsServerToClientEvents,
} from './operations-contract.js';

/** An ack the server never sends must not leave the page waiting forever. */
const ACK_TIMEOUT_MS = 10_000;

export interface OpsLink {
  /** Watch one node (replacing the one before); resolves with its view and recent history. */
  watch(node: string): Promise<OpsNodeView>;
  onFrame(listener: (frame: OpsNodeFrame) => void): () => void;
  onAlert(listener: (change: AlertChange) => void): () => void;
  /** Connect/disconnect; on every connect the page should watch its node again (a new connection is in no room). */
  onStatus(listener: (connected: boolean) => void): () => void;
  connected(): boolean;
  close(): void;
}

/**
 * The operations page's own socket.io namespace (OPS_NAMESPACE, on the overview's connection), open while the page is: it
 * carries the watched node's frames and the alert changes, nothing the other pages need.
 */
export function connectOps(): OpsLink {
  const socket: Socket<OpsServerToClientEvents, OpsClientToServerEvents> = io(OPS_NAMESPACE);
  const frames = new Set<(frame: OpsNodeFrame) => void>();
  const alerts = new Set<(change: AlertChange) => void>();
  const statuses = new Set<(connected: boolean) => void>();
  const add = <T>(set: Set<T>, listener: T): (() => void) => {
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  };
  socket.on('connect', () => statuses.forEach((l) => l(true)));
  socket.on('disconnect', (reason) => {
    statuses.forEach((l) => l(false));
    // After a server-side disconnect socket.io does not retry by itself: an operator screen never gives up.
    if (reason === 'io server disconnect') socket.connect();
  });
  socket.on('ops:node', (frame) => frames.forEach((l) => l(frame)));
  socket.on('alert', (change) => alerts.forEach((l) => l(change)));
  return {
    async watch(node) {
      const res = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('ops:watch', { node });
      if (!res.ok) throw new Error(`watch ${node}: ${res.error}`);
      return res.data;
    },
    onFrame: (listener) => add(frames, listener),
    onAlert: (listener) => add(alerts, listener),
    onStatus: (listener) => add(statuses, listener),
    connected: () => socket.connected,
    close() {
      frames.clear();
      alerts.clear();
      statuses.clear();
      socket.close();
    },
  };
}

/** GET /api/alerts: the active alerts (or every recent one), newest first. */
export async function fetchAlerts(state: 'active' | 'all', signal?: AbortSignal): Promise<AlertRecord[]> {
  const body = await getJson(`/api/alerts?state=${state}`, signal);
  if (!isRecord(body) || !Array.isArray(body.alerts)) throw new ApiError('alerts answer has no alerts array');
  return (body.alerts as unknown[]).filter((a): a is AlertRecord => isRecord(a) && typeof a.id === 'number' && typeof a.key === 'string');
}

/** POST /api/alerts/:id/ack. Same origin, so the session cookie goes with it and the CSRF check passes. */
export async function ackAlert(id: number): Promise<AlertRecord> {
  const response = await fetch(`/api/alerts/${id}/ack`, { method: 'POST', headers: { accept: 'application/json' } });
  const body = (await response.json().catch(() => ({}))) as { alert?: AlertRecord; error?: string };
  if (!response.ok || !body.alert) throw new ApiError(body.error ?? `acknowledge: HTTP ${response.status}`);
  return body.alert;
}
