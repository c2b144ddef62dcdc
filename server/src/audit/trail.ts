import type { Request, RequestHandler, Response } from 'express';
import { needOf } from '../auth/access.js';
import type { Permission } from '../auth/roles.js';
import type { AuditLog } from './log.js';

/**
 * Everything that reads history, reports or exports, or changes users, fleet or rules, or acknowledges an
 * alert, is written to the audit log with who asked, what, and the answer's status (and what the route adds in
 * `res.locals.auditDetail`: an export's hashes, the alert acknowledged); so are logins, failed ones included, and
 * a known user's or token's refused attempts at any of it.
 * Live views are not: an operator's dashboard polling every few seconds is not an audit event.
 */
const AUDITED: ReadonlySet<Permission> = new Set<Permission>([
  'energy.read', 'comparison.read', 'history.read', 'reports.read', 'exports.read', 'audit.read', 'users.admin', 'fleet.admin', 'rules.admin',
  'alerts.ack',
]);

export function auditTrail(log: AuditLog, clock: () => number = Date.now): RequestHandler {
  return (req: Request, res: Response, next) => {
    // Taken now: inside the /api router, req.path no longer holds the mount path by the time the answer is sent.
    const path = req.path;
    const need = needOf(req.method, path);
    const isLogin = path === '/api/login' || path === '/api/logout';
    if (!isLogin && !(need !== null && need !== 'public' && need !== 'session' && (need === 'admin-only' || AUDITED.has(need)))) return next();
    res.on('finish', () => {
      // A request without credentials is not an actor: anyone on the network could fill the log with 401s. A
      // known user or token refused (403: another role's route, a cross-site request) is written.
      if (!isLogin && !req.principal && res.statusCode === 401) return;
      const loginName = isLogin && typeof req.body?.username === 'string' ? String(req.body.username).slice(0, 64) : null;
      log.append({
        at: clock(),
        actor: req.principal?.name ?? loginName ?? 'anonymous',
        role: req.principal?.role ?? '',
        action: `${req.method} ${path}`,
        target: req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '',
        detail: { status: res.statusCode, ip: req.ip ?? null, ...(res.locals.auditDetail as Record<string, unknown> | undefined) },
      });
    });
    next();
  };
}
