/**
 * The checks of a reconciliation, as pure functions of the figures: coverage per device (expected vs received
 * readings), register-based vs integrated energy, and the facility meter vs the Σ of the PDUs behind it. Each
 * difference beyond its tolerance is flagged with a sentence saying what is off. No I/O, no clock.
 * docs/auditing.md gives every definition with a worked example (test/unit/aud-reconcile.test.ts).
 */
import { energyMwh, integratedMwh, methodOf, type Figures } from '../rollup/figures.js';

export interface Tolerances {
  /** A device with fewer than this share of its expected readings is flagged (0.99 = 99 %). */
  min_coverage: number;
  /** Register-based vs integrated energy, and meter vs Σ PDUs: the relative difference allowed, %. */
  energy_pct: number;
  /** Facility meter energy / Σ PDU outlet energy above this is flagged (overhead out of bounds). */
  max_overhead: number;
  /** Every device's expected reporting interval, ms; null: inferred per device. */
  interval_ms: number | null;
}

export const DEFAULT_TOLERANCES: Tolerances = { min_coverage: 0.99, energy_pct: 1, max_overhead: 2, interval_ms: null };

/** Reporting intervals devices are usually set to; an inferred interval within 5 % of one is taken as it. */
const USUAL_INTERVALS_MS = [1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600].map((s) => s * 1000);
const SNAP = 0.05;
/** A register counts whole Wh: each series may differ from its power integral by one step (1 Wh) over a range. */
const REGISTER_STEP_MWH = 1000;

export type DeviceKind = 'pdu' | 'meter' | 'miner';

/** What the accounting adjusted or could not bridge, as the API names it. */
export interface EventCounts {
  gaps: number;
  resets: number;
  spikes_rejected: number;
  glitches: number;
  recoveries: number;
  rollovers: number;
}

export function eventCounts(f: Readonly<Figures> | null): EventCounts {
  return { gaps: f?.gaps ?? 0, resets: f?.resets ?? 0, spikes_rejected: f?.spikes ?? 0, glitches: f?.glitches ?? 0, recoveries: f?.recoveries ?? 0, rollovers: f?.rollovers ?? 0 };
}

export interface DeviceCoverage extends EventCounts {
  kind: DeviceKind;
  id: string;
  in_fleet: boolean;
  /** Series the device should report (a PDU's outlets in the fleet file; else those seen), and those seen. */
  series_expected: number;
  series_seen: number;
  interval_ms: number | null;
  interval_from: 'given' | 'inferred' | 'site' | null;
  expected: number | null;
  received: number;
  /** received / expected. */
  coverage: number | null;
  /** Time between readings at most 5 min apart / (series expected × range). */
  completeness: number;
  flagged: boolean;
  note: string | null;
}

/** What the fleet file says a site has: each PDU's outlet count, its rigs and its meters. */
export interface FleetShape {
  pdus: ReadonlyMap<string, number>;
  rigs: ReadonlySet<string>;
  meters: ReadonlySet<string>;
}

export const NO_FLEET: FleetShape = { pdus: new Map(), rigs: new Set(), meters: new Set() };

interface DeviceFigures {
  kind: DeviceKind;
  id: string;
  in_fleet: boolean;
  series_expected: number;
  f: Figures | null;
}

/**
 * Coverage of every device seen or in the fleet: PDUs (all their outlets), facility meters, and miners (when
 * the site has miner readings at all). `pdus`, `meters`, `rigs` are the groups' figures by id.
 */
export function coverageOf(
  groups: { pdus: ReadonlyMap<string, Figures>; meters: ReadonlyMap<string, Figures>; rigs: ReadonlyMap<string, Figures> },
  rangeMs: number,
  fleet: FleetShape,
  tol: Tolerances,
): DeviceCoverage[] {
  const devices: DeviceFigures[] = [];
  for (const id of sortedUnion(groups.pdus.keys(), fleet.pdus.keys())) {
    const f = groups.pdus.get(id) ?? null;
    const outlets = fleet.pdus.get(id);
    devices.push({ kind: 'pdu', id, in_fleet: outlets !== undefined, series_expected: outlets !== undefined && outlets > 0 ? outlets : Math.max(1, f?.series ?? 0), f });
  }
  for (const id of sortedUnion(groups.meters.keys(), fleet.meters)) devices.push({ kind: 'meter', id, in_fleet: fleet.meters.has(id), series_expected: 1, f: groups.meters.get(id) ?? null });
  const anyMiner = [...groups.rigs.values()].some((f) => f.miner_samples > 0);
  if (anyMiner) {
    for (const id of sortedUnion(groups.rigs.keys(), fleet.rigs)) devices.push({ kind: 'miner', id, in_fleet: fleet.rigs.has(id), series_expected: 1, f: groups.rigs.get(id) ?? null });
  }
  const inferred = devices.map((d) => inferInterval(d));
  const siteInterval = new Map<DeviceKind, number>();
  for (const kind of ['pdu', 'meter', 'miner'] as const) {
    const m = median(inferred.filter((x, i) => x !== null && devices[i]!.kind === kind) as number[]);
    if (m !== null) siteInterval.set(kind, m);
  }
  return devices.map((d, i) => deviceCoverage(d, inferred[i]!, siteInterval.get(d.kind) ?? null, rangeMs, tol));
}

