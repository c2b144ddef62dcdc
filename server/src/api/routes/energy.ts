import { Router } from 'express';
import { energyOf, methodOf } from '../../energy/energy.js';
import type { Store } from '../../store/store.js';
import { id, parseQuery, range } from '../params.js';

// Energy is computed from raw readings here; ranges stay bounded until rollups serve long ones.
const query = range({ site: id, rig: id.optional(), pdu: id.optional() }, 31);

/** GET /api/energy — kWh of a site (or one rig or PDU of it) over [from, to), and how it was computed. */
export function energyRouter(store: Store): Router {
  const router = Router();
  router.get('/energy', async (req, res) => {
    const q = parseQuery(query, req.query);
    const filter = { site: q.site, from: q.from, to: q.to, ...(q.rig && { rig: q.rig }), ...(q.pdu && { pdu: q.pdu }) };
    const it = energyOf(await store.outlets(filter), (r) => `${r.pdu}/${r.outlet}`);
    const wholeSite = !q.rig && !q.pdu;
    const meter = wholeSite ? energyOf(await store.meters(filter), (r) => r.meter) : null;
    res.json({
      site: q.site,
      rig: q.rig ?? null,
      pdu: q.pdu ?? null,
      from: q.from,
      to: q.to,
      kwh: it.wh / 1000,
      method: methodOf(it),
      wh_from_registers: it.wh_register,
      wh_integrated: it.wh_integrated,
      series: it.series,
      readings: it.readings,
      resets: it.resets,
      meter_kwh: meter && meter.series > 0 ? meter.wh / 1000 : null,
      note: 'IT load from PDU outlets: register deltas where the outlet has an energy register, else trapezoidal integration of power (not across gaps over 5 min); no extrapolation beyond the first and last reading in the range.',
    });
  });
  return router;
}
