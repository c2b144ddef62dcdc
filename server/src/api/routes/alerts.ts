import { Router } from 'express';
import { z } from 'zod';
import type { AlertRecord } from '../../operations/contract.js';
import type { Rules } from '../../operations/rules.js';
import { HttpError, id, parseQuery } from '../params.js';

const listQuery = z.object({
  state: z.enum(['active', 'all']).default('active'),
  site: id.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
const alertId = z.coerce.number({ error: 'must be an alert id' }).int().min(1).max(Number.MAX_SAFE_INTEGER);

export interface AlertsApi {
  list(q: { state: 'active' | 'all'; site?: string | undefined; limit: number }): AlertRecord[];
  ack(id: number, by: string, now: number): AlertRecord | null;
  rules(): Rules;
}

/**
 * GET /api/alerts[?state=active|all&site=&limit=] — alerts, newest first.
 * GET /api/alerts/rules — the rules in force (defaults merged with the fleet file's `alerts:` section).
 * POST /api/alerts/:id/ack — acknowledge (permission alerts.ack); the alert stays until its condition clears.
 */
export function alertsRouter(api: AlertsApi, clock: () => number): Router {
  const router = Router();
  router.get('/alerts', (req, res) => {
    const q = parseQuery(listQuery, req.query);
    res.json({ alerts: api.list(q) });
  });
  router.get('/alerts/rules', (_req, res) => {
    res.json({ rules: api.rules(), note: 'Defaults in server/src/operations/rules.ts, overridden by the fleet file\'s alerts: section. See docs/operations.md.' });
  });
  router.post('/alerts/:id/ack', (req, res) => {
    const parsed = alertId.safeParse(req.params.id);
    if (!parsed.success) throw new HttpError(400, 'id: must be an alert id (a whole number)');
    const alert = api.ack(parsed.data, req.principal?.name ?? 'unknown', clock());
    if (!alert) throw new HttpError(404, `no alert ${parsed.data}`);
    res.json({ alert });
  });
  return router;
}
