/**
 * The comparison table and the daily series as CSV (RFC 4180: comma-separated, CRLF, quoted where needed).
 * Numbers are written as the JSON answer has them; an unknown figure is an empty field.
 */
import type { DayFigures, SiteComparison, SiteDays } from './types.js';

type Cell = string | number | null | undefined;

function field(v: Cell): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function encode(header: readonly string[], rows: readonly Cell[][]): string {
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}

const TABLE: ReadonlyArray<[string, (s: SiteComparison) => Cell]> = [
  ['site', (s) => s.site],
  ['name', (s) => s.name],
  ['time_zone', (s) => s.tz],
  ['from_local', (s) => s.local_from],
  ['to_local', (s) => s.local_to],
  ['it_kwh', (s) => s.kwh],
  ['meter_kwh', (s) => s.meter_kwh],
  ['billed_source', (s) => s.billed_source],
  ['billed_kwh', (s) => s.billed_kwh],
  ['avg_kw', (s) => s.avg_kw],
  ['peak_kw', (s) => s.peak_kw],
  ['peak_local', (s) => s.peak_local],
  ['load_factor', (s) => s.load_factor],
  ['th', (s) => s.th],
  ['hashrate_ths', (s) => s.hashrate_ths],
  ['j_per_th', (s) => s.jth],
  ['j_per_th_facility', (s) => s.jth_facility],
  ['overhead', (s) => s.overhead],
  ['rigs', (s) => s.rigs],
  ['rigs_configured', (s) => s.rigs_configured],
  ['currency', (s) => s.cost?.currency],
  ['energy_cost', (s) => s.cost?.energy],
  ['demand_cost', (s) => s.cost?.demand],
  ['total_cost', (s) => s.cost?.total],
  ['cost_per_kwh', (s) => s.cost?.per_kwh],
  ['tou_periods', (s) => s.cost?.periods.map((p) => `${p.period}: ${p.kwh} kWh × ${p.price_per_kwh} = ${p.cost}`).join('; ')],
  ['carbon_t', (s) => s.carbon?.tonnes],
  ['carbon_kg_per_th', (s) => s.carbon?.kg_per_th],
  ['curtailed_hours', (s) => s.curtailment.curtailed_hours],
  ['avoided_kwh', (s) => s.curtailment.avoided_kwh],
  ['it_completeness', (s) => s.completeness],
];

export function comparisonCsv(sites: readonly SiteComparison[]): string {
  return encode(
    TABLE.map(([name]) => name),
    sites.map((s) => TABLE.map(([, get]) => get(s))),
  );
}

const DAILY: ReadonlyArray<[string, (s: SiteDays, d: DayFigures) => Cell]> = [
  ['site', (s) => s.site],
  ['date', (_s, d) => d.date],
  ['start_local', (_s, d) => d.local_start],
  ['it_kwh', (_s, d) => d.kwh],
  ['meter_kwh', (_s, d) => d.meter_kwh],
  ['billed_source', (s) => s.billed_source],
  ['billed_kwh', (_s, d) => d.billed_kwh],
  ['peak_kw', (_s, d) => d.peak_kw],
  ['th', (_s, d) => d.th],
  ['j_per_th', (_s, d) => d.jth],
  ['currency', (s) => s.currency],
  ['energy_cost', (_s, d) => d.energy_cost],
  ['demand_cost', (_s, d) => d.demand_cost],
  ['total_cost', (_s, d) => d.cost],
  ['carbon_kg', (_s, d) => d.carbon_kg],
];

export function dailyCsv(sites: readonly SiteDays[]): string {
  return encode(
    DAILY.map(([name]) => name),
    sites.flatMap((s) => s.days.map((d) => DAILY.map(([, get]) => get(s, d)))),
  );
}
