/**
 * A site's tariff, grid emission factor and curtailment rule, as the fleet file gives them (docs/fleet.md,
 * docs/comparison.md). Schemas only, plus the pure lookups on them: which time-of-use period a local hour
 * falls in, which emission factor a local month has.
 */
import { z } from 'zod';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** [from, to) in local clock hours; from > to wraps past midnight (22 → 6 is 22:00–06:00). */
const hourRange = z
  .object({ from: z.number().int().min(0).max(23), to: z.number().int().min(1).max(24) })
  .strict()
  .refine((h) => h.from !== h.to, { message: 'from and to must differ (a whole day is no hours: leave hours out)' });

const touPeriod = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9 _.+-]{1,32}$/, 'must be 1–32 characters of letters, digits, space and _ . + -'),
    /** Currency units per kWh. */
    price_per_kwh: z.number().min(0).max(100),
    /** Local weekdays; every day when left out. */
    days: z.array(z.enum(WEEKDAYS)).min(1).optional(),
    /** Local clock hours; all day when left out. */
    hours: z.array(hourRange).min(1).optional(),
    /** Local calendar months 1–12 (seasons); every month when left out. */
    months: z.array(z.number().int().min(1).max(12)).min(1).optional(),
  })
  .strict();

export type TouPeriod = z.infer<typeof touPeriod>;

/** The name the flat `price_per_kwh` goes by, for hours no period matches. */
export const STANDARD_PERIOD = 'standard';

export const tariffSchema = z
  .object({
    /** ISO 4217 code; costs are shown in it and never summed across currencies. */
    currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD').default('USD'),
    /** Which energy the supplier bills: the facility meter, the Σ PDU outlets, or the meter when it reported (auto). */
    billed: z.enum(['auto', 'meter', 'it']).default('auto'),
    /** Time-of-use periods; the first whose days, hours and months all match a local hour prices it. */
    periods: z.array(touPeriod).max(24).default([]),
    /** The price of hours no period matches (a flat tariff is this alone). */
    price_per_kwh: z.number().min(0).max(100).optional(),
    /** Per kW of the billing month's highest 15-minute demand (local calendar month). */
    demand_charge_per_kw: z.number().min(0).max(100_000).default(0),
  })
  .strict()
  .superRefine((t, ctx) => {
    const names = new Set<string>();
    t.periods.forEach((p, i) => {
      if (names.has(p.name) || p.name === STANDARD_PERIOD) ctx.addIssue({ code: 'custom', path: ['periods', i, 'name'], message: `period name ${p.name} is taken` });
      names.add(p.name);
    });
    if (t.periods.length > 0 && t.price_per_kwh === undefined) {
      const hole = firstUncovered(t.periods);
      if (hole) ctx.addIssue({ code: 'custom', path: ['periods'], message: `no period prices ${hole}: add a period for it, or a price_per_kwh for hours no period matches` });
    }
  });

export type Tariff = z.infer<typeof tariffSchema>;

/** "1".."12" (that month every year) or "YYYY-MM" (that month only, wins over the other). */
const monthKey = z.string().regex(/^(?:[1-9]|1[0-2]|\d{4}-(?:0[1-9]|1[0-2]))$/, 'must be a month 1–12 or YYYY-MM');

export const carbonSchema = z
  .object({
    /** Grid emission factor, kg CO2e per kWh (location-based). */
    kg_per_kwh: z.number().min(0).max(5),
    by_month: z.record(monthKey, z.number().min(0).max(5)).default({}),
    /** Where the factor comes from (e.g. "eGRID 2022 ERCT"), shown beside the figures. */
    source: z.string().max(128).optional(),
  })
  .strict();

export type Carbon = z.infer<typeof carbonSchema>;

export const curtailmentSchema = z
  .object({
    /** An hour below this share of the usual load counts as curtailed. */
    threshold_pct: z.number().min(1).max(99).default(50),
    /** The usual load is the median hourly kW of this many days before the hour. */
    baseline_days: z.number().int().min(1).max(28).default(7),
    /** Fewer judged hours with data in the baseline than this: no usual load, no judgement. */
    min_baseline_hours: z.number().int().min(1).max(672).default(24),
    /** An hour whose readings cover less of it than this is not judged (a data gap is not curtailment). */
    min_coverage_pct: z.number().min(1).max(100).default(90),
  })
  .strict();

export type Curtailment = z.infer<typeof curtailmentSchema>;

export const DEFAULT_CURTAILMENT: Curtailment = curtailmentSchema.parse({});

/** The local hour a period is looked up for. `month` is 1–12, `hour` 0–23. */
export interface LocalHour {
  month: number;
  weekday: Weekday;
  hour: number;
}

function inHours(ranges: TouPeriod['hours'], hour: number): boolean {
  if (!ranges) return true;
  return ranges.some((r) => (r.from < r.to ? hour >= r.from && hour < r.to : hour >= r.from || hour < r.to));
}

/** The first period matching the local hour, or null when none does. */
export function matchPeriod(periods: readonly TouPeriod[], at: LocalHour): TouPeriod | null {
  for (const p of periods) {
    if (p.months && !p.months.includes(at.month)) continue;
    if (p.days && !p.days.includes(at.weekday)) continue;
    if (inHours(p.hours, at.hour)) return p;
  }
  return null;
}

/** The period name and price of a local hour: a matching period, else the flat price, else null (no price). */
export function priceAt(t: Tariff, at: LocalHour): { period: string; price: number } | null {
  const p = matchPeriod(t.periods, at);
  if (p) return { period: p.name, price: p.price_per_kwh };
  return t.price_per_kwh === undefined ? null : { period: STANDARD_PERIOD, price: t.price_per_kwh };
}

/** "Sundays at 03:00 in January", the first local hour of the year no period matches; null when all are. */
function firstUncovered(periods: readonly TouPeriod[]): string | null {
  for (let month = 1; month <= 12; month++)
    for (const weekday of WEEKDAYS)
      for (let hour = 0; hour < 24; hour++) {
        if (!matchPeriod(periods, { month, weekday, hour })) return `${weekday} ${String(hour).padStart(2, '0')}:00 in month ${month}`;
      }
  return null;
}

/** The emission factor of a local calendar month, kg CO2e/kWh: `YYYY-MM`, else the month of the year, else the default. */
export function carbonFactor(c: Carbon, year: number, month: number): number {
  return c.by_month[`${year}-${String(month).padStart(2, '0')}`] ?? c.by_month[String(month)] ?? c.kg_per_kwh;
}
