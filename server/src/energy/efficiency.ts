/**
 * Efficiency (J/TH) and overhead (PUE-style) over a range, from the figures of every rig, PDU, meter and the
 * site (reconcile/groups.ts: rollups where clean, the minute accounting of raw readings elsewhere — the same
 * figures /api/energy answers from). Pure: no I/O, no clock.
 *
 * J/TH = energy (J) / hash-work (TH) = ∫P dt / ∫H dt over the same range — never an average of instantaneous
 * ratios, which would weigh an idle minute like a busy one. Energy is the series accounting (registers or
 * integrated power); hash-work is the trapezoidal integral of the miners' reported TH/s, never across a gap
 * longer than the gap limit. Both report their completeness: when one side has gaps the other has not, the
 * ratio is biased, and the two figures say by how much at most.
 */
import { energyMwh, hashGhs, type Figures } from '../rollup/figures.js';
import { mwhToKwh } from './exact.js';
import type { Nameplate, NameplateTable } from './nameplate.js';

/** J/TH from mWh and GH·s: J = mWh · 3.6, TH = GH·s / 1000, so J/TH = mWh · 3600 / GH·s. Null without hash-work. */
export function joulesPerTh(mwh: number, ghs: number): number | null {
  return ghs > 0 ? (mwh * 3600) / ghs : null;
}

export interface RigEfficiency {
  rig: string;
  pdu: string | null;
  model: string | null;
  kwh: number | null;
  th: number;
  jth: number | null;
  energy_completeness: number | null;
  hash_completeness: number;
  nameplate: Nameplate | null;
  /** (measured − nameplate) / nameplate: +0.05 is 5 % more energy per TH than the nameplate. */
  drift: number | null;
  note: string | null;
}

export interface GroupEfficiency {
  kwh: number;
  th: number;
  jth: number | null;
  energy_completeness: number;
  hash_completeness: number;
  rigs: number;
}

export interface SiteEfficiency extends GroupEfficiency {
  /** Facility meter energy over the same range, and J/TH on it (cooling and losses included). */
  meter_kwh: number | null;
  jth_facility: number | null;
}

export interface Overhead {
  /** Facility meter energy / IT energy (Σ PDU outlets): PUE-style; null when either is missing. */
  ratio: number | null;
  meter_kwh: number | null;
  it_kwh: number;
  meter_completeness: number | null;
  it_completeness: number;
}

export interface EfficiencyReport {
  /** The whole site: every outlet's energy over every miner's hash-work. */
  total: SiteEfficiency;
  overhead: Overhead;
  pdus: Array<GroupEfficiency & { pdu: string }>;
  rigs: RigEfficiency[];
}

/** What the figures do not hold: which PDU a rig is on, and the model its miner reported last. */
export interface RigTags {
  pdu: string | null;
  model: string | null;
}

export interface EfficiencyInput {
  /** `site/`, `pdu/<id>`, `rig/<id>`, `meter/<id>` → figures over the range (miners' hash-work included). */
  groups: ReadonlyMap<string, Figures>;
  range: { from: number; to: number };
  nameplates: NameplateTable;
  tagsOf: (rig: string) => RigTags;
}

