/**
 * The monthly facility report, in the shape regulators ask for. The US EIA-862 survey asked each mining
 * facility for its monthly electricity consumption (MWh), the share used for mining, consumption per electricity
 * supplier, peak load, the fleet of ASICs by model and age, and the maximum hashrate. `buildMonthlyReport` is
 * pure (tested on a constructed month); gather.ts reads its input. Every figure's definition is in DEFINITIONS,
 * which the JSON, CSV and HTML forms all carry, and in docs/auditing.md.
 */
import type { FleetSite } from '../fleet/schema.js';
import { formatLocal } from '../energy/time.js';
import type { GroupKey } from '../rollup/accounting.js';
import { emptyFigures, energyMwh, type Figures } from '../rollup/figures.js';
import { completeness } from '../reconcile/checks.js';
import { groupsOf, sumFigures, type AnsweredFrom } from '../reconcile/groups.js';
import type { AsicCatalog } from './catalog.js';
import { maxHashrate, peakQuarter, sumMinutes, type PeakQuarter } from './peaks.js';

export const DEFINITIONS = {
  consumption: 'Electricity the facility took in the month: the facility (revenue) meter energy, from its energy register (docs/energy.md); the Σ of PDU outlets when the site has no meter readings. Local calendar month in the site\'s time zone.',
  mining: 'Energy delivered to the PDU outlets that feed a rig (the rig is named in the readings or the fleet file). share = mining / consumption; cooling, lighting and losses are not counted as mining.',
  other_it: 'PDU outlet energy not attributed to a rig (network, controls).',
  overhead: 'Facility meter energy − Σ PDU outlet energy: cooling, lighting, transformer and distribution losses.',
  suppliers: 'Each facility meter\'s energy, attributed to the supplier the fleet file names for that meter (or the site\'s only supplier).',
  peak_load: 'Highest 15-minute demand: the energy counted in a local clock quarter (:00, :15, :30, :45) over its length, from the facility meter (else the PDUs) — what a utility\'s demand register shows (GET /api/demand).',
  max_hashrate: 'Highest 1-minute mean hashrate of all the site\'s miners together: hash-work (∫ TH/s dt, not across gaps over 5 min) in the minute / 60 s.',
  nameplate_hashrate: 'Σ of the manufacturer\'s rated hashrate of every rig in the fleet whose model is known (simulators/data/asic-specs.csv).',
  fleet: 'Rigs of the site (fleet file, and any rig that reported in the month), by model; active = reported power or hashrate in the month. Model as the fleet file names it, else as the miner reported it.',
  age: 'Years from the model\'s release (asic-specs.csv release_year_approx) to the report\'s year: the model\'s age, not each unit\'s (install dates are not recorded). Unknown (—) for a model released after the report\'s year.',
  completeness: 'Share of the time the series were present that lies between readings at most 5 min apart. Registers bridge gaps exactly, so energy is complete even where completeness is below 1.',
} as const;

export interface MonthlyInput {
  site: string;
  month: string;
  tz: string;
  from: number;
  to: number;
  fleetSite: FleetSite | undefined;
  /** The site's outlets and its meters (Σ) over the month: what GET /api/energy?month= answers as `kwh` and `meter_kwh`. */
  totals: { it: Figures; meter: Figures | null };
  /** Every group's figures (`rig/<id>`, `meter/<id>`, …) over the month. */
  groups: ReadonlyMap<GroupKey, Figures>;
  /** Per-minute figures of `site/` and each `meter/<id>`. */
  minutes: ReadonlyMap<GroupKey, ReadonlyMap<number, Figures>>;
  /** rig → model as its miner last reported it in the month. */
  reportedModels: ReadonlyMap<string, string>;
  catalog: AsicCatalog;
  answered_from: AnsweredFrom;
}

export interface FleetModelLine {
  model: string;
  manufacturer: string | null;
  release_year: number | null;
  age_years: number | null;
  rigs: number;
  rigs_active: number;
  nameplate_ths_each: number | null;
  nameplate_w_each: number | null;
}

