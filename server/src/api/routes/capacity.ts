import { Router } from 'express';
import { z } from 'zod';
import { OVER_AT, WARN_AT } from '../../operations/capacity.js';
import type { capacityReport } from '../../operations/frames.js';
import { id, parseQuery } from '../params.js';

const query = z.object({ site: id.optional() });

/**
 * GET /api/capacity[?site=] — every PDU, breaker bank and phase against its continuous limit (rating ×
 * continuous_load_pct) and each site against capacity_kw, from the latest fresh readings.
 */
export function capacityRouter(report: (site?: string) => ReturnType<typeof capacityReport>): Router {
  const router = Router();
  router.get('/capacity', (req, res) => {
    const q = parseQuery(query, req.query);
    res.json({
      sites: report(q.site),
      thresholds: { warn_at: WARN_AT, over_at: OVER_AT },
      note:
        'utilisation = load / limit, limit = rating × continuous_load_pct / 100 (NEC 210.20(A)); level ok < warn_at ≤ warn ≤ over_at < over. ' +
        'Currents: source "measured" = outlet current_a, "computed" = power / (voltage × pf), "mixed" = both. ' +
        '3-phase lines are phasor sums of the banks on each phase pair; outlets outside a phased bank are taken as balanced. See docs/operations.md.',
    });
  });
  return router;
}