export function efficiencyReport(input: EfficiencyInput): EfficiencyReport {
  const { range } = input;
  const length = range.to - range.from;
  const rigs: RigEfficiency[] = [];
  const meter = { mwh: 0, covered: 0, present: 0 };
  for (const [key, f] of [...input.groups].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (key.startsWith('rig/')) rigs.push(rigEfficiency(key.slice(4), f, input.tagsOf(key.slice(4)), input.nameplates, length));
    if (key.startsWith('meter/')) {
      meter.mwh += energyMwh(f);
      meter.covered += f.covered_ms;
      meter.present += f.series_ms;
    }
  }
  const withHash = (list: readonly RigEfficiency[]) => list.filter((r) => input.groups.get(`rig/${r.rig}`)!.miner_samples > 0);
  const pdus = [...input.groups]
    .filter(([key]) => key.startsWith('pdu/'))
    .map(([key, f]) => {
      const pdu = key.slice(4);
      const onPdu = rigs.filter((r) => r.pdu === pdu);
      return { pdu, ...group(f, withHash(onPdu), onPdu.length, input.groups, length) };
    })
    .sort((a, b) => a.pdu.localeCompare(b.pdu));
  const site = input.groups.get('site/');
  const miners = withHash(rigs);
  const it = site ? group(site, miners, miners.length, input.groups, length) : { kwh: 0, th: 0, jth: null, energy_completeness: 0, hash_completeness: 0, rigs: 0 };
  const itMwh = site ? energyMwh(site) : 0;
  const ghs = site ? hashGhs(site) : 0;
  const hasMeter = meter.present > 0;
  return {
    total: { ...it, meter_kwh: hasMeter ? mwhToKwh(meter.mwh) : null, jth_facility: hasMeter ? joulesPerTh(meter.mwh, ghs) : null },
    overhead: {
      ratio: hasMeter && itMwh > 0 ? meter.mwh / itMwh : null,
      meter_kwh: hasMeter ? mwhToKwh(meter.mwh) : null,
      it_kwh: mwhToKwh(itMwh),
      meter_completeness: hasMeter ? meter.covered / meter.present : null,
      it_completeness: it.energy_completeness,
    },
    pdus,
    rigs,
  };
}

function rigEfficiency(rig: string, f: Figures, tags: RigTags, table: NameplateTable, length: number): RigEfficiency {
  const hasEnergy = f.series_ms > 0;
  const hasHash = f.miner_samples > 0 || f.miner_series_ms > 0;
  const mwh = energyMwh(f);
  const ghs = hashGhs(f);
  const jth = hasEnergy ? joulesPerTh(mwh, ghs) : null;
  const nameplate = table.lookup(tags.model ?? undefined);
  let note: string | null = null;
  if (!hasEnergy) note = 'no outlet readings for this rig in the range: no energy, no J/TH';
  else if (!hasHash) note = 'no miner readings for this rig in the range: no hash-work, no J/TH';
  else if (f.hash_covered_ms === 0) note = 'the miner readings are all further apart than the gap limit: no hash-work, no J/TH';
  else if (ghs === 0) note = 'the miner reported 0 TH/s throughout (off or curtailed): no J/TH';
  else if (tags.model === null) note = 'the miner reports no model: no nameplate to compare with';
  else if (nameplate === null) note = `model "${tags.model}" is not in asic-specs.csv: no nameplate to compare with`;
  return {
    rig,
    pdu: tags.pdu,
    model: tags.model,
    kwh: hasEnergy ? mwhToKwh(mwh) : null,
    th: ghs / 1000,
    jth,
    energy_completeness: hasEnergy ? f.covered_ms / f.series_ms : null,
    hash_completeness: f.hash_covered_ms / length,
    nameplate,
    drift: jth !== null && nameplate !== null ? (jth - nameplate.jth) / nameplate.jth : null,
    note,
  };
}

/** A PDU's or the site's figures, their hash-work being that of `miners` (the rigs on it with miner readings). */
function group(f: Figures, miners: readonly RigEfficiency[], rigs: number, groups: ReadonlyMap<string, Figures>, length: number): GroupEfficiency {
  const covered = miners.reduce((s, r) => s + groups.get(`rig/${r.rig}`)!.hash_covered_ms, 0);
  const mwh = energyMwh(f);
  const ghs = hashGhs(f);
  return {
    kwh: mwhToKwh(mwh),
    th: ghs / 1000,
    jth: joulesPerTh(mwh, ghs),
    energy_completeness: f.series_ms > 0 ? f.covered_ms / f.series_ms : 0,
    hash_completeness: miners.length > 0 ? covered / (miners.length * length) : 0,
    rigs,
  };
}
