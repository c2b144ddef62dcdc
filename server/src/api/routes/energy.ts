import { Router } from 'express';
import { z } from 'zod';
import { mwhToKwh } from '../../energy/exact.js';
import { utcSites, type SiteDirectory } from '../../energy/sites.js';
import { formatLocal, instantOfWall, nextLocalDayStart, nextLocalMonthStart } from '../../energy/time.js';
import { energyMwh, integratedMwh, methodOf, type Figures } from '../../rollup/figures.js';
import { RangeReader, type EnergyScope, type RangeEnergy } from '../../rollup/reader.js';
import type { Store } from '../../store/store.js';
import { HttpError, id, instant, parseQuery } from '../params.js';
import { timeZone } from './demand.js';

/** Lists in an answer are cut here (the counts are not): a site with a bad day must not answer in megabytes. */
export const LIST_LIMIT = 100;

const DAY_MS = 86_400_000;
/** Raw readings are read for at most this long a range; rollups answer up to a year and a bit (a local year with DST). */
const MAX_RAW_DAYS = 31;
const MAX_DAYS = 370;
/** `source=auto` reads raw readings, itemized, up to this long a range, and rollups beyond. */
const AUTO_RAW_MS = 3_600_000;

const query = z
  .object({
    site: id,
    rig: id.optional(),
    pdu: id.optional(),
    from: instant.optional(),
    to: instant.optional(),
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD').optional(),
    month: z.string().regex(/^\d{4}-\d{2}$/, 'must be YYYY-MM').optional(),
    tz: timeZone.optional(),
    by: z.enum(['day', 'month']).optional(),
    source: z.enum(['auto', 'raw', 'rollups']).default('auto'),
  })
  .refine((q) => [q.from !== undefined && q.to !== undefined, q.day !== undefined, q.month !== undefined].filter(Boolean).length === 1, {
    message: 'give from and to, or day, or month',
    path: ['from'],
  })
  .refine((q) => !(q.rig && q.pdu), { message: 'give rig or pdu, not both', path: ['pdu'] });

export interface EnergyRouteDeps {
  store: Store;
  /** Answers from rollups; without one every answer is read raw (31 days at most). */
  reader?: RangeReader;
  /** The site's time zone, for `day`, `month` and `by` (local days and months, DST included). */
  sites?: SiteDirectory;
}

/**
 * GET /api/energy — kWh of a site (or one rig or PDU of it) over [from, to), or a local `day` or `month` in the
 * site's zone, optionally `by` local day or month; and how it was computed. Ranges up to an hour are read raw,
 * with every adjustment itemized; longer ones from rollups (docs/energy.md: the two agree to the mWh).
 */
export function energyRouter(deps: EnergyRouteDeps): Router {
  const reader = deps.reader ?? new RangeReader(deps.store, null);
  const sites = deps.sites ?? utcSites;
  const router = Router();
  router.get('/energy', async (req, res) => {
    const q = parseQuery(query, req.query);
    const tz = q.tz ?? sites.timeZoneOf(q.site);
    const { from, to } = rangeOf(q, tz);
    const raw = q.source === 'raw' || (q.source === 'auto' && q.by === undefined && to - from <= AUTO_RAW_MS);
    if (!(from < to)) throw new HttpError(400, 'from: from must be before to');
    if (to - from > (raw ? MAX_RAW_DAYS : MAX_DAYS) * DAY_MS) throw new HttpError(400, `to: the range may span at most ${raw ? `${MAX_RAW_DAYS} days read raw` : `${MAX_DAYS} days`}`);
    const scope: EnergyScope = { site: q.site, ...(q.rig && { rig: q.rig }), ...(q.pdu && { pdu: q.pdu }) };
    const answer = (a: number, b: number) => (raw ? reader.raw(scope, a, b) : reader.planned(scope, a, b));
    const total = await answer(from, to);
    const periods = q.by ? await periodsOf(from, to, q.by, tz, answer) : undefined;
    res.json({
      site: q.site,
      rig: q.rig ?? null,
      pdu: q.pdu ?? null,
      from,
      to,
      tz,
      ...figuresAnswer(total.it),
      ...detailAnswer(total),
      meter_kwh: total.meter ? mwhToKwh(energyMwh(total.meter)) : null,
      meter: total.meter ? figuresAnswer(total.meter) : null,
      source: raw ? 'raw' : 'rollups',
      answered_from: { hours_1h: total.source.hours, minutes_1m: total.source.minutes, raw_ms: total.source.raw_ms },
      ...(periods && { periods }),
      note:
        'IT load from PDU outlets: register deltas where the outlet has an energy register (resets, rollovers, spikes and glitches handled as counted here and, read raw, listed in `adjustments`), else trapezoidal integration of power (not across gaps over 5 min). An interval crossing the range edge is split in proportion to time, so consecutive ranges add up. completeness = share of the time series were present that lies between readings at most 5 min apart. Long ranges come from 1-hour and 1-minute rollups, equal to the raw computation to the mWh. See docs/energy.md.',
    });
  });
  return router;
}

