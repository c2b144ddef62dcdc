/**
 * What the operations page receives: the drill-down (facility → site → rack → PDU → outlet), capacity
 * checks and alerts. server/src/live/events.ts re-exports these for the socket map, and web/ imports them
 * from there, so the server and the dashboard cannot disagree about a payload. Power in W, energy in kWh,
 * currents in A, times in ms since the epoch (server clock).
 */

export type OpsLevel = 'facility' | 'site' | 'rack' | 'pdu' | 'outlet';

/**
 * A load against its continuous limit (docs/operations.md): `ok` below 80 % of the limit, `warn` from
 * 80 % up to the limit, `over` above it; `unknown` when there is no rating or no fresh reading.
 */
export type CapacityLevel = 'ok' | 'warn' | 'over' | 'unknown';

/**
 * Where a current came from: `measured` (the outlets' `current_a`), `computed` (power / (voltage × pf),
 * pf 1 when not reported), `mixed` (some of each), `none` (no fresh outlet).
 */
export type CurrentSource = 'measured' | 'computed' | 'mixed' | 'none';

export interface CapacityCheck {
  /** Stable id: `<pdu node id>#total`, `…#bank/<breaker id>`, `…#line/L1`, or `<site node id>#capacity`. */
  id: string;
  kind: 'site' | 'pdu' | 'bank' | 'phase';
  /** What an operator reads: "bank-1 (L1-L2)", "L2", "PDU total", "site". */
  label: string;
  unit: 'A' | 'kVA' | 'kW';
  /** The present load in `unit`; null when nothing fresh reports. */
  load: number | null;
  /** The nameplate: breaker or PDU rating (A), the PDU's kVA, or the site's capacity_kw. */
  rating: number;
  /** The continuous limit: rating × continuous_load_pct / 100 (the site: capacity_kw itself). */
  limit: number;
  /** load / limit; null when the load is unknown. */
  utilisation: number | null;
  level: CapacityLevel;
  source: CurrentSource;
}

export interface OpsFigures {
  /** Σ of fresh outlet power under the node (IT load). */
  power_w: number;
  kwh_today: number;
  hashrate_ths: number;
  /** Σ power of rigs reporting hashrate / Σ hashrate; null without hashrate. */
  j_per_th: number | null;
  rigs_online: number;
  rigs_total: number;
  /** The worst capacity utilisation under the node; null when no rating or load is known. */
  utilisation: number | null;
  level: CapacityLevel;
  /** Active alerts on the node and below it. */
  alerts: number;
}

export interface OpsChild {
  id: string;
  level: OpsLevel;
  name: string;
  figures: OpsFigures;
  /** An outlet's rig (and model); a PDU's rating; null otherwise. */
  detail: string | null;
  /** PDUs: LWT or fresh readings; outlets: the rig's online state; null for groups. */
  online: boolean | null;
}

/** One tile of the rack heat map: a rack's worst headroom. */
export interface HeatCell {
  id: string;
  name: string;
  site: string;
  utilisation: number | null;
  level: CapacityLevel;
  power_w: number;
  alerts: number;
}

export interface OutletDetail {
  rig: string | null;
  model: string | null;
  voltage_v: number | null;
  current_a: number | null;
  current_source: CurrentSource;
  pf: number | null;
  hashrate_ths: number | null;
  nameplate_jth: number | null;
  online: boolean;
  last_ts: number | null;
}

export interface OpsPathItem {
  id: string;
  level: OpsLevel;
  name: string;
}

/** A node's live view, pushed about once a second to the clients watching it (`ops:node`). */
export interface OpsNodeFrame {
  id: string;
  level: OpsLevel;
  name: string;
  ts: number;
  /** From the facility down to this node, this node included. */
  path: OpsPathItem[];
  figures: OpsFigures;
  capacity: CapacityCheck[];
  children: OpsChild[];
  /** Racks of the node's site (every site's at the facility), for the heat map. */
  heat: HeatCell[];
  /** Only on an outlet. */
  outlet: OutletDetail | null;
}

export interface OpsPoint {
  ts: number;
  power_w: number;
}

/** The answer to `ops:watch` and GET /api/hierarchy: the frame and the node's recent load. */
export interface OpsNodeView {
  frame: OpsNodeFrame;
  /** Power once a second for the last few minutes (empty for outlets: they keep no history). */
  history: OpsPoint[];
}

export const ALERT_RULES = ['overload', 'site_capacity', 'pdu_offline', 'rig_offline', 'efficiency_drift', 'voltage', 'phase_imbalance', 'meter_mismatch'] as const;
export type AlertRule = (typeof ALERT_RULES)[number];
export type AlertSeverity = 'critical' | 'warning';

/** What an alert is about and what it says: the engine's signals, new alerts and stored records share it. */
export interface AlertFacts {
  /** The condition's identity (rule + subject): one active alert per key at most. */
  key: string;
  rule: AlertRule;
  severity: AlertSeverity;
  site: string;
  /** The drill-down node the alert is about (a PDU for its banks and phases, an outlet for its rig). */
  node: string;
  /** What an operator reads: "site-1 › r01-pdu1 › bank-1 (L1-L2)". */
  subject: string;
  message: string;
  /** The measured value, in `unit`. */
  value: number | null;
  threshold: number | null;
  unit: string;
}

export interface AlertRecord extends AlertFacts {
  id: number;
  /** The worst value while active. */
  peak: number | null;
  /** When the condition began (the alert fires once it has lasted the rule's `for_s`). */
  since: number;
  raised_at: number;
  cleared_at: number | null;
  acked_at: number | null;
  acked_by: string | null;
}

export interface AlertChange {
  change: 'raised' | 'acked' | 'cleared';
  alert: AlertRecord;
}
