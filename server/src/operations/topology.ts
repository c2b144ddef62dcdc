import type { FleetRegistry } from '../fleet/registry.js';
import type { FleetPdu } from '../fleet/schema.js';
import { parsePhase } from './capacity.js';
import type { OpsLevel, OpsPathItem } from './contract.js';
import type { OpsTelemetry, OutletLive } from './telemetry.js';

/**
 * The drill-down tree: facility → sites → racks → PDUs → outlets, from the fleet file, completed with what
 * reports without being in it (a PDU the fleet does not list goes into its site's `unracked` rack, an outlet
 * it does not list onto its PDU), so a fleet-less demo still drills down. Rebuilt only when the fleet file
 * or the set of reporting devices changes, never per frame.
 *
 * Node ids: `facility`, `site:<site>`, `rack:<site>/<rack>`, `pdu:<site>/<pdu>`, `outlet:<site>/<pdu>/<n>`
 * (site, rack and PDU ids never hold `/` or `:`).
 */
export const FACILITY = 'facility';
export const UNRACKED = '_unracked';
const DEFAULT_CONTINUOUS_PCT = 80;

export const nodeIds = {
  site: (site: string) => `site:${site}`,
  rack: (site: string, rack: string) => `rack:${site}/${rack}`,
  pdu: (site: string, pdu: string) => `pdu:${site}/${pdu}`,
  outlet: (site: string, pdu: string, outlet: number) => `outlet:${site}/${pdu}/${outlet}`,
};

export interface OutletNode {
  id: string;
  site: string;
  pdu: string;
  outlet: number;
  /** The rig and model the fleet file puts on the outlet. */
  rig: string | null;
  model: string | null;
  /**
   * Its live figures, when it has reported. Safe to hold: the telemetry keeps one object per outlet and
   * mutates it, and a new outlet object bumps its version, which rebuilds the topology.
   */
  live: OutletLive | undefined;
}

export interface PduNode {
  id: string;
  site: string;
  rack: string;
  pdu: string;
  /** Null for a PDU that reports but is not in the fleet file: no rating, so no capacity checks. */
  spec: FleetPdu | null;
  outlets: OutletNode[];
  /** Outlets on a line-to-neutral bank of a 3-phase PDU (their nominal voltage is V/√3). */
  lineToNeutral: ReadonlySet<number>;
}

export interface RackNode {
  id: string;
  site: string;
  rack: string;
  name: string;
  pdus: PduNode[];
}

export interface SiteNode {
  id: string;
  site: string;
  name: string;
  capacityKw: number | null;
  continuousPct: number;
  racks: RackNode[];
}

export interface NodeInfo {
  level: OpsLevel;
  name: string;
  parent: string | null;
}

export class Topology {
  readonly sites: SiteNode[] = [];
  readonly pdus: PduNode[] = [];
  readonly racks = new Map<string, RackNode>();
  private readonly info = new Map<string, NodeInfo>();

  constructor(
    fleet: FleetRegistry,
    private readonly telemetry: OpsTelemetry,
  ) {
    this.info.set(FACILITY, { level: 'facility', name: 'Facility', parent: null });
    const sites = new Map<string, SiteNode>();
    for (const s of fleet.fleet.sites) sites.set(s.id, this.fleetSite(s.id, fleet));
    const pduIndex = new Map(this.pdus.map((p) => [`${p.site}/${p.pdu}`, p]));
    const ensurePdu = (site: string, pdu: string): PduNode => {
      let p = pduIndex.get(`${site}/${pdu}`);
      if (p) return p;
      let s = sites.get(site);
      if (!s) sites.set(site, (s = this.siteNode(site, site, null, DEFAULT_CONTINUOUS_PCT)));
      let rack = s.racks.find((r) => r.rack === UNRACKED);
      if (!rack) s.racks.push((rack = this.rackNode(site, UNRACKED, 'unracked')));
      p = this.pduNode(site, UNRACKED, pdu, null);
      rack.pdus.push(p);
      pduIndex.set(`${site}/${pdu}`, p);
      return p;
    };
    for (const o of telemetry.allOutlets()) {
      const p = ensurePdu(o.site, o.pdu);
      if (!p.outlets.some((x) => x.outlet === o.outlet)) p.outlets.push(this.outletNode(p, o.outlet, null, null));
    }
    for (const [site, pdu] of telemetry.statusPdus()) ensurePdu(site, pdu);
    for (const site of telemetry.sites()) if (!sites.has(site)) sites.set(site, this.siteNode(site, site, null, DEFAULT_CONTINUOUS_PCT));
    for (const s of [...sites.values()].sort((a, b) => a.site.localeCompare(b.site))) {
      this.sites.push(s);
      for (const r of s.racks) this.racks.set(r.id, r);
    }
    for (const p of this.pdus) p.outlets.sort((a, b) => a.outlet - b.outlet);
  }

