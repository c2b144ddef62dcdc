import { Router } from 'express';
import { z } from 'zod';
import type { FleetRegistry } from '../../fleet/registry.js';
import type { UnassignedDevices } from '../../fleet/unassigned.js';
import { parseQuery } from '../params.js';

const query = z.object({ unassigned: z.enum(['0', '1', 'true', 'false']).optional() });

/**
 * GET /api/devices — the fleet's outlets (with rigs, PDU ratings) and the devices that publish without a
 * binding; `?unassigned=1` lists only the latter, for an operator to bind them in the fleet file.
 * GET /api/fleet — the fleet file as loaded (sites, racks, PDUs, meters, bindings).
 */
export function devicesRouter(fleet: () => FleetRegistry, unassigned: UnassignedDevices): Router {
  const router = Router();
  router.get('/devices', (req, res) => {
    const q = parseQuery(query, req.query);
    const onlyUnassigned = q.unassigned === '1' || q.unassigned === 'true';
    const bound = onlyUnassigned
      ? []
      : [...fleet().allOutlets()].map((o) => ({
          site: o.site, rack: o.rack, pdu: o.pdu.id, outlet: o.outlet, rig: o.rig ?? null, model: o.model ?? null,
          pdu_rating_a: o.pdu.rating_a, pdu_voltage_v: o.pdu.voltage_v, pdu_phases: o.pdu.phases,
        }));
    res.json({ devices: bound, unassigned: unassigned.list() });
  });
  router.get('/fleet', (_req, res) => {
    res.json(fleet().fleet);
  });
  return router;
}
