/**
 * One site's comparison figures from its quarter grid: energy, 15-minute demand and load factor, J/TH and
 * overhead, time-of-use and demand cost, carbon, curtailment, and the same per local day. Pure: no I/O, no clock.
 * Definitions with examples: docs/comparison.md.
 */
import { formatLocal, localDayStart, localMonthStart, nextLocalMonthStart } from '../energy/time.js';
import { combine, emptyFigures, energyMwh, hashGhs, type Figures } from '../rollup/figures.js';
import { curtailment, type HourLoad } from './curtailment.js';
import { peakOf, quarterKw } from './demand.js';
import { exactMwh, sumQuarters, type Group, type Quarter, type QuarterGrid } from './grid.js';
import type { SiteRange } from './period.js';
import { carbonFactor, priceAt, WEEKDAYS, type Carbon, type Curtailment, type Tariff } from './settings.js';
import type { BillingMonth, CarbonFigures, CostFigures, DayFigures, SiteComparison, SiteDays, TouPart } from './types.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface SiteInput {
  site: string;
  name: string | null;
  tz: string;
  range: SiteRange;
  /** Quarters from windowStart(…) to range.to. */
  grid: QuarterGrid;
  tariff: Tariff | null;
  carbon: Carbon | null;
  curtailment: Curtailment;
  rigs: number;
  rigsConfigured: number;
}

/**
 * Where a site's grid must begin: the start of the billing month of the range (its demand peak so far) and
 * `baseline_days` before the range (the usual load of its first hours), whichever is earlier, on a local quarter.
 */
export function windowStart(range: SiteRange, tz: string, rule: Curtailment): number {
  return Math.min(localMonthStart(range.from, tz), localDayStart(range.from - rule.baseline_days * DAY_MS, tz));
}

/** Integer mWh → kWh. */
const kwh = (mwh: number): number => mwh / 1_000_000;
/** mWh over ms → kW: mWh · 3.6 / ms. */
const kw = (mwh: number, ms: number): number => (mwh * 3.6) / ms;
/** Sub-micro float noise off money and mass figures; they are shown to the cent or gram. */
const tidy = (x: number): number => Math.round(x * 1e6) / 1e6;

function coverage(f: Readonly<Figures>, ms: number): number {
  return f.series > 0 ? f.covered_ms / (ms * f.series) : 0;
}

function completeness(f: Readonly<Figures>): number {
  return f.series_ms > 0 ? f.covered_ms / f.series_ms : 0;
}

/** The local calendar of a quarter, from its wall time. */
function calendar(q: Quarter) {
  const d = new Date(q.wall);
  const month = d.getUTCMonth() + 1;
  return { year: d.getUTCFullYear(), month, date: d.toISOString().slice(0, 10), hour: { month, weekday: WEEKDAYS[(d.getUTCDay() + 6) % 7]!, hour: d.getUTCHours() } };
}