export interface SupplierLine {
  name: string | null;
  account: string | null;
  meters: string[];
  mwh: number | null;
  kwh: number | null;
  share: number | null;
}

export interface MonthlyReport {
  report: 'kilowatch monthly facility report';
  format_version: 1;
  site: string;
  site_name: string | null;
  month: string;
  time_zone: string;
  period: { from: number; to: number; local_from: string; local_to: string; hours: number };
  consumption: { mwh: number; kwh: number; source: 'meter' | 'it' | 'none'; meter_kwh: number | null; it_kwh: number; meter_completeness: number | null; it_completeness: number };
  mining: { mwh: number; kwh: number; share: number | null; other_it_kwh: number; overhead_kwh: number | null };
  suppliers: SupplierLine[];
  peak_load: (PeakQuarter & { source: 'meter' | 'it'; interval_minutes: 15 }) | null;
  hashrate: { max_ths: number | null; max_at: number | null; local_max_at: string | null; nameplate_ths: number };
  fleet: { rigs: number; rigs_active: number; unknown_model: number; models: FleetModelLine[] };
  answered_from: AnsweredFrom;
  definitions: typeof DEFINITIONS;
}

export function buildMonthlyReport(input: MonthlyInput): MonthlyReport {
  const itMwh = energyMwh(input.totals.it);
  const meterMwh = input.totals.meter ? energyMwh(input.totals.meter) : null;
  const consumptionMwh = meterMwh ?? itMwh;
  const rigs = groupsOf(input.groups, 'rig');
  const miningMwh = energyMwh(rigs.size > 0 ? sumFigures(rigs.values()) : emptyFigures());
  const share = (mwh: number) => (consumptionMwh > 0 ? mwh / consumptionMwh : null);
  const fleet = fleetLines(input, rigs);
  return {
    report: 'kilowatch monthly facility report',
    format_version: 1,
    site: input.site,
    site_name: input.fleetSite?.name ?? null,
    month: input.month,
    time_zone: input.tz,
    period: { from: input.from, to: input.to, local_from: formatLocal(input.from, input.tz), local_to: formatLocal(input.to, input.tz), hours: (input.to - input.from) / 3_600_000 },
    consumption: {
      mwh: consumptionMwh / 1e9,
      kwh: consumptionMwh / 1e6,
      source: meterMwh !== null ? 'meter' : itMwh > 0 ? 'it' : 'none',
      meter_kwh: meterMwh === null ? null : meterMwh / 1e6,
      it_kwh: itMwh / 1e6,
      meter_completeness: input.totals.meter ? completeness(input.totals.meter) : null,
      it_completeness: completeness(input.totals.it),
    },
    mining: { mwh: miningMwh / 1e9, kwh: miningMwh / 1e6, share: share(miningMwh), other_it_kwh: (itMwh - miningMwh) / 1e6, overhead_kwh: meterMwh === null ? null : (meterMwh - itMwh) / 1e6 },
    suppliers: supplierLines(input, consumptionMwh),
    peak_load: peakLoad(input),
    hashrate: hashrateOf(input, fleet.nameplate_ths),
    fleet: { rigs: fleet.rigs, rigs_active: fleet.rigs_active, unknown_model: fleet.unknown_model, models: fleet.models },
    answered_from: input.answered_from,
    definitions: DEFINITIONS,
  };
}