function deviceCoverage(d: DeviceFigures, inferred: number | null, siteInterval: number | null, rangeMs: number, tol: Tolerances): DeviceCoverage {
  const f = d.f;
  const miner = d.kind === 'miner';
  const received = f ? (miner ? f.miner_samples : f.samples) : 0;
  const covered = f ? (miner ? f.hash_covered_ms : f.covered_ms) : 0;
  const interval: { ms: number | null; from: DeviceCoverage['interval_from'] } =
    tol.interval_ms !== null ? { ms: tol.interval_ms, from: 'given' } : inferred !== null ? { ms: inferred, from: 'inferred' } : siteInterval !== null ? { ms: siteInterval, from: 'site' } : { ms: null, from: null };
  const expected = interval.ms !== null ? Math.round((d.series_expected * rangeMs) / interval.ms) : null;
  const coverage = expected !== null && expected > 0 ? received / expected : null;
  const note = coverageNote(d, received, coverage, tol);
  return {
    kind: d.kind,
    id: d.id,
    in_fleet: d.in_fleet,
    series_expected: d.series_expected,
    series_seen: f ? (miner ? (f.miner_samples > 0 ? 1 : 0) : f.series) : 0,
    interval_ms: interval.ms,
    interval_from: interval.from,
    expected,
    received,
    coverage,
    completeness: rangeMs > 0 ? covered / (d.series_expected * rangeMs) : 0,
    ...eventCounts(miner ? null : f),
    flagged: note !== null,
    note,
  };
}

function coverageNote(d: DeviceFigures, received: number, coverage: number | null, tol: Tolerances): string | null {
  const what = d.kind === 'pdu' ? `PDU ${d.id}` : d.kind === 'meter' ? `meter ${d.id}` : `miner ${d.id}`;
  if (received === 0) return `${what} sent no readings in the range${d.in_fleet ? ' (it is in the fleet file)' : ''}`;
  if (coverage !== null && coverage < tol.min_coverage) return `${what} sent ${pct(coverage)} of the readings expected (below ${pct(tol.min_coverage)})`;
  if (d.kind === 'pdu' && d.f && d.f.series < d.series_expected) return `${what} reported ${d.f.series} of its ${d.series_expected} outlets`;
  return null;
}

/**
 * The device's reporting interval: covered time per reading (gaps over 5 min left out of both), snapped to a
 * usual interval within 5 %. A device that drops single readings without a 5-min gap looks slower than it is:
 * give the interval (`interval_s`) to count those as missing.
 */
export function inferInterval(d: { kind: DeviceKind; f: Figures | null }): number | null {
  const f = d.f;
  if (!f) return null;
  const samples = d.kind === 'miner' ? f.miner_samples : f.samples;
  const covered = d.kind === 'miner' ? f.hash_covered_ms : f.covered_ms;
  if (samples < 2 || covered <= 0) return null;
  const raw = covered / samples;
  const usual = USUAL_INTERVALS_MS.find((u) => Math.abs(raw - u) <= SNAP * u);
  return usual ?? Math.round(raw);
}

export interface MethodCheck {
  subject: 'site' | 'pdu' | 'meter';
  id: string;
  method: 'register' | 'integrated' | 'mixed' | 'none';
  /** Energy as accounted (docs/energy.md: registers where present, else integrated power), and its two parts. */
  kwh: number;
  kwh_from_registers: number;
  kwh_integrated: number;
  /** ∫ power dt of the same series, trapezoids, not across gaps over 5 min. */
  kwh_power_integral: number;
  difference_kwh: number;
  difference_pct: number | null;
  gaps: number;
  flagged: boolean;
  note: string | null;
}