export function compareSite(input: SiteInput): { site: SiteComparison; days: SiteDays } {
  const { range, grid, tz, tariff } = input;
  const quarters = grid.slice(range.from, range.to);
  const { it, meter } = sumQuarters(quarters);
  const hasMeter = meter.series_ms > 0;
  const billed: Group = tariff?.billed === 'meter' || (tariff?.billed !== 'it' && hasMeter) ? 'meter' : 'it';
  const bill = billed === 'meter' ? meter : it;
  const span = range.to - range.from;
  const peak = peakOf(quarters, billed);
  const peakKw = quarterKw(peak, billed);
  const avgKw = kw(energyMwh(bill), span);
  const ghs = hashGhs(it);
  const months = tariff ? billingMonths(input, billed) : [];
  const days = dayFigures(input, quarters, billed, hasMeter, months);
  const site: SiteComparison = {
    site: input.site,
    name: input.name,
    tz,
    from: range.from,
    to: range.to,
    period_end: range.periodEnd,
    local_from: formatLocal(range.from, tz),
    local_to: formatLocal(range.to, tz),
    kwh: kwh(energyMwh(it)),
    completeness: completeness(it),
    meter_kwh: hasMeter ? kwh(energyMwh(meter)) : null,
    meter_completeness: hasMeter ? completeness(meter) : null,
    billed_source: billed,
    billed_kwh: kwh(energyMwh(bill)),
    avg_kw: avgKw,
    peak_kw: peakKw,
    peak_at: peak?.start ?? null,
    peak_local: peak ? formatLocal(peak.start, tz) : null,
    load_factor: peakKw !== null && peakKw > 0 ? avgKw / peakKw : null,
    th: ghs / 1000,
    hashrate_ths: ghs / 1000 / (span / 1000),
    jth: ghs > 0 ? (energyMwh(it) * 3600) / ghs : null,
    jth_facility: ghs > 0 && hasMeter ? (energyMwh(meter) * 3600) / ghs : null,
    overhead: hasMeter && energyMwh(it) > 0 ? energyMwh(meter) / energyMwh(it) : null,
    rigs: input.rigs,
    rigs_configured: input.rigsConfigured,
    cost: tariff ? cost(tariff, quarters, billed, months, bill) : null,
    carbon: input.carbon ? carbonTotals(input.carbon, days, bill, ghs) : null,
    curtailment: curtailment(hourLoads(grid, billed), range, input.curtailment, (ts) => formatLocal(ts, tz)),
  };
  return { site, days: { site: input.site, tz, currency: tariff?.currency ?? null, billed_source: billed, days } };
}

/** Each local month the range touches: its peak from the month's start to the range's end, and the range's share. */
function billingMonths(input: SiteInput, billed: Group): BillingMonth[] {
  const { range, grid, tz } = input;
  const rate = input.tariff?.demand_charge_per_kw ?? 0;
  const out: BillingMonth[] = [];
  for (let m0 = localMonthStart(range.from, tz); m0 < range.to; ) {
    const m1 = nextLocalMonthStart(m0, tz);
    const peak = peakOf(grid.slice(m0, Math.min(m1, range.to)), billed);
    const peakKw = quarterKw(peak, billed) ?? 0;
    const share = (Math.min(m1, range.to) - Math.max(m0, range.from)) / (m1 - m0);
    out.push({
      month: formatLocal(m0, tz).slice(0, 7),
      peak_kw: peakKw,
      peak_at: peak?.start ?? null,
      peak_local: peak ? formatLocal(peak.start, tz) : null,
      share,
      charge: tidy(rate * peakKw * share),
    });
    m0 = m1;
  }
  return out;
}

/** Energy cost per time-of-use period (exact energy × price, summed per period), demand charge per month. */
function cost(tariff: Tariff, quarters: readonly Quarter[], billed: Group, months: readonly BillingMonth[], bill: Figures): CostFigures {
  const parts = new Map<string, { price: number; f: Figures }>();
  for (const q of quarters) {
    const price = priceAt(tariff, calendar(q).hour);
    if (!price) continue;
    const part = parts.get(price.period) ?? { price: price.price, f: emptyFigures() };
    combine(part.f, q[billed], 'time');
    parts.set(price.period, part);
  }
  // Periods in the order the tariff lists them, the flat price last.
  const order = [...tariff.periods.map((p) => p.name), 'standard'];
  const periods: TouPart[] = [...parts]
    .sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]))
    .map(([period, p]) => ({ period, price_per_kwh: p.price, kwh: kwh(energyMwh(p.f)), cost: tidy((exactMwh(p.f) / 1_000_000) * p.price) }));
  const energy = tidy(periods.reduce((s, p) => s + p.cost, 0));
  const demand = tidy(months.reduce((s, m) => s + m.charge, 0));
  const billedKwh = kwh(energyMwh(bill));
  return {
    currency: tariff.currency,
    demand_charge_per_kw: tariff.demand_charge_per_kw,
    energy,
    demand,
    total: tidy(energy + demand),
    per_kwh: billedKwh > 0 ? (energy + demand) / billedKwh : null,
    periods,
    months: [...months],
  };
}