function supplierLines(input: MonthlyInput, consumptionMwh: number): SupplierLine[] {
  const site = input.fleetSite;
  const suppliers = site?.suppliers ?? [];
  const only = suppliers.length === 1 ? suppliers[0]!.name : null;
  const meterEnergy = groupsOf(input.groups, 'meter');
  const meterIds = [...new Set([...(site?.meters ?? []).map((m) => m.id), ...meterEnergy.keys()])].sort();
  const lines = new Map<string | null, { line: SupplierLine; mwh: number | null }>();
  for (const s of suppliers) lines.set(s.name, { line: { name: s.name, account: s.account ?? null, meters: [], mwh: null, kwh: null, share: null }, mwh: null });
  for (const id of meterIds) {
    const name = site?.meters.find((m) => m.id === id)?.supplier ?? only;
    let entry = lines.get(name);
    if (!entry) lines.set(name, (entry = { line: { name, account: null, meters: [], mwh: null, kwh: null, share: null }, mwh: null }));
    entry.line.meters.push(id);
    const f = meterEnergy.get(id);
    if (f) entry.mwh = (entry.mwh ?? 0) + energyMwh(f);
  }
  return [...lines.values()].map(({ line, mwh }) =>
    mwh === null ? line : { ...line, mwh: mwh / 1e9, kwh: mwh / 1e6, share: consumptionMwh > 0 ? mwh / consumptionMwh : null },
  );
}

function peakLoad(input: MonthlyInput): MonthlyReport['peak_load'] {
  const meters = [...input.minutes].filter(([key]) => key.startsWith('meter/')).map(([, m]) => m);
  const meterMinutes = sumMinutes(meters);
  const useMeter = [...meterMinutes.values()].some((f) => energyMwh(f) > 0);
  const minutes = useMeter ? meterMinutes : (input.minutes.get('site/') ?? new Map<number, Figures>());
  const peak = peakQuarter(minutes, input.from, input.to, input.tz);
  return peak ? { ...peak, source: useMeter ? 'meter' : 'it', interval_minutes: 15 } : null;
}

function hashrateOf(input: MonthlyInput, nameplateThs: number): MonthlyReport['hashrate'] {
  const best = maxHashrate(input.minutes.get('site/') ?? new Map());
  return { max_ths: best?.ths ?? null, max_at: best?.at ?? null, local_max_at: best ? formatLocal(best.at, input.tz) : null, nameplate_ths: nameplateThs };
}

/** Rigs by model: the fleet file's rigs and any that reported; the model from the fleet file, else as reported. */
function fleetLines(input: MonthlyInput, rigs: ReadonlyMap<string, Figures>) {
  const models = new Map<string, string | null>();
  for (const rack of input.fleetSite?.racks ?? []) for (const pdu of rack.pdus) for (const o of pdu.outlets) if (o.rig) models.set(o.rig, o.model ?? null);
  for (const rig of rigs.keys()) if (!models.has(rig)) models.set(rig, null);
  const year = Number(input.month.slice(0, 4));
  const lines = new Map<string, FleetModelLine>();
  let active = 0;
  let unknown = 0;
  let nameplate = 0;
  for (const [rig, fleetModel] of models) {
    const name = fleetModel ?? input.reportedModels.get(rig) ?? null;
    const entry = input.catalog.lookup(name);
    const key = entry?.model ?? name ?? 'unknown';
    let line = lines.get(key);
    if (!line) {
      const released = entry?.release_year ?? null;
      line = { model: key, manufacturer: entry?.manufacturer ?? null, release_year: released, age_years: released === null || released > year ? null : year - released, rigs: 0, rigs_active: 0, nameplate_ths_each: entry?.hashrate_ths ?? null, nameplate_w_each: entry?.power_w ?? null };
      lines.set(key, line);
    }
    const f = rigs.get(rig);
    const isActive = f !== undefined && (f.samples > 0 || f.miner_samples > 0);
    line.rigs += 1;
    if (isActive) line.rigs_active += 1;
    if (isActive) active += 1;
    if (name === null) unknown += 1;
    nameplate += entry?.hashrate_ths ?? 0;
  }
  const sorted = [...lines.values()].sort((a, b) => b.rigs - a.rigs || (a.model < b.model ? -1 : 1));
  return { rigs: models.size, rigs_active: active, unknown_model: unknown, nameplate_ths: nameplate, models: sorted };
}
