import type { Nameplate } from '../energy/nameplate.js';
import type { RigLatest } from '../live/events.js';
import { outletCurrent, pduChecks, siteCheck, worst, type OutletElectrical } from './capacity.js';
import type { CapacityCheck, CurrentSource, OpsFigures } from './contract.js';
import type { OpsTelemetry, OutletLive } from './telemetry.js';
import { FACILITY, type OutletNode, type PduNode, type SiteNode, type Topology } from './topology.js';

/**
 * One tick's view of the whole facility: figures for every node down to the PDUs (an outlet's are built when
 * a frame shows it, see outletFigures), every capacity check, and what the alert rules look at (PDU and rig
 * states, voltages, site loads). Pure: built from the topology, the telemetry, LiveState's rigs and the
 * clock reading it is given. O(outlets) per tick.
 */
export interface OutletEval {
  node: OutletNode;
  live: OutletLive | undefined;
  fresh: boolean;
  /** Fresh power (0 when stale) and energy today (Wh). */
  power: number;
  wh: number;
  rig: string | null;
  model: string | null;
  rigLatest: RigLatest | undefined;
  online: boolean;
  current: { amps: number; source: CurrentSource } | null;
  nameplate: Nameplate | null;
}

export interface VoltageExtreme {
  outlet: number;
  volts: number;
  nominal: number;
  /** (volts − nominal) / nominal. */
  deviation: number;
}

export interface PduEval {
  node: PduNode;
  /** Null while there is no telling yet (just started, never heard from). */
  online: boolean | null;
  offline: 'lwt' | 'stale' | 'never' | null;
  lastTs: number | null;
  checks: CapacityCheck[];
  outlets: OutletEval[];
  voltage: VoltageExtreme | null;
  continuousPct: number;
}

export interface SiteEval {
  node: SiteNode;
  itPowerW: number;
  meterPowerW: number | null;
  check: CapacityCheck | null;
}

export type BaseFigures = Omit<OpsFigures, 'alerts'>;

export interface Snapshot {
  ts: number;
  topology: Topology;
  figures: Map<string, BaseFigures>;
  checks: Map<string, CapacityCheck[]>;
  sites: SiteEval[];
  pdus: PduEval[];
  pduById: Map<string, PduEval>;
}

export interface SnapshotInput {
  topology: Topology;
  telemetry: OpsTelemetry;
  /** LiveState's rigs of a site (online rule, hashrate, model). */
  rigs: (site: string) => readonly RigLatest[];
  nameplate: (model: string | null) => Nameplate | null;
  staleMs: number;
  /** When this process started: a PDU never heard from is offline only once a staleness window has passed. */
  startedAt: number;
  now: number;
}

/** Sums of figures over outlets; `finish` adds the capacity verdict. */
class Acc {
  power = 0;
  wh = 0;
  hash = 0;
  hashPower = 0;
  online = 0;
  total = 0;
  add(f: Acc): void {
    this.power += f.power;
    this.wh += f.wh;
    this.hash += f.hash;
    this.hashPower += f.hashPower;
    this.online += f.online;
    this.total += f.total;
  }
  finish(checks: Iterable<CapacityCheck>): BaseFigures {
    const w = worst(checks);
    return {
      power_w: this.power,
      kwh_today: this.wh / 1000,
      hashrate_ths: this.hash,
      j_per_th: this.hash > 0 && this.hashPower > 0 ? this.hashPower / this.hash : null,
      rigs_online: this.online,
      rigs_total: this.total,
      utilisation: w.utilisation,
      level: w.level,
    };
  }
}

export function buildSnapshot(input: SnapshotInput): Snapshot {
  const snap: Snapshot = { ts: input.now, topology: input.topology, figures: new Map(), checks: new Map(), sites: [], pdus: [], pduById: new Map() };
  const facility = new Acc();
  const facilityChecks: CapacityCheck[] = [];
  for (const site of input.topology.sites) {
    const rigs = new Map(input.rigs(site.site).map((r) => [r.rig, r]));
    const siteAcc = new Acc();
    const siteChecks: CapacityCheck[] = [];
    for (const rack of site.racks) {
      const rackAcc = new Acc();
      const rackChecks: CapacityCheck[] = [];
      for (const pdu of rack.pdus) {
        const { acc, checks } = evalPdu(snap, input, pdu, site, rigs);
        rackAcc.add(acc);
        rackChecks.push(...checks);
      }
      snap.figures.set(rack.id, rackAcc.finish(rackChecks));
      siteAcc.add(rackAcc);
      siteChecks.push(...rackChecks);
    }
    const meter = input.telemetry.meterPower(site.site, input.now, input.staleMs);
    const check = site.capacityKw === null ? null : siteCheck(site.id, meter ?? siteAcc.power, site.capacityKw, meter !== null ? 'site (facility meter)' : 'site (IT load)');
    snap.sites.push({ node: site, itPowerW: siteAcc.power, meterPowerW: meter, check });
    if (check) snap.checks.set(site.id, [check]);
    const all = check ? [check, ...siteChecks] : siteChecks;
    snap.figures.set(site.id, siteAcc.finish(all));
    facility.add(siteAcc);
    facilityChecks.push(...all);
  }
  snap.figures.set(FACILITY, facility.finish(facilityChecks));
  return snap;
}

