/**
 * The socket.io contract between the server and the dashboard. web/ imports these types, so a change
 * here is a compile error there, not a silent mismatch.
 *
 * Rooms: a client joins `site:<id>` for every site it shows (via `subscribe`) and gets that site's
 * frames only. Every client gets the small `facility` frame (one line per site) without asking.
 */

/** A site's live summary, pushed about once a second. Power in W, energy in kWh. */
export interface SiteFrame {
  site: string;
  /** Server time the frame was built (ms epoch). */
  ts: number;
  /** Sum of the latest fresh outlet readings (the IT load). */
  power_w: number;
  /** Facility meter power, when the site has a meter reporting. */
  meter_power_w: number | null;
  /** meter power / IT power (PUE-style overhead), when both are known. */
  pue: number | null;
  /** Energy since midnight in the site's time zone (the fleet file's, UTC without one), IT load. */
  kwh_today: number;
  /** Sum of fresh miner hashrates, TH/s. */
  hashrate_ths: number;
  /** J/TH = W per TH/s over the rigs that report both power and hashrate; null without hashrate. */
  j_per_th: number | null;
  rigs_online: number;
  rigs_offline: number;
  pdus_online: number;
  pdus_offline: number;
}

/** Every site's frame in one message: what the facility overview needs. */
export interface FacilityFrame {
  ts: number;
  power_w: number;
  kwh_today: number;
  sites: SiteFrame[];
}

/** A rig's latest figures, sent on request (`rigs`). */
export interface RigLatest {
  rig: string;
  pdu: string | null;
  outlet: number | null;
  power_w: number | null;
  hashrate_ths: number | null;
  j_per_th: number | null;
  model: string | null;
  temp_c: number | null;
  online: boolean;
  /** Last reading time from this rig (ms epoch). */
  last_ts: number;
}

export type Ack<T> = { ok: true; data: T } | { ok: false; error: string };

export interface ServerToClientEvents {
  'facility:frame': (frame: FacilityFrame) => void;
  'site:frame': (frame: SiteFrame) => void;
}

export interface ClientToServerEvents {
  /** Replace the set of sites this client follows. Acks the sites actually joined. */
  subscribe: (req: { sites: string[] }, ack: (res: Ack<{ sites: string[] }>) => void) => void;
  /** The latest figures of every rig of one site. */
  rigs: (req: { site: string }, ack: (res: Ack<RigLatest[]>) => void) => void;
}

export const FRAME_INTERVAL_MS = 1000;

// --- Operations page (server/src/operations, docs/operations.md) -----------------------------------
// Its own socket.io namespace on the same connection, so the overview's namespace carries none of it: a
// client of OPS_NAMESPACE sends `ops:watch` with
// a drill-down node id (`facility`, `site:<s>`, `rack:<s>/<r>`, `pdu:<s>/<p>`, `outlet:<s>/<p>/<n>`),
// joins that node's room, and gets `ops:node` once a second; every client gets every `alert` change.
export type { AlertChange, AlertRecord, AlertRule, AlertSeverity, CapacityCheck, CapacityLevel, CurrentSource, HeatCell, OpsChild, OpsFigures, OpsLevel, OpsNodeFrame, OpsNodeView, OpsPathItem, OpsPoint, OutletDetail } from '../operations/contract.js';
import type { AlertChange as OpsAlertChange, OpsNodeFrame as OpsFrame, OpsNodeView as OpsView } from '../operations/contract.js';

export const OPS_NAMESPACE = '/ops';

export interface OpsServerToClientEvents {
  'ops:node': (frame: OpsFrame) => void;
  alert: (change: OpsAlertChange) => void;
}

export interface OpsClientToServerEvents {
  /** Watch one node (replaces the node watched before); acks its view with recent history. */
  'ops:watch': (req: { node: string }, ack: (res: Ack<OpsView>) => void) => void;
}
