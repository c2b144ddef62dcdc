import { formatNumber, UNKNOWN } from '../lib/format.js';
import type { ComparisonTotals, DayFigures, PeriodName, SiteComparison } from './comparison-api.js';

/**
 * What the energy managers' page shows, as data: the periods, the table's columns (each with its value
 * for a site and for the fleet's totals), the metrics the charts can plot, and the sort. Pure, so the
 * unit tests can check the figures the browser prints.
 */

export const PERIOD_CHOICES: ReadonlyArray<{ period: PeriodName; label: string }> = [
  { period: 'today', label: 'Today' },
  { period: 'yesterday', label: 'Yesterday' },
  { period: 'this-week', label: 'This week' },
  { period: 'last-week', label: 'Last week' },
  { period: 'this-month', label: 'This month' },
  { period: 'last-month', label: 'Last month' },
  { period: 'custom', label: 'Custom' },
];

export interface PeriodChoice {
  period: PeriodName;
  /** custom only: local dates YYYY-MM-DD, both included. */
  from?: string;
  to?: string;
}

/** The query string both endpoints take (and their CSV twins). */
export function periodQuery(choice: PeriodChoice): string {
  const params = new URLSearchParams({ period: choice.period });
  if (choice.period === 'custom') {
    params.set('from', choice.from ?? '');
    params.set('to', choice.to ?? '');
  }
  return params.toString();
}

export type ColumnKey =
  | 'site' | 'kwh' | 'meter_kwh' | 'avg_kw' | 'peak_kw' | 'load_factor' | 'jth' | 'overhead'
  | 'energy_cost' | 'demand_cost' | 'cost' | 'cost_per_kwh' | 'carbon_t' | 'kg_per_th' | 'curtailed_h' | 'avoided_kwh' | 'rigs' | 'hashrate';

export interface Column {
  key: ColumnKey;
  label: string;
  /** Shown under the label. */
  unit: string;
  title: string;
  /** The figure of a site (null: unknown), and how it prints. */
  value(s: SiteComparison): number | null;
  text(s: SiteComparison): string;
  /** The fleet's figure, when one makes sense. */
  total?(t: ComparisonTotals): string;
}

const n = (digits: number) => (v: number | null) => formatNumber(v, digits);
/** Money in the site's own currency, named in the site cell (sites may bill in different ones). */
const money = (s: SiteComparison, v: number | undefined | null, digits = 2) => (s.cost && v !== undefined && v !== null ? formatNumber(v, digits) : UNKNOWN);
/** Fleet money only in one currency (named in the totals' first cell). */
const moneyTotal = (t: ComparisonTotals, v: number | null) => (v !== null && t.currency ? formatNumber(v, 2) : UNKNOWN);