function evalPdu(snap: Snapshot, input: SnapshotInput, pdu: PduNode, site: SiteNode, rigs: ReadonlyMap<string, RigLatest>): { acc: Acc; checks: CapacityCheck[] } {
  const acc = new Acc();
  const electrical: OutletElectrical[] = [];
  const outlets: OutletEval[] = [];
  let lastTs: number | null = null;
  for (const node of pdu.outlets) {
    const o = evalOutlet(input, pdu, node, rigs);
    outlets.push(o);
    if (o.live) lastTs = Math.max(lastTs ?? 0, o.live.ts);
    if (o.fresh && o.live) electrical.push({ outlet: node.outlet, power_w: o.live.power_w, voltage_v: o.live.voltage_v, current_a: o.live.current_a, pf: o.live.pf });
    acc.power += o.power;
    acc.wh += o.wh;
    const hash = o.rigLatest?.hashrate_ths ?? 0;
    if (hash > 0) {
      acc.hash += hash;
      acc.hashPower += o.power;
    }
    if (o.rig !== null) {
      acc.total += 1;
      if (o.online) acc.online += 1;
    }
  }
  const checks = pdu.spec ? pduChecks(pdu.id, pdu.spec, electrical, site.continuousPct) : [];
  if (checks.length > 0) snap.checks.set(pdu.id, checks);
  const state = pduState(input, pdu, lastTs);
  const evaluated: PduEval = { node: pdu, ...state, lastTs, checks, outlets, voltage: voltageExtreme(pdu, outlets), continuousPct: site.continuousPct };
  snap.pdus.push(evaluated);
  snap.pduById.set(pdu.id, evaluated);
  snap.figures.set(pdu.id, acc.finish(checks));
  return { acc, checks };
}

function evalOutlet(input: SnapshotInput, pdu: PduNode, node: OutletNode, rigs: ReadonlyMap<string, RigLatest>): OutletEval {
  const live = node.live;
  const fresh = live !== undefined && input.now - live.ts <= input.staleMs;
  const rig = node.rig ?? live?.rig ?? null;
  const rigLatest = rig === null ? undefined : rigs.get(rig);
  const model = rigLatest?.model ?? node.model;
  const nominal = nominalVolts(pdu, node.outlet);
  const current = fresh && live ? outletCurrent({ outlet: node.outlet, power_w: live.power_w, voltage_v: live.voltage_v, current_a: live.current_a, pf: live.pf }, nominal) : null;
  const power = fresh && live ? live.power_w : 0;
  const wh = live ? input.telemetry.todayWh(live, input.now) : 0;
  return { node, live, fresh, power, wh, rig, model, rigLatest, online: rigLatest?.online ?? false, current, nameplate: input.nameplate(model) };
}

/** An outlet's figures, built only when a frame shows it (not every tick for every outlet). */
export function outletFigures(o: OutletEval): BaseFigures {
  const hash = o.rigLatest?.hashrate_ths ?? 0;
  return {
    power_w: o.power,
    kwh_today: o.wh / 1000,
    hashrate_ths: hash,
    j_per_th: hash > 0 && o.power > 0 ? o.power / hash : null,
    rigs_online: o.rig !== null && o.online ? 1 : 0,
    rigs_total: o.rig !== null ? 1 : 0,
    utilisation: null,
    level: 'unknown',
  };
}

/** The outlet's nominal voltage: the PDU's (line-to-line on 3-phase), or V/√3 on a line-to-neutral bank. */
export function nominalVolts(pdu: PduNode, outlet: number): number {
  return pdu.lineToNeutral.has(outlet) ? pdu.spec!.voltage_v / Math.sqrt(3) : pdu.spec?.voltage_v ?? 0;
}

/** An outlet's evaluation by its node id (`outlet:<site>/<pdu>/<n>`), found through its PDU. */
export function outletEval(snap: Snapshot, id: string): OutletEval | undefined {
  if (!id.startsWith('outlet:')) return undefined;
  const slash = id.lastIndexOf('/');
  const n = Number(id.slice(slash + 1));
  return snap.pduById.get(`pdu:${id.slice('outlet:'.length, slash)}`)?.outlets.find((o) => o.node.outlet === n);
}

function pduState(input: SnapshotInput, pdu: PduNode, lastTs: number | null): Pick<PduEval, 'online' | 'offline'> {
  const status = input.telemetry.status(pdu.site, pdu.pdu);
  if (status && !status.online) return { online: false, offline: 'lwt' };
  if (lastTs !== null) return input.now - lastTs > input.staleMs ? { online: false, offline: 'stale' } : { online: true, offline: null };
  const expectsData = pdu.outlets.length > 0;
  if (expectsData && input.now - input.startedAt > input.staleMs) return { online: false, offline: 'never' };
  return { online: status ? status.online : null, offline: null };
}

function voltageExtreme(pdu: PduNode, outlets: readonly OutletEval[]): VoltageExtreme | null {
  let worstV: VoltageExtreme | null = null;
  for (const o of outlets) {
    const volts = o.fresh ? o.live?.voltage_v ?? null : null;
    const nominal = nominalVolts(pdu, o.node.outlet);
    if (volts === null || nominal <= 0) continue;
    const deviation = (volts - nominal) / nominal;
    if (!worstV || Math.abs(deviation) > Math.abs(worstV.deviation)) worstV = { outlet: o.node.outlet, volts, nominal, deviation };
  }
  return worstV;
}
