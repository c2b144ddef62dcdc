import { Router } from 'express';
import { z } from 'zod';
import type { OpsNodeView } from '../../operations/contract.js';
import { HttpError, parseQuery } from '../params.js';

const query = z.object({
  node: z
    .string()
    .max(220)
    .regex(/^(facility|(site|rack|pdu|outlet):[A-Za-z0-9_.\-/]+)$/, 'must be facility, site:<site>, rack:<site>/<rack>, pdu:<site>/<pdu> or outlet:<site>/<pdu>/<n>')
    .default('facility'),
});

/**
 * GET /api/hierarchy?node= — one drill-down node as the operations page shows it (figures, capacity checks,
 * children, the rack heat map) with its recent load; the same answer as the `ops:watch` socket request.
 */
export function hierarchyRouter(view: (node: string) => OpsNodeView | null): Router {
  const router = Router();
  router.get('/hierarchy', (req, res) => {
    const q = parseQuery(query, req.query);
    const answer = view(q.node);
    if (!answer) throw new HttpError(404, `no such node: ${q.node}`);
    res.json(answer);
  });
  return router;
}