export const COLUMNS: readonly Column[] = [
  { key: 'site', label: 'Site', unit: '', title: 'Site id; name, time zone and the currency of its costs', value: () => null, text: (s) => s.site, total: (t) => `${t.sites} sites${t.currency ? ` · ${t.currency}` : ''}` },
  { key: 'kwh', label: 'IT', unit: 'kWh', title: 'IT energy: Σ PDU outlets over the period, as GET /api/energy', value: (s) => s.kwh, text: (s) => n(1)(s.kwh), total: (t) => n(1)(t.kwh) },
  { key: 'meter_kwh', label: 'Facility', unit: 'kWh', title: 'Facility meter energy over the period', value: (s) => s.meter_kwh, text: (s) => n(1)(s.meter_kwh), total: (t) => n(1)(t.meter_kwh) },
  { key: 'avg_kw', label: 'Average', unit: 'kW', title: 'Average demand: billed energy / length of the period', value: (s) => s.avg_kw, text: (s) => n(1)(s.avg_kw) },
  { key: 'peak_kw', label: 'Peak', unit: 'kW', title: 'Peak demand: the highest local 15-minute average kW of the billed source', value: (s) => s.peak_kw, text: (s) => n(1)(s.peak_kw) },
  { key: 'load_factor', label: 'Load factor', unit: '%', title: 'Average demand / peak demand', value: (s) => s.load_factor, text: (s) => n(1)(s.load_factor === null ? null : s.load_factor * 100) },
  { key: 'jth', label: 'Efficiency', unit: 'J/TH', title: 'IT energy / hash-work over the period', value: (s) => s.jth, text: (s) => n(1)(s.jth), total: (t) => n(1)(t.jth) },
  { key: 'overhead', label: 'Overhead', unit: 'PUE', title: 'Facility kWh / IT kWh', value: (s) => s.overhead, text: (s) => n(2)(s.overhead) },
  { key: 'energy_cost', label: 'Energy', unit: 'cost', title: 'Σ over time-of-use periods of kWh × price, in the site\'s currency', value: (s) => s.cost?.energy ?? null, text: (s) => money(s, s.cost?.energy), total: (t) => moneyTotal(t, t.energy_cost) },
  { key: 'demand_cost', label: 'Demand', unit: 'cost', title: "The period's share of each month's demand charge (rate × the month's 15-minute peak)", value: (s) => s.cost?.demand ?? null, text: (s) => money(s, s.cost?.demand), total: (t) => moneyTotal(t, t.demand_cost) },
  { key: 'cost', label: 'Total', unit: 'cost', title: 'Energy + demand cost', value: (s) => s.cost?.total ?? null, text: (s) => money(s, s.cost?.total), total: (t) => moneyTotal(t, t.cost) },
  { key: 'cost_per_kwh', label: 'Per kWh', unit: 'cost', title: 'Total cost / billed kWh', value: (s) => s.cost?.per_kwh ?? null, text: (s) => money(s, s.cost?.per_kwh, 4) },
  { key: 'carbon_t', label: 'Carbon', unit: 't CO2e', title: 'Billed kWh × the grid emission factor of each month', value: (s) => s.carbon?.tonnes ?? null, text: (s) => n(3)(s.carbon?.tonnes ?? null), total: (t) => n(3)(t.carbon_tonnes) },
  { key: 'kg_per_th', label: 'Carbon', unit: 'g/TH', title: 'g CO2e per TH of hash-work', value: (s) => s.carbon?.kg_per_th ?? null, text: (s) => n(3)(s.carbon?.kg_per_th == null ? null : s.carbon.kg_per_th * 1000) },
  { key: 'curtailed_h', label: 'Curtailed', unit: 'h', title: 'Hours below the threshold of the usual load (median hourly kW of the days before)', value: (s) => s.curtailment.curtailed_hours, text: (s) => n(0)(s.curtailment.curtailed_hours), total: (t) => n(0)(t.curtailed_hours) },
  { key: 'avoided_kwh', label: 'Avoided', unit: 'kWh', title: 'Energy not drawn in the curtailed hours: Σ (usual kW − kW) × 1 h', value: (s) => s.curtailment.avoided_kwh, text: (s) => n(1)(s.curtailment.avoided_kwh), total: (t) => n(1)(t.avoided_kwh) },
  { key: 'rigs', label: 'Rigs', unit: '', title: 'Rigs with readings in the period', value: (s) => s.rigs, text: (s) => n(0)(s.rigs), total: (t) => n(0)(t.rigs) },
  { key: 'hashrate', label: 'Hashrate', unit: 'TH/s', title: 'Mean over the period: hash-work / length', value: (s) => s.hashrate_ths, text: (s) => n(1)(s.hashrate_ths) },
];

export interface Sort {
  key: ColumnKey;
  descending: boolean;
}

export const DEFAULT_SORT: Sort = { key: 'kwh', descending: true };

/** Clicking the sorted column turns it round; another column starts from the largest (names from A). */
export function nextSort(current: Sort, key: ColumnKey): Sort {
  if (current.key === key) return { key, descending: !current.descending };
  return { key, descending: key !== 'site' };
}

/** Sorted copy; unknown figures always last, ties by site id. */
export function sortSites(sites: readonly SiteComparison[], sort: Sort): SiteComparison[] {
  const column = COLUMNS.find((c) => c.key === sort.key) ?? COLUMNS[1]!;
  const sign = sort.descending ? -1 : 1;
  return [...sites].sort((a, b) => {
    if (sort.key === 'site') return sign * a.site.localeCompare(b.site);
    const x = column.value(a);
    const y = column.value(b);
    if (x === null || y === null) return x === y ? a.site.localeCompare(b.site) : x === null ? 1 : -1;
    return x === y ? a.site.localeCompare(b.site) : sign * (x - y);
  });
}

/** The metrics the bar chart can show: the table's numeric columns. */
export const BAR_METRICS = COLUMNS.filter((c) => c.key !== 'site');

export interface TrendMetric {
  key: 'billed_kwh' | 'cost' | 'carbon_kg' | 'peak_kw' | 'jth';
  label: string;
  value(d: DayFigures): number | null;
}

export const TREND_METRICS: readonly TrendMetric[] = [
  { key: 'billed_kwh', label: 'Billed kWh per day', value: (d) => d.billed_kwh },
  { key: 'cost', label: 'Cost per day', value: (d) => d.cost },
  { key: 'peak_kw', label: 'Peak 15-min kW per day', value: (d) => d.peak_kw },
  { key: 'carbon_kg', label: 'Carbon per day, kg CO2e', value: (d) => d.carbon_kg },
  { key: 'jth', label: 'J/TH per day', value: (d) => d.jth },
];
