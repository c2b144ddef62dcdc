/**
 * The fleet file (docs/fleet.md, server/src/fleet/schema.ts) a simulated fleet implies: its sites, racks, PDUs
 * with ratings, outlets with their rigs and models, the facility meters, and every device's bindings — so that a
 * server started with `FLEET_FILE=<it>` and `DIALECTS=<fleet.serverDialects()>` files each reading of every
 * dialect under the same site, PDU, outlet and rig as the native format would have named it.
 */
import { Document, type YAMLMap, type YAMLSeq } from 'yaml';
import type { BindingSpec, SimDevice } from './encoders/types.js';
import { REGISTER_WRAP_WH } from './faults/types.js';
import { METER_ID } from './ids.js';
import type { SitePlan } from './layout.js';

export interface FleetFileOutlet {
  outlet: number;
  rig: string;
  model: string;
}

export interface FleetFilePdu {
  id: string;
  rating_a: number;
  voltage_v: number;
  phases: 3;
  /** The outlets' rating (above it a register jump is a spike) and their 32-bit Wh registers' width. */
  outlet_rating_a: number;
  register_wrap_wh: number;
  outlets: FleetFileOutlet[];
}

export interface FleetFileSite {
  id: string;
  name: string;
  time_zone: string;
  capacity_kw: number;
  meters: Array<{ id: string }>;
  racks: Array<{ id: string; pdus: FleetFilePdu[] }>;
}

export interface FleetFile {
  version: 1;
  sites: FleetFileSite[];
  bindings: BindingSpec[];
}

export interface FleetFileSiteInput {
  plan: SitePlan;
  nameplateW: number;
  devices: readonly SimDevice[];
}

/** Breaker sizes (A) a PDU's feed is rated at (UL 489 / IEC 60898 standard ratings). */
const STANDARD_BREAKERS_A = [16, 20, 25, 30, 32, 40, 50, 60, 63, 70, 80, 90, 100, 125, 150, 175, 200, 225, 250, 300, 350, 400, 500, 600, 800];
/** NEC 210.20(A): a continuous load may use 80 % of a breaker's rating. */
const CONTINUOUS_LOAD = 0.8;
/** Contracted capacity over the IT nameplate: the worst overhead factor the meter model allows (PUE 1.4). */
const CAPACITY_FACTOR = 1.4;

export function buildFleetFile(sites: readonly FleetFileSiteInput[]): FleetFile {
  return {
    version: 1,
    sites: sites.map(({ plan, nameplateW }) => siteEntry(plan, nameplateW)),
    bindings: sites.flatMap((s) => s.devices.flatMap((d) => d.bindings())),
  };
}

function siteEntry(plan: SitePlan, nameplateW: number): FleetFileSite {
  const racks = new Map<string, FleetFilePdu[]>();
  for (const pdu of plan.pdus) {
    const entry: FleetFilePdu = {
      id: pdu.id,
      rating_a: pduRatingA(pdu.rigs.map((r) => r.model.powerW), plan.nominalVoltageV),
      voltage_v: plan.nominalVoltageV,
      phases: 3,
      outlet_rating_a: outletRatingA(pdu.rigs.map((r) => r.model.powerW), plan.nominalVoltageV),
      register_wrap_wh: REGISTER_WRAP_WH,
      outlets: pdu.rigs.map((r) => ({ outlet: r.outlet, rig: r.id, model: r.model.model })),
    };
    const rack = racks.get(pdu.rack);
    if (rack) rack.push(entry);
    else racks.set(pdu.rack, [entry]);
  }
  return {
    id: plan.id,
    name: `Simulated ${plan.id}`,
    // The simulated devices keep UTC clocks (Tasmota's zoneless Time is read as UTC), so the site's days are UTC.
    time_zone: 'UTC',
    capacity_kw: Math.ceil((nameplateW * CAPACITY_FACTOR) / 1000),
    meters: [{ id: METER_ID }],
    racks: [...racks].map(([id, pdus]) => ({ id, pdus })),
  };
}

/**
 * The smallest standard breaker that carries the PDU's nameplate load, at its most loaded line, as a continuous
 * load. Outlet i is on phase i mod 3 (devices/pdu.ts). At 230 V (line-to-neutral, 400/230 feed) a line carries
 * its phase's current. At 208 V the outlets sit across line pairs (208Y/120 feed), and a line carries two
 * pairs' currents 120° apart: √(a² + b² + ab) — √3 × a when they are equal, a alone when the other is idle.
 */
export function pduRatingA(outletW: readonly number[], voltageV: number): number {
  const phaseA = [0, 0, 0];
  outletW.forEach((w, i) => (phaseA[i % 3] = (phaseA[i % 3] as number) + w / voltageV));
  const [a = 0, b = 0, c = 0] = phaseA;
  const lineA = voltageV === 208 ? [[a, c], [a, b], [b, c]].map(([x = 0, y = 0]) => Math.sqrt(x * x + y * y + x * y)) : phaseA;
  const needed = Math.max(...lineA) / CONTINUOUS_LOAD;
  return STANDARD_BREAKERS_A.find((rating) => rating >= needed) ?? Math.ceil(needed);
}

/** Outlet ratings (A) of IEC 60320 C13/C19 and IEC 60309 sockets, and their UL counterparts. */
const STANDARD_OUTLETS_A = [10, 15, 16, 20, 30, 32, 50, 63];

/** The smallest standard outlet that carries the PDU's largest rig as a continuous load (80 %). */
export function outletRatingA(outletW: readonly number[], voltageV: number): number {
  const needed = Math.max(0, ...outletW) / voltageV / CONTINUOUS_LOAD;
  return STANDARD_OUTLETS_A.find((rating) => rating >= needed) ?? Math.ceil(needed);
}

/** The file as YAML: one line per outlet and per binding, with a header saying how to start the server with it. */
export function fleetFileYaml(file: FleetFile, header: readonly string[]): string {
  const doc = new Document(file);
  doc.commentBefore = header.map((line) => ` ${line}`).join('\n');
  file.sites.forEach((site, si) =>
    site.racks.forEach((rack, ri) =>
      rack.pdus.forEach((_pdu, pi) => {
        const outlets = doc.getIn(['sites', si, 'racks', ri, 'pdus', pi, 'outlets']) as YAMLSeq<YAMLMap>;
        for (const item of outlets.items) item.flow = true;
      }),
    ),
  );
  const bindings = doc.get('bindings') as YAMLSeq<YAMLMap> | undefined;
  for (const item of bindings?.items ?? []) item.flow = true;
  return doc.toString({ lineWidth: 0 });
}
