import type { Permission } from './roles.js';

/**
 * The permission every HTTP route needs, in one table (method, path pattern, permission). `public`
 * routes need nothing; `session` needs any logged-in user or token. A route under /api that is not
 * listed is refused to everyone but admins: adding a route without deciding who may call it fails closed.
 */
export type Need = Permission | 'public' | 'session';

export const ROUTES: readonly (readonly [method: string, path: string, need: Need])[] = [
  ['POST', '/api/login', 'public'],
  ['POST', '/api/logout', 'public'],
  ['GET', '/api/me', 'session'],
  ['GET', '/api/health', 'live.read'],
  ['GET', '/api/sites', 'live.read'],
  ['GET', '/api/series', 'live.read'],
  ['GET', '/api/energy', 'energy.read'],
  ['GET', '/api/demand', 'energy.read'],
  ['GET', '/api/efficiency', 'energy.read'],
  ['GET', '/api/comparison', 'comparison.read'],
  ['GET', '/api/comparison.csv', 'comparison.read'],
  ['GET', '/api/comparison/daily', 'comparison.read'],
  ['GET', '/api/comparison/daily.csv', 'comparison.read'],
  ['GET', '/api/devices', 'live.read'],
  ['GET', '/api/fleet', 'live.read'],
  ['GET', '/api/users', 'users.admin'],
  ['POST', '/api/users', 'users.admin'],
  ['DELETE', '/api/users/:name', 'users.admin'],
  ['GET', '/api/tokens', 'users.admin'],
  ['POST', '/api/tokens', 'users.admin'],
  ['DELETE', '/api/tokens/:id', 'users.admin'],
  ['GET', '/api/audit', 'audit.read'],
  ['GET', '/api/exports/readings', 'exports.read'],
  ['GET', '/api/exports/:id/manifest', 'exports.read'],
  ['GET', '/api/exports/rollups', 'exports.read'],
  ['GET', '/api/replay', 'history.read'],
  ['GET', '/api/reconcile', 'history.read'],
  ['GET', '/api/reports/monthly', 'reports.read'],
  ['GET', '/api/hierarchy', 'live.read'],
  ['GET', '/api/capacity', 'live.read'],
  ['GET', '/api/alerts', 'live.read'],
  ['GET', '/api/alerts/rules', 'live.read'],
  ['POST', '/api/alerts/:id/ack', 'alerts.ack'],
  ['GET', '/metrics', 'metrics.read'],
];

// Socket events (subscribe, rigs, and ops:watch on the operations namespace) need nothing beyond `live.read`,
// which connecting to either namespace already needs (auth/socket.ts).

const compiled = ROUTES.map(([method, path, need]) => ({
  method,
  need,
  re: new RegExp(`^${path.replace(/:[a-z]+/g, '[^/]+')}/?$`),
}));

/** What a request needs; `admin-only` for API routes nobody listed. Null: not an API route (static files). */
export function needOf(method: string, path: string): Need | 'admin-only' | null {
  const m = method === 'HEAD' ? 'GET' : method;
  const hit = compiled.find((r) => r.method === m && r.re.test(path));
  if (hit) return hit.need;
  return path.startsWith('/api/') || path === '/metrics' ? 'admin-only' : null;
}
