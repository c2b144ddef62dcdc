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
  /** `changed`: false when the alert was acknowledged before (nothing changes). Null: no such alert. */
  ack(id: number, by: string, now: number): { alert: AlertRecord; changed: boolean } | null;
  rules(): Rules;
}

/**
 * GET /api/alerts[?state=active|all&site=&limit=] — alerts, newest first.
 * GET /api/alerts/rules — the rules in force (defaults merged with the fleet file's `alerts:` section).
 * POST /api/alerts/:id/ack — acknowledge (permission alerts.ack); the alert stays until its condition clears.
 *   Audited (audit/trail.ts): who, when, which alert and the outcome, in the entry's `detail`.
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
    const result = api.ack(parsed.data, req.principal?.name ?? 'unknown', clock());
    // What the audit trail adds to its entry for this request (who and when it takes from the request). Every
    // attempt is written, not only the ones that changed something, as the trail writes failed logins: an
    // auditor asking "who acknowledged alert 17?" finds exactly one `acknowledged` entry for it, and one asking
    // "who tried to act on alerts?" also sees the repeats (`already_acknowledged`, 200: the alert is in the state
    // asked for, but this request changed nothing; `acked_by` names who did) and the ids that do not exist
    // (`unknown_alert`, 404: someone acting on a stale list, or probing). A malformed id (400) is written with
    // its status only. A known user refused by the access gate (403) is written by the trail itself.
    if (!result) {
      res.locals.auditDetail = { alert: parsed.data, outcome: 'unknown_alert' };
      throw new HttpError(404, `no alert ${parsed.data}`);
    }
    const { alert, changed } = result;
    res.locals.auditDetail = {
      alert: alert.id, rule: alert.rule, site: alert.site, subject: alert.subject,
      outcome: changed ? 'acknowledged' : 'already_acknowledged', acked_at: alert.acked_at, acked_by: alert.acked_by,
    };
    res.json({ alert });
  });
  return router;
}