function rangeOf(q: z.infer<typeof query>, tz: string): { from: number; to: number } {
  if (q.day !== undefined) {
    const [y, m, d] = q.day.split('-').map(Number) as [number, number, number];
    const from = instantOfWall(Date.UTC(y, m - 1, d), tz);
    return { from, to: nextLocalDayStart(from, tz) };
  }
  if (q.month !== undefined) {
    const [y, m] = q.month.split('-').map(Number) as [number, number];
    const from = instantOfWall(Date.UTC(y, m - 1, 1), tz);
    return { from, to: nextLocalMonthStart(from, tz) };
  }
  return { from: q.from!, to: q.to! };
}

/** The local days or months of [from, to) (the first and last cut to the range), each answered on its own. */
async function periodsOf(from: number, to: number, by: 'day' | 'month', tz: string, answer: (a: number, b: number) => Promise<RangeEnergy>) {
  const spans: Array<{ start: number; end: number }> = [];
  for (let start = from; start < to; ) {
    const end = Math.min(to, by === 'day' ? nextLocalDayStart(start, tz) : nextLocalMonthStart(start, tz));
    spans.push({ start, end });
    start = end;
  }
  const out: Array<{ start: number; end: number; local_start: string; kwh: number; completeness: number; meter_kwh: number | null }> = [];
  // A few at a time: a year by day is 365 small answers.
  for (let i = 0; i < spans.length; i += 8) {
    const batch = spans.slice(i, i + 8);
    const answers = await Promise.all(batch.map((s) => answer(s.start, s.end)));
    batch.forEach((s, j) => {
      const a = answers[j]!;
      out.push({ start: s.start, end: s.end, local_start: formatLocal(s.start, tz), kwh: mwhToKwh(energyMwh(a.it)), completeness: completeness(a.it), meter_kwh: a.meter ? mwhToKwh(energyMwh(a.meter)) : null });
    });
  }
  return out;
}

/** The figures of a range as the API gives them: kWh, its two sources, completeness and the counts. */
export function figuresAnswer(f: Figures) {
  const adjustments = f.resets + f.rollovers + f.spikes + f.glitches + f.recoveries;
  return {
    kwh: mwhToKwh(energyMwh(f)),
    method: methodOf(f),
    wh_from_registers: f.register_mwh / 1000,
    wh_integrated: integratedMwh(f) / 1000,
    series: f.series,
    readings: f.samples,
    completeness: completeness(f),
    resets: f.resets,
    rollovers: f.rollovers,
    spikes_rejected: f.spikes,
    glitches: f.glitches,
    recoveries: f.recoveries,
    gaps_total: f.gaps,
    adjustments_total: adjustments,
  };
}

/** Read raw, the itemized lists (capped); from rollups, null: ask `source=raw` over at most 31 days for them. */
function detailAnswer(e: RangeEnergy) {
  const d = e.detail;
  if (!d) return { gaps: null, adjustments: null, per_series: null };
  return {
    gaps: d.gaps.slice(0, LIST_LIMIT),
    adjustments: d.adjustments.slice(0, LIST_LIMIT),
    per_series: [...d.perSeries].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([series, f]) => ({ ...figuresAnswer(f), series })),
  };
}

function completeness(f: Figures): number {
  return f.series_ms > 0 ? f.covered_ms / f.series_ms : 0;
}