function dayFigures(input: SiteInput, quarters: readonly Quarter[], billed: Group, hasMeter: boolean, months: readonly BillingMonth[]): DayFigures[] {
  const { tariff, carbon, tz } = input;
  const byDate = new Map<string, Quarter[]>();
  for (const q of quarters) {
    const date = calendar(q).date;
    const list = byDate.get(date);
    if (list) list.push(q);
    else byDate.set(date, [q]);
  }
  return [...byDate].map(([date, qs]) => {
    const { it, meter } = sumQuarters(qs);
    const bill = billed === 'meter' ? meter : it;
    const start = qs[0]!.start;
    const end = qs[qs.length - 1]!.end;
    const { year, month } = calendar(qs[0]!);
    const ghs = hashGhs(it);
    const energyCost = tariff ? cost(tariff, qs, billed, [], bill).energy : null;
    const demandCost = tariff ? tidy(dayDemand(tariff, months, `${year}-${String(month).padStart(2, '0')}`, start, end, tz)) : null;
    return {
      date,
      start,
      end,
      local_start: formatLocal(start, tz),
      kwh: kwh(energyMwh(it)),
      meter_kwh: hasMeter ? kwh(energyMwh(meter)) : null,
      billed_kwh: kwh(energyMwh(bill)),
      peak_kw: quarterKw(peakOf(qs, billed), billed),
      th: ghs / 1000,
      jth: ghs > 0 ? (energyMwh(it) * 3600) / ghs : null,
      energy_cost: energyCost,
      demand_cost: demandCost,
      cost: energyCost !== null && demandCost !== null ? tidy(energyCost + demandCost) : null,
      carbon_kg: carbon ? tidy((exactMwh(bill) / 1_000_000) * carbonFactor(carbon, year, month)) : null,
    };
  });
}

/** A day's part of its month's demand charge: the month's charge × the day's share of the month's length. */
function dayDemand(tariff: Tariff, months: readonly BillingMonth[], month: string, start: number, end: number, tz: string): number {
  const m = months.find((x) => x.month === month);
  if (!m) return 0;
  const m0 = localMonthStart(start, tz);
  return tariff.demand_charge_per_kw * m.peak_kw * ((end - start) / (nextLocalMonthStart(m0, tz) - m0));
}

function carbonTotals(carbon: Carbon, days: readonly DayFigures[], bill: Figures, ghs: number): CarbonFigures {
  const kg = tidy(days.reduce((s, d) => s + (d.carbon_kg ?? 0), 0));
  const billedKwh = kwh(energyMwh(bill));
  return {
    kg,
    tonnes: kg / 1000,
    kg_per_th: ghs > 0 ? kg / (ghs / 1000) : null,
    kg_per_kwh: billedKwh > 0 ? kg / billedKwh : null,
    source: carbon.source ?? null,
  };
}

/** The complete local clock hours of the grid (a repeated 01:00 on a fall-back night is two hours), billed kW. */
export function hourLoads(grid: QuarterGrid, billed: Group): HourLoad[] {
  const hours: HourLoad[] = [];
  let run: Quarter[] = [];
  let runStart = Number.NaN;
  const flush = () => {
    if (run.length === 0) return;
    const length = run.reduce((s, q) => s + q.length, 0);
    const whole = run.every((q) => q.end - q.start === q.length) && run[0]!.start === runStart && length === HOUR_MS;
    if (whole) {
      const f = emptyFigures();
      for (const q of run) combine(f, q[billed], 'time');
      hours.push({ start: runStart, end: runStart + length, kw: kw(energyMwh(f), length), coverage: coverage(f, length) });
    }
    run = [];
  };
  for (const q of grid.quarters) {
    // The real instant the quarter's local hour began.
    const hourStart = q.start - (((q.wall % HOUR_MS) + HOUR_MS) % HOUR_MS);
    if (hourStart !== runStart) {
      flush();
      runStart = hourStart;
    }
    run.push(q);
  }
  flush();
  return hours;
}
