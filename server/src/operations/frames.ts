import type { AlertRecord, CapacityCheck, HeatCell, OpsChild, OpsFigures, OpsNodeFrame, OutletDetail } from './contract.js';
import { outletEval, outletFigures, type BaseFigures, type PduEval, type Snapshot } from './snapshot.js';
import { FACILITY, type RackNode, type SiteNode } from './topology.js';

/**
 * A node's frame from a snapshot: its figures, capacity checks, children and the rack heat map — only what
 * the page shows for that node, so a client watching a PDU of a 10,000-rig fleet gets a few kB a second.
 * Pure.
 */

const EMPTY: BaseFigures = { power_w: 0, kwh_today: 0, hashrate_ths: 0, j_per_th: null, rigs_online: 0, rigs_total: 0, utilisation: null, level: 'unknown' };

/** Active alerts per node, each counted on its node and every node above it. */
export function alertCounts(snap: Snapshot, active: readonly AlertRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  const bump = (id: string) => counts.set(id, (counts.get(id) ?? 0) + 1);
  for (const a of active) {
    let at: string | null = snap.topology.has(a.node) ? a.node : snap.topology.has(`site:${a.site}`) ? `site:${a.site}` : FACILITY;
    while (at !== null) {
      bump(at);
      at = snap.topology.node(at)?.parent ?? null;
    }
  }
  return counts;
}

/** Rounded for the wire: a site frame of 400 racks is a third smaller without 16-digit fractions. */
const round = (n: number, digits: number): number => Math.round(n * 10 ** digits) / 10 ** digits;
const roundOrNull = (n: number | null, digits: number): number | null => (n === null ? null : round(n, digits));

function figuresOf(snap: Snapshot, counts: ReadonlyMap<string, number>, id: string): OpsFigures {
  const outlet = outletEval(snap, id);
  const f = outlet ? outletFigures(outlet) : snap.figures.get(id) ?? EMPTY;
  return {
    ...f,
    power_w: round(f.power_w, 1),
    kwh_today: round(f.kwh_today, 6),
    hashrate_ths: round(f.hashrate_ths, 3),
    j_per_th: roundOrNull(f.j_per_th, 3),
    utilisation: roundOrNull(f.utilisation, 4),
    alerts: counts.get(id) ?? 0,
  };
}

function compactCheck(c: CapacityCheck): CapacityCheck {
  return { ...c, load: roundOrNull(c.load, 3), rating: round(c.rating, 3), limit: round(c.limit, 3), utilisation: roundOrNull(c.utilisation, 4) };
}

export function nodeFrame(snap: Snapshot, counts: ReadonlyMap<string, number>, id: string): OpsNodeFrame | null {
  const info = snap.topology.node(id);
  if (!info) return null;
  const frame: OpsNodeFrame = {
    id,
    level: info.level,
    name: info.name,
    ts: snap.ts,
    path: snap.topology.path(id),
    figures: figuresOf(snap, counts, id),
    capacity: [],
    children: [],
    heat: heat(snap, counts, siteOf(snap, id)),
    outlet: null,
  };
  const child = (cid: string, name: string, detail: string | null = null, online: boolean | null = null): OpsChild => {
    const c = snap.topology.node(cid)!;
    return { id: cid, level: c.level, name, figures: figuresOf(snap, counts, cid), detail, online };
  };
  if (info.level === 'facility') {
    frame.children = snap.topology.sites.map((s) => child(s.id, s.name, s.capacityKw === null ? null : `${s.capacityKw} kW capacity`));
    frame.capacity = snap.sites.flatMap((s) => (s.check ? [{ ...s.check, label: `${s.node.site}: ${s.check.label}` }] : []));
  } else if (info.level === 'site') {
    const site = snap.topology.site(id)!;
    frame.children = site.racks.map((r) => child(r.id, r.name, `${r.pdus.length} PDU${r.pdus.length === 1 ? '' : 's'}`));
    frame.capacity = snap.checks.get(id) ?? [];
  } else if (info.level === 'rack') {
    const rack = snap.topology.racks.get(id)!;
    const pdus = rack.pdus.map((p) => snap.pduById.get(p.id)!);
    frame.children = pdus.map((p) => child(p.node.id, p.node.pdu, pduDetail(p), p.online));
    frame.capacity = pdus.flatMap((p) => p.checks.map((c) => ({ ...c, label: `${p.node.pdu} · ${c.label}` })));
  } else if (info.level === 'pdu') {
    const pdu = snap.pduById.get(id)!;
    frame.children = pdu.outlets.map((o) => child(o.node.id, `outlet ${o.node.outlet}`, o.rig === null ? null : [o.rig, o.model].filter(Boolean).join(' · '), o.rig === null ? o.fresh : o.online));
    frame.capacity = pdu.checks;
  } else {
    frame.outlet = outletDetail(snap, id);
  }
  frame.capacity = frame.capacity.map(compactCheck);
  return frame;
}

function pduDetail(p: PduEval): string | null {
  const s = p.node.spec;
  if (!s) return 'not in the fleet file: no rating';
  return `${s.rating_a} A · ${s.voltage_v} V · ${s.phases === 3 ? '3-phase' : '1-phase'}`;
}

function outletDetail(snap: Snapshot, id: string): OutletDetail | null {
  const o = outletEval(snap, id);
  if (!o) return null;
  return {
    rig: o.rig,
    model: o.model,
    voltage_v: o.fresh ? o.live?.voltage_v ?? null : null,
    current_a: o.current?.amps ?? null,
    current_source: o.current?.source ?? 'none',
    pf: o.fresh ? o.live?.pf ?? null : null,
    hashrate_ths: o.rigLatest?.hashrate_ths ?? null,
    nameplate_jth: o.nameplate?.jth ?? null,
    online: o.online,
    last_ts: o.live?.ts ?? null,
  };
}

/** The site a node belongs to; null for the facility. */
function siteOf(snap: Snapshot, id: string): SiteNode | null {
  const site = snap.topology.path(id).find((p) => p.level === 'site');
  return site ? snap.topology.site(site.id) ?? null : null;
}

/** The heat map: every rack of the node's site, or of every site at the facility. */
function heat(snap: Snapshot, counts: ReadonlyMap<string, number>, site: SiteNode | null): HeatCell[] {
  const racks: RackNode[] = site ? site.racks : snap.topology.sites.flatMap((s) => s.racks);
  return racks.map((r) => {
    const f = snap.figures.get(r.id) ?? EMPTY;
    return { id: r.id, name: r.name, site: r.site, utilisation: roundOrNull(f.utilisation, 4), level: f.level, power_w: round(f.power_w, 1), alerts: counts.get(r.id) ?? 0 };
  });
}

/** Every capacity check of a site (or all sites), for GET /api/capacity. */
export function capacityReport(snap: Snapshot, site?: string): { site: string; continuous_load_pct: number; capacity_kw: number | null; check: CapacityCheck | null; pdus: { pdu: string; rack: string; online: boolean | null; checks: CapacityCheck[] }[] }[] {
  return snap.sites
    .filter((s) => site === undefined || s.node.site === site)
    .map((s) => ({
      site: s.node.site,
      continuous_load_pct: s.node.continuousPct,
      capacity_kw: s.node.capacityKw,
      check: s.check,
      pdus: snap.pdus.filter((p) => p.node.site === s.node.site).map((p) => ({ pdu: p.node.pdu, rack: p.node.rack, online: p.online, checks: p.checks })),
    }));
}
