/**
 * The answers of GET /api/comparison and /api/comparison/daily (docs/comparison.md). The dashboard imports these
 * types, so a renamed field is a compile error there.
 */
import type { CurtailmentReport } from './curtailment.js';
import type { PeriodName } from './period.js';

export type { CurtailedHour, CurtailmentEvent, CurtailmentReport } from './curtailment.js';
export type { PeriodName } from './period.js';

/** Energy and cost of one time-of-use period over the range. */
export interface TouPart {
  period: string;
  price_per_kwh: number;
  kwh: number;
  cost: number;
}

/** A local calendar month the range touches, with the demand charge it gives the range. */
export interface BillingMonth {
  /** YYYY-MM, local. */
  month: string;
  /** The month's highest 15-minute kW from its start to the range's end (what the bill says if the month ended then). */
  peak_kw: number;
  peak_at: number | null;
  peak_local: string | null;
  /** The range's share of the month's length: the part of the month's demand charge the range carries. */
  share: number;
  charge: number;
}

export interface CostFigures {
  currency: string;
  demand_charge_per_kw: number;
  energy: number;
  demand: number;
  total: number;
  /** total / billed kWh; null without energy. */
  per_kwh: number | null;
  periods: TouPart[];
  months: BillingMonth[];
}

export interface CarbonFigures {
  kg: number;
  tonnes: number;
  /** kg CO2e per TH of hash-work; null without hash-work. */
  kg_per_th: number | null;
  /** kg / billed kWh: the month factors weighted by energy. */
  kg_per_kwh: number | null;
  source: string | null;
}

export interface SiteComparison {
  site: string;
  name: string | null;
  tz: string;
  /** The range compared: the period in the site's zone, cut at now while it runs. */
  from: number;
  to: number;
  period_end: number;
  local_from: string;
  local_to: string;
  /** IT energy (Σ PDU outlets), kWh — the same figure as GET /api/energy for [from, to). */
  kwh: number;
  completeness: number;
  /** Facility meter energy, kWh (null without meter readings), as /api/energy's meter_kwh. */
  meter_kwh: number | null;
  meter_completeness: number | null;
  /** What the tariff bills and demand is measured on: the facility meter, or the IT load. */
  billed_source: 'meter' | 'it';
  billed_kwh: number;
  /** Billed energy / the range's length. */
  avg_kw: number;
  /** The highest local 15-minute average kW of the range (billed source). */
  peak_kw: number | null;
  peak_at: number | null;
  peak_local: string | null;
  /** avg_kw / peak_kw. */
  load_factor: number | null;
  /** Hash-work, TH, and the mean hashrate over the range. */
  th: number;
  hashrate_ths: number;
  /** IT energy (J) / hash-work (TH); on the meter for jth_facility. */
  jth: number | null;
  jth_facility: number | null;
  /** Meter kWh / IT kWh (PUE-style). */
  overhead: number | null;
  /** Rigs with readings in the range, and on outlets in the fleet file. */
  rigs: number;
  rigs_configured: number;
  cost: CostFigures | null;
  carbon: CarbonFigures | null;
  curtailment: CurtailmentReport;
}

export interface ComparisonTotals {
  sites: number;
  kwh: number;
  meter_kwh: number | null;
  billed_kwh: number;
  th: number;
  jth: number | null;
  rigs: number;
  /** Summed only when every site with a cost bills in the same currency. */
  currency: string | null;
  cost: number | null;
  energy_cost: number | null;
  demand_cost: number | null;
  carbon_tonnes: number | null;
  curtailed_hours: number;
  avoided_kwh: number;
}

export interface ComparisonAnswer {
  period: PeriodName;
  /** custom: the local dates asked for. */
  from_date: string | null;
  to_date: string | null;
  now: number;
  sites: SiteComparison[];
  totals: ComparisonTotals;
  note: string;
}

export interface DayFigures {
  /** YYYY-MM-DD, local. */
  date: string;
  start: number;
  end: number;
  local_start: string;
  kwh: number;
  meter_kwh: number | null;
  billed_kwh: number;
  peak_kw: number | null;
  th: number;
  jth: number | null;
  energy_cost: number | null;
  /** The day's share of its month's demand charge (length of the day / length of the month × the charge). */
  demand_cost: number | null;
  cost: number | null;
  carbon_kg: number | null;
}

export interface SiteDays {
  site: string;
  tz: string;
  currency: string | null;
  billed_source: 'meter' | 'it';
  days: DayFigures[];
}

export interface DailyAnswer {
  period: PeriodName;
  from_date: string | null;
  to_date: string | null;
  now: number;
  sites: SiteDays[];
  note: string;
}
