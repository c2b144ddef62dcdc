/**
 * Efficiency (J/TH) and overhead (PUE-style) over a range. Pure: no I/O, no clock.
 *
 * J/TH = energy (J) / hash-work (TH) = ∫P dt / ∫H dt over the same range — never an average of instantaneous
 * ratios, which would weigh an idle minute like a busy one. Energy is the series accounting (registers or
 * integrated power, see series.ts); hash-work is the trapezoidal integral of the miners' reported TH/s, never
 * across a gap longer than the gap limit. Both report their completeness: when one side has gaps the other
 * has not, the ratio is biased, and the two figures say by how much at most.
 */
import type { MeterReading, MinerReading, OutletReading } from '../domain/reading.js';
import { energyOf, groupBy, type EnergyBreakdown } from './energy.js';
import { TrapezoidSum, mwhToKwh } from './exact.js';
import type { Nameplate, NameplateTable } from './nameplate.js';
import { DEFAULT_MAX_GAP_MS, type SeriesOptions } from './types.js';

/** Half-(GH/s)·ms in one GH·s: (h₁ + h₂) · Δt counts half-GH·ms; 1000 ms × 2. */
const HALF_GH_MS_PER_GHS = 2000;

export interface HashWork {
  /** Hash-work, TH (= TH/s × s). */
  th: number;
  /** The same in GH·s, exact up to the float holding it. */
  ghs: number;
  readings: number;
  covered_ms: number;
  completeness: number;
}

/** ∫ hashrate dt over [from, to): trapezoids between readings no further apart than `maxGapMs`. */
export function hashWork(points: readonly { ts: number; hashrate_ths: number }[], range: { from: number; to: number }, maxGapMs = DEFAULT_MAX_GAP_MS): HashWork {
  const byTs = new Map<number, number>();
  for (const p of points) if (p.ts >= range.from && p.ts < range.to) byTs.set(p.ts, Math.round(p.hashrate_ths * 1000));
  const sorted = [...byTs].sort((a, b) => a[0] - b[0]);
  const sum = new TrapezoidSum(HALF_GH_MS_PER_GHS);
  let covered = 0;
  for (let i = 1; i < sorted.length; i++) {
    const [ta, ga] = sorted[i - 1]!;
    const [tb, gb] = sorted[i]!;
    if (tb - ta > maxGapMs) continue;
    sum.add(ga + gb, tb - ta);
    covered += tb - ta;
  }
  const ghs = sum.value();
  return { th: ghs / 1000, ghs, readings: sorted.length, covered_ms: covered, completeness: covered / (range.to - range.from) };
}

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

export interface EfficiencyInput {
  outlets: readonly OutletReading[];
  miners: readonly MinerReading[];
  meters: readonly MeterReading[];
  range: { from: number; to: number };
  nameplates: NameplateTable;
  options?: Partial<SeriesOptions>;
}

const outletKey = (r: OutletReading): string => `${r.pdu}/${r.outlet}`;

export function efficiencyReport(input: EfficiencyInput): EfficiencyReport {
  const { range } = input;
  const maxGapMs = input.options?.maxGapMs ?? DEFAULT_MAX_GAP_MS;
  const req = { range, ...(input.options && { options: input.options }) };
  const hashByRig = new Map([...groupBy(input.miners, (m) => m.rig)].map(([rig, ms]) => [rig, { work: hashWork(ms, range, maxGapMs), model: lastModel(ms) }]));
  const outletsByRig = groupBy(input.outlets.filter((o) => o.rig !== undefined), (o) => o.rig!);
  const rigs = [...new Set([...outletsByRig.keys(), ...hashByRig.keys()])].sort().map((rig) => {
    const outlets = outletsByRig.get(rig);
    const energy = outlets ? energyOf(outlets, outletKey, req) : null;
    return rigEfficiency(rig, outlets?.[0]?.pdu ?? null, energy, hashByRig.get(rig), input.nameplates, range);
  });
  const pdus = [...groupBy(input.outlets, (o) => o.pdu)].sort((a, b) => a[0].localeCompare(b[0])).map(([pdu, outlets]) => {
    const onPdu = rigs.filter((r) => r.pdu === pdu);
    return { pdu, ...group(energyOf(outlets, outletKey, req), onPdu.map((r) => hashByRig.get(r.rig)?.work), range) };
  });
  const it = energyOf(input.outlets, outletKey, req);
  const meter = energyOf(input.meters, (m) => m.meter, req);
  return { ...siteEfficiency(it, meter, [...hashByRig.values()].map((h) => h.work), range), pdus, rigs };
}

