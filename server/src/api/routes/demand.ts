import { Router } from 'express';
import { z } from 'zod';
import { demandOf } from '../../energy/demand.js';
import { utcSites, type SiteDirectory } from '../../energy/sites.js';
import { isTimeZone } from '../../energy/time.js';
import type { Store } from '../../store/store.js';
import { id, parseQuery, range } from '../params.js';

/** An IANA time zone name this runtime knows, e.g. `America/New_York`. */
export const timeZone = z.string().max(64).refine(isTimeZone, { message: 'must be an IANA time zone name, e.g. America/New_York' });

const query = range({ site: id, tz: timeZone.optional(), source: z.enum(['auto', 'meter', 'it']).default('auto') }, 31);

/**
 * GET /api/demand — the 15-minute average kW of a site in each local clock quarter of [from, to), and the peak.
 * `source`: `meter` (the facility meter, what the utility bills), `it` (Σ PDU outlets), or `auto` (the meter
 * when the site has one in the range, else the outlets). `tz` overrides the site's zone from the directory.
 */
export function demandRouter(store: Store, sites: SiteDirectory = utcSites): Router {
  const router = Router();
  router.get('/demand', async (req, res) => {
    const q = parseQuery(query, req.query);
    const tz = q.tz ?? sites.timeZoneOf(q.site);
    const filter = { site: q.site, from: q.from, to: q.to };
    const span = { from: q.from, to: q.to };
    const meters = q.source === 'it' ? [] : await store.meters(filter);
    const useMeter = q.source === 'meter' || (q.source === 'auto' && meters.length > 0);
    const report = useMeter
      ? demandOf({ readings: meters, keyOf: (r) => r.meter, range: span, tz })
      : demandOf({ readings: await store.outlets(filter), keyOf: (r) => `${r.pdu}/${r.outlet}`, range: span, tz });
    res.json({
      site: q.site,
      from: q.from,
      to: q.to,
      source: useMeter ? 'meter' : 'it',
      ...report,
      peak_kw: report.peak?.kw ?? null,
      peak_at: report.peak?.start ?? null,
      note: 'Average kW per local clock quarter (:00, :15, :30, :45 in tz): the energy counted in the quarter (register deltas spread in proportion to time, trapezoids exactly) over its length. coverage = share of the quarter between readings at most 5 min apart; edge quarters of the range are partial. See docs/energy.md.',
    });
  });
  return router;
}