  site(id: string): SiteNode | undefined {
    return this.sites.find((s) => s.id === id);
  }

  node(id: string): NodeInfo | undefined {
    return this.info.get(id);
  }

  has(id: string): boolean {
    return this.info.has(id);
  }

  /** From the facility down to `id`, both included. */
  path(id: string): OpsPathItem[] {
    const out: OpsPathItem[] = [];
    for (let at: string | null = id; at !== null; ) {
      const n = this.info.get(at);
      if (!n) break;
      out.unshift({ id: at, level: n.level, name: n.name });
      at = n.parent;
    }
    return out;
  }

  private fleetSite(id: string, fleet: FleetRegistry): SiteNode {
    const s = fleet.site(id)!;
    const site = this.siteNode(s.id, s.name ?? s.id, s.capacity_kw ?? null, s.continuous_load_pct);
    for (const r of s.racks) {
      let rack = site.racks.find((x) => x.rack === r.id);
      if (!rack) site.racks.push((rack = this.rackNode(s.id, r.id, r.id)));
      for (const p of r.pdus) {
        const pdu = this.pduNode(s.id, r.id, p.id, p);
        for (const o of p.outlets) pdu.outlets.push(this.outletNode(pdu, o.outlet, o.rig ?? null, o.model ?? null));
        rack.pdus.push(pdu);
      }
    }
    return site;
  }

  private siteNode(site: string, name: string, capacityKw: number | null, continuousPct: number): SiteNode {
    const id = nodeIds.site(site);
    this.info.set(id, { level: 'site', name, parent: FACILITY });
    return { id, site, name, capacityKw, continuousPct, racks: [] };
  }

  private rackNode(site: string, rack: string, name: string): RackNode {
    const id = nodeIds.rack(site, rack);
    this.info.set(id, { level: 'rack', name, parent: nodeIds.site(site) });
    return { id, site, rack, name, pdus: [] };
  }

  private pduNode(site: string, rack: string, pdu: string, spec: FleetPdu | null): PduNode {
    const id = nodeIds.pdu(site, pdu);
    this.info.set(id, { level: 'pdu', name: pdu, parent: nodeIds.rack(site, rack) });
    const lineToNeutral = new Set<number>();
    if (spec?.phases === 3) for (const b of spec.breakers) if (parsePhase(b.phase)?.kind === 'line') for (const n of b.outlets) lineToNeutral.add(n);
    const node: PduNode = { id, site, rack, pdu, spec, outlets: [], lineToNeutral };
    this.pdus.push(node);
    return node;
  }

  private outletNode(p: PduNode, outlet: number, rig: string | null, model: string | null): OutletNode {
    const id = nodeIds.outlet(p.site, p.pdu, outlet);
    this.info.set(id, { level: 'outlet', name: `outlet ${outlet}`, parent: p.id });
    return { id, site: p.site, pdu: p.pdu, outlet, rig, model, live: this.telemetry.outlet(p.site, p.pdu, outlet) };
  }
}