/** Registers against power: the energy as accounted vs the plain integral of the reported power. */
export function methodCheck(subject: MethodCheck['subject'], id: string, f: Figures, tol: Tolerances): MethodCheck {
  const mwh = energyMwh(f);
  const integral = Math.round(f.power_mwh);
  const diff = mwh - integral;
  const allowed = Math.max((tol.energy_pct / 100) * Math.max(Math.abs(mwh), Math.abs(integral)), REGISTER_STEP_MWH * Math.max(1, f.series));
  const flagged = f.register_ms > 0 && Math.abs(diff) > allowed;
  return {
    subject,
    id,
    method: methodOf(f),
    kwh: mwh / 1e6,
    kwh_from_registers: f.register_mwh / 1e6,
    kwh_integrated: integratedMwh(f) / 1e6,
    kwh_power_integral: integral / 1e6,
    difference_kwh: diff / 1e6,
    difference_pct: integral !== 0 ? round((diff / integral) * 100, 4) : null,
    gaps: f.gaps,
    flagged,
    note: flagged ? methodNote(subject, id, diff, f) : null,
  };
}

function methodNote(subject: MethodCheck['subject'], id: string, diff: number, f: Figures): string {
  const what = subject === 'site' ? 'the site' : `${subject === 'pdu' ? 'PDU' : 'meter'} ${id}`;
  if (diff > 0 && f.gaps > 0) return `registers of ${what} counted ${kwh(diff)} kWh more than its power implies; ${f.gaps} gap(s) over 5 min: registers bridge them, integration cannot — the difference is at most the energy across the gaps`;
  if (diff > 0) return `registers of ${what} counted ${kwh(diff)} kWh more than its reported power implies: a register runs fast, or power reads low`;
  return `registers of ${what} counted ${kwh(-diff)} kWh less than its reported power implies: a register lags or lost counts, or power reads high`;
}

export interface MeterVsIt {
  meter_kwh: number | null;
  it_kwh: number;
  /** meter − Σ PDUs: cooling, lighting and losses when positive. */
  difference_kwh: number | null;
  /** meter / Σ PDUs (PUE-style). */
  ratio: number | null;
  meter_completeness: number | null;
  it_completeness: number;
  flagged: boolean;
  note: string | null;
}

/**
 * The facility meter against the PDUs it feeds. The meter must count at least what the PDUs delivered (within
 * `energy_pct`), and not more than `max_overhead` times it.
 */
export function meterVsIt(meter: Figures | null, it: Figures, tol: Tolerances): MeterVsIt {
  const itMwh = energyMwh(it);
  const meterMwh = meter ? energyMwh(meter) : null;
  const ratio = meterMwh !== null && itMwh > 0 ? meterMwh / itMwh : null;
  let note: string | null = null;
  let flagged = false;
  if (meterMwh === null) {
    if (itMwh > 0) [flagged, note] = [true, 'no facility meter readings: the PDUs cannot be checked against the meter'];
  } else if (itMwh > 0 && meterMwh < itMwh * (1 - tol.energy_pct / 100)) {
    [flagged, note] = [true, `the facility meter counted ${kwh(itMwh - meterMwh)} kWh (${pct(1 - meterMwh / itMwh)}) less than the PDUs behind it`];
  } else if (ratio !== null && ratio > tol.max_overhead) {
    [flagged, note] = [true, `the facility meter counted ${ratio.toFixed(3)} × what the PDUs delivered, above the ${tol.max_overhead} allowed`];
  }
  const meterCompleteness = meter ? completeness(meter) : null;
  if (!flagged && meterCompleteness !== null && Math.abs(meterCompleteness - completeness(it)) > 0.01) {
    note = `completeness differs (meter ${pct(meterCompleteness)}, PDUs ${pct(completeness(it))}): the two energies do not cover the same time equally`;
  }
  return {
    meter_kwh: meterMwh === null ? null : meterMwh / 1e6,
    it_kwh: itMwh / 1e6,
    difference_kwh: meterMwh === null ? null : (meterMwh - itMwh) / 1e6,
    ratio: ratio === null ? null : round(ratio, 6),
    meter_completeness: meterCompleteness,
    it_completeness: completeness(it),
    flagged,
    note,
  };
}

export function completeness(f: Readonly<Figures>): number {
  return f.series_ms > 0 ? f.covered_ms / f.series_ms : 0;
}

function sortedUnion(a: Iterable<string>, b: Iterable<string>): string[] {
  return [...new Set([...a, ...b])].sort();
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((x, y) => x - y);
  return s[Math.floor((s.length - 1) / 2)]!;
}

function pct(share: number): string {
  return `${(share * 100).toFixed(2)} %`;
}

function kwh(mwh: number): string {
  return (mwh / 1e6).toFixed(3);
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