function rigEfficiency(rig: string, pdu: string | null, energy: EnergyBreakdown | null, hash: { work: HashWork; model: string | null } | undefined, table: NameplateTable, range: { from: number; to: number }): RigEfficiency {
  const work = hash?.work ?? hashWork([], range);
  const model = hash?.model ?? null;
  const jth = energy ? joulesPerTh(energy.mwh, work.ghs) : null;
  const nameplate = table.lookup(model ?? undefined);
  let note: string | null = null;
  if (!energy) note = 'no outlet readings for this rig in the range: no energy, no J/TH';
  else if (!hash) note = 'no miner readings for this rig in the range: no hash-work, no J/TH';
  else if (work.readings < 2) note = 'fewer than two miner readings in the range: no hash-work, no J/TH';
  else if (work.covered_ms === 0) note = `the miner readings are all further apart than the gap limit: no hash-work, no J/TH`;
  else if (work.ghs === 0) note = 'the miner reported 0 TH/s throughout (off or curtailed): no J/TH';
  else if (model === null) note = 'the miner reports no model: no nameplate to compare with';
  else if (nameplate === null) note = `model "${model}" is not in asic-specs.csv: no nameplate to compare with`;
  return {
    rig,
    pdu,
    model,
    kwh: energy ? mwhToKwh(energy.mwh) : null,
    th: work.th,
    jth,
    energy_completeness: energy ? energy.completeness : null,
    hash_completeness: work.completeness,
    nameplate,
    drift: jth !== null && nameplate !== null ? (jth - nameplate.jth) / nameplate.jth : null,
    note,
  };
}

function group(energy: EnergyBreakdown, works: ReadonlyArray<HashWork | undefined>, range: { from: number; to: number }): GroupEfficiency {
  const present = works.filter((w): w is HashWork => w !== undefined);
  const ghs = present.reduce((s, w) => s + w.ghs, 0);
  const covered = present.reduce((s, w) => s + w.covered_ms, 0);
  return {
    kwh: mwhToKwh(energy.mwh),
    th: ghs / 1000,
    jth: joulesPerTh(energy.mwh, ghs),
    energy_completeness: energy.completeness,
    hash_completeness: present.length > 0 ? covered / (present.length * (range.to - range.from)) : 0,
    rigs: works.length,
  };
}

function siteEfficiency(it: EnergyBreakdown, meter: EnergyBreakdown, works: readonly HashWork[], range: { from: number; to: number }): { total: SiteEfficiency; overhead: Overhead } {
  const g = group(it, works, range);
  const hasMeter = meter.series > 0;
  const ghs = works.reduce((s, w) => s + w.ghs, 0);
  return {
    total: { ...g, meter_kwh: hasMeter ? mwhToKwh(meter.mwh) : null, jth_facility: hasMeter ? joulesPerTh(meter.mwh, ghs) : null },
    overhead: {
      ratio: hasMeter && it.mwh > 0 ? meter.mwh / it.mwh : null,
      meter_kwh: hasMeter ? mwhToKwh(meter.mwh) : null,
      it_kwh: mwhToKwh(it.mwh),
      meter_completeness: hasMeter ? meter.completeness : null,
      it_completeness: it.completeness,
    },
  };
}

/** The model a rig reported last in the range (a swapped miner reports its new model). */
function lastModel(miners: readonly MinerReading[]): string | null {
  let best: MinerReading | null = null;
  for (const m of miners) if (m.model !== undefined && m.model !== '' && (best === null || m.ts >= best.ts)) best = m;
  return best?.model ?? null;
}
