import { Router } from 'express';
import { z } from 'zod';
import type { AuditLog } from '../../audit/log.js';
import { instant, parseQuery } from '../params.js';

const query = z.object({
  from: instant.optional(),
  to: instant.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  /** `desc`: the newest entries first (the auditors' page shows the latest). */
  order: z.enum(['asc', 'desc']).default('asc'),
});

/** GET /api/audit — the audit log for a range, with a check of the whole hash chain. */
export function auditRouter(log: AuditLog): Router {
  const router = Router();
  router.get('/audit', (req, res) => {
    const q = parseQuery(query, req.query);
    res.json({ entries: log.list(q.from ?? 0, q.to ?? Number.MAX_SAFE_INTEGER, q.limit, q.order === 'desc'), chain: log.verify() });
  });
  return router;
}
