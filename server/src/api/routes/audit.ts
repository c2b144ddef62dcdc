import { Router } from 'express';
import { z } from 'zod';
import type { AuditLog } from '../../audit/log.js';
import { instant, parseQuery } from '../params.js';

const query = z.object({
  from: instant.optional(),
  to: instant.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

/** GET /api/audit — the audit log for a range, with a check of the whole hash chain. */
export function auditRouter(log: AuditLog): Router {
  const router = Router();
  router.get('/audit', (req, res) => {
    const q = parseQuery(query, req.query);
    res.json({ entries: log.list(q.from ?? 0, q.to ?? Number.MAX_SAFE_INTEGER, q.limit), chain: log.verify() });
  });
  return router;
}
