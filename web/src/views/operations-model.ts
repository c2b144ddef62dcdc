import { formatNumber, UNKNOWN } from '../lib/format.js';
import type { AlertChange, AlertRecord, CapacityCheck } from './operations-contract.js';

/**
 * The operations page's pure parts: its address (the watched node lives in the hash), the bounded alert list,
 * and how a load is drawn. No DOM, so unit tests run them as they are.
 */

export const FACILITY = 'facility';
const NODE_ID = /^(facility|(site|rack|pdu|outlet):[A-Za-z0-9_.\-/]+)$/;

/** `#/operations` is the facility; `#/operations/<node id, URI-encoded>` any node below it. */
export function opsHash(node: string): string {
  return node === FACILITY ? '#/operations' : `#/operations/${encodeURIComponent(node)}`;
}

/** The node a hash names; the facility for anything that is not a node id the server would accept. */
export function nodeFromHash(hash: string): string {
  const m = /^#\/?operations\/(.+)$/.exec(hash);
  if (!m) return FACILITY;
  try {
    const node = decodeURIComponent(m[1]!);
    return node.length <= 220 && NODE_ID.test(node) ? node : FACILITY;
  } catch {
    return FACILITY;
  }
}

/** The bar spans 0–125 % of the continuous limit, so an overload still shows how far over it is. */
export const BAR_SCALE = 1.25;

export function barFraction(utilisation: number | null): number {
  if (utilisation === null || !Number.isFinite(utilisation)) return 0;
  return Math.min(1, Math.max(0, utilisation / BAR_SCALE));
}

/** "97 %"; "—" when unknown. */
export function formatUtil(utilisation: number | null): string {
  return utilisation === null ? UNKNOWN : `${formatNumber(utilisation * 100, 0)} %`;
}

/** "15.5 / 16.0 A": the load against the continuous limit. */
export function formatCheck(c: CapacityCheck): string {
  const digits = c.unit === 'A' ? 1 : 2;
  return `${formatNumber(c.load, digits)} / ${formatNumber(c.limit, digits)} ${c.unit}`;
}

/** Heat map hue (degrees): green with room to spare, through amber at the 80 % mark, to red at the limit. */
export function heatHue(utilisation: number): number {
  const u = Math.min(1, Math.max(0, utilisation));
  if (u <= 0.5) return 130;
  if (u <= 0.8) return Math.round(130 - ((u - 0.5) / 0.3) * 90); // 130 → 40 (amber)
  return Math.round(40 - ((u - 0.8) / 0.2) * 40); // 40 → 0 (red)
}

const SEVERITY_RANK = { critical: 0, warning: 1 } as const;

/** Unacknowledged first, critical before warning, newest first. */
export function alertOrder(a: AlertRecord, b: AlertRecord): number {
  const acked = Number(a.acked_at !== null) - Number(b.acked_at !== null);
  return acked || SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.raised_at - a.raised_at || b.id - a.id;
}

/**
 * The alert list as the page shows it: the active alerts (at most `maxActive`, the oldest dropped first) and
 * the few most recently cleared, from a REST snapshot and then the socket's changes.
 */
export class AlertBoard {
  private readonly activeById = new Map<number, AlertRecord>();
  private cleared: AlertRecord[] = [];

  constructor(
    private readonly maxActive = 500,
    private readonly maxCleared = 10,
  ) {}

  /** Replace the active alerts with a fresh snapshot (on open and after a reconnect). */
  reset(active: readonly AlertRecord[]): void {
    this.activeById.clear();
    for (const a of active) if (a.cleared_at === null) this.activeById.set(a.id, a);
    this.trim();
  }

  apply(change: AlertChange): void {
    const a = change.alert;
    if (change.change === 'cleared' || a.cleared_at !== null) {
      this.activeById.delete(a.id);
      this.cleared = [a, ...this.cleared.filter((c) => c.id !== a.id)].slice(0, this.maxCleared);
      return;
    }
    this.activeById.set(a.id, a);
    this.trim();
  }

  active(): AlertRecord[] {
    return [...this.activeById.values()].sort(alertOrder);
  }

  recentlyCleared(): readonly AlertRecord[] {
    return this.cleared;
  }

  private trim(): void {
    if (this.activeById.size <= this.maxActive) return;
    const oldest = [...this.activeById.values()].sort((a, b) => a.raised_at - b.raised_at || a.id - b.id);
    for (const a of oldest.slice(0, this.activeById.size - this.maxActive)) this.activeById.delete(a.id);
  }
}
