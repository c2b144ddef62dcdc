import { Router } from 'express';
import { energyOf, methodOf, type EnergyBreakdown } from '../../energy/energy.js';
import { mwhToKwh } from '../../energy/exact.js';
import type { Store } from '../../store/store.js';
import { id, parseQuery, range } from '../params.js';

// Energy is computed from raw readings here; ranges stay bounded until rollups serve long ones.
const query = range({ site: id, rig: id.optional(), pdu: id.optional() }, 31);

/** Lists in an answer are cut here (the counts are not): a site with a bad day must not answer in megabytes. */
export const LIST_LIMIT = 100;

/** GET /api/energy — kWh of a site (or one rig or PDU of it) over [from, to), and how it was computed. */
export function energyRouter(store: Store): Router {
  const router = Router();
  router.get('/energy', async (req, res) => {
    const q = parseQuery(query, req.query);
    const filter = { site: q.site, from: q.from, to: q.to, ...(q.rig && { rig: q.rig }), ...(q.pdu && { pdu: q.pdu }) };
    const span = { range: { from: q.from, to: q.to } };
    const it = energyOf(await store.outlets(filter), (r) => `${r.pdu}/${r.outlet}`, span);
    const wholeSite = !q.rig && !q.pdu;
    const meter = wholeSite ? energyOf(await store.meters(filter), (r) => r.meter, span) : null;
    res.json({
      site: q.site,
      rig: q.rig ?? null,
      pdu: q.pdu ?? null,
      from: q.from,
      to: q.to,
      ...energyAnswer(it),
      meter_kwh: meter && meter.series > 0 ? mwhToKwh(meter.mwh) : null,
      meter: meter && meter.series > 0 ? summary(meter) : null,
      note:
        'IT load from PDU outlets: register deltas where the outlet has an energy register (resets, rollovers, spikes and glitches handled as listed in `adjustments`), else trapezoidal integration of power (not across gaps over 5 min); no extrapolation beyond the first and last reading in the range. completeness = share of the range between readings at most 5 min apart. See docs/energy.md.',
    });
  });
  return router;
}

/** The figures of a breakdown as the API gives them: kWh, its sources, and every adjustment (lists capped). */
export function energyAnswer(b: EnergyBreakdown) {
  return {
    ...summary(b),
    gaps: b.gaps.slice(0, LIST_LIMIT),
    gaps_total: b.gaps.length,
    adjustments: b.adjustments.slice(0, LIST_LIMIT),
    adjustments_total: b.adjustments.length,
    per_series: b.per_series.map((s) => ({
      series: s.key,
      kwh: mwhToKwh(s.mwh),
      method: s.method,
      wh_from_registers: s.mwh_register / 1000,
      wh_integrated: s.mwh_integrated / 1000,
      readings: s.readings,
      completeness: s.completeness,
      resets: s.resets,
      rollovers: s.rollovers,
      spikes_rejected: s.spikes_rejected,
      glitches: s.glitches,
      recoveries: s.recoveries,
      gaps: s.gaps.length,
    })),
  };
}

function summary(b: EnergyBreakdown) {
  return {
    kwh: mwhToKwh(b.mwh),
    method: methodOf(b),
    wh_from_registers: b.wh_register,
    wh_integrated: b.wh_integrated,
    series: b.series,
    readings: b.readings,
    duplicates: b.duplicates,
    completeness: b.completeness,
    resets: b.resets,
    rollovers: b.rollovers,
    spikes_rejected: b.spikes_rejected,
    glitches: b.glitches,
    recoveries: b.recoveries,
  };
}
