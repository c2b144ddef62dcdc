import { ID_PATTERN } from '../live/contract.js';

/**
 * The page's address lives in the URL hash, so a reload or a shared link opens the same view and the
 * server needs no route of its own: `#/overview`, `#/site/<id>`, `#/operations[/<node>]`, `#/comparison`
 * (the audit page's `#/audit/…` is parsed by views/audit-route.ts). Anything else is the overview.
 */
export type Route = { view: 'overview' } | { view: 'site'; site: string } | { view: 'operations' } | { view: 'comparison' };

export const OVERVIEW: Route = Object.freeze({ view: 'overview' });
/** `#/operations[/<node>]`: the operations page reads its drill-down node from the rest (views/operations-model.ts). */
export const OPERATIONS: Route = Object.freeze({ view: 'operations' });
/** `#/comparison`: the energy managers' page (views/comparison.ts). */
export const COMPARISON: Route = Object.freeze({ view: 'comparison' });

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/');
  if (parts[0] === 'operations') return OPERATIONS;
  if (parts[0] === 'comparison' && parts.length === 1) return COMPARISON;
  if (parts.length !== 2 || parts[0] !== 'site') return OVERVIEW;
  let site: string;
  try {
    site = decodeURIComponent(parts[1] as string);
  } catch {
    // A malformed %-escape is a bad link, not a crash.
    return OVERVIEW;
  }
  // The server's own id rule: an id it would refuse is no site to open.
  return ID_PATTERN.test(site) ? { view: 'site', site } : OVERVIEW;
}

export function routeHash(route: Route): string {
  if (route.view === 'operations') return '#/operations';
  if (route.view === 'comparison') return '#/comparison';
  return route.view === 'site' ? `#/site/${encodeURIComponent(route.site)}` : '#/overview';
}
