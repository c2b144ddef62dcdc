import type { FacilityFrame } from '../live/contract.js';

/** The headline figures, summed over sites. */
export interface FacilitySummary {
  ts: number;
  power_w: number;
  kwh_today: number;
  hashrate_ths: number;
  /** Hashrate-weighted mean of the sites' J/TH; null when no site reports one. */
  j_per_th: number | null;
  rigs_online: number;
  rigs_offline: number;
  pdus_online: number;
  pdus_offline: number;
}

/**
 * Facility J/TH is total W over total TH/s. The frame carries each site's J/TH and hashrate, so the
 * facility figure is their hashrate-weighted mean (Σ j·h / Σ h): a site's J/TH times its TH/s is its
 * mining power in W. A plain mean would let a small site count as much as a large one.
 */
export function summarizeFacility(frame: FacilityFrame): FacilitySummary {
  let hashrate = 0;
  let weightedJ = 0;
  let weight = 0;
  let rigsOnline = 0;
  let rigsOffline = 0;
  let pdusOnline = 0;
  let pdusOffline = 0;
  for (const site of frame.sites) {
    hashrate += site.hashrate_ths;
    rigsOnline += site.rigs_online;
    rigsOffline += site.rigs_offline;
    pdusOnline += site.pdus_online;
    pdusOffline += site.pdus_offline;
    if (site.j_per_th !== null && Number.isFinite(site.j_per_th) && site.hashrate_ths > 0) {
      weightedJ += site.j_per_th * site.hashrate_ths;
      weight += site.hashrate_ths;
    }
  }
  return {
    ts: frame.ts,
    power_w: frame.power_w,
    kwh_today: frame.kwh_today,
    hashrate_ths: hashrate,
    j_per_th: weight > 0 ? weightedJ / weight : null,
    rigs_online: rigsOnline,
    rigs_offline: rigsOffline,
    pdus_online: pdusOnline,
    pdus_offline: pdusOffline,
  };
}

export type ConnState = 'connecting' | 'live' | 'stale' | 'reconnecting';

export interface ConnFacts {
  /** Socket transport is up. */
  connected: boolean;
  /** The socket was up at least once since the page loaded. */
  everConnected: boolean;
  /** Browser time (ms) the socket last connected, or null. */
  connectedAt: number | null;
  /** Browser time (ms) the last frame arrived, or null. */
  lastFrameAt: number | null;
  now: number;
  staleAfterMs: number;
}

/**
 * What the operator should believe about the figures on screen. A connected socket is not enough:
 * if frames stop (server stuck, broker gone), the page says "stale" so a frozen screen is never
 * read as a steady load. Ages use the browser's receive time, not the frame's server `ts`, so clock
 * skew between the two machines cannot make fresh data look old or old data fresh.
 */
export function connectionState(facts: ConnFacts): ConnState {
  if (!facts.connected) return facts.everConnected ? 'reconnecting' : 'connecting';
  const since = facts.lastFrameAt ?? facts.connectedAt;
  if (since === null) return 'connecting';
  if (facts.now - since > facts.staleAfterMs) return 'stale';
  return facts.lastFrameAt === null ? 'connecting' : 'live';
}
