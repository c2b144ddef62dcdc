/// <reference types="vite/client" />
import './styles.css';
import { chartPointCount } from './charts/power-chart.js';
import { mountConnectionStatus } from './components/connection-status.js';
import { el } from './lib/dom.js';
import { parseRoute, routeHash, type Route } from './lib/route.js';
import { FRAME_INTERVAL_MS } from './live/contract.js';
import { fetchSession, logOut, type Session } from './live/session.js';
import { connectLive, type LiveLink } from './live/socket.js';
import { mountLogin } from './views/login.js';
import { mountOverview } from './views/overview.js';
import { mountOperations } from './views/operations.js';
import { mountComparison } from './views/comparison.js';
import { mountSite } from './views/site.js';
import { mountAudit } from './views/audit.js';
import { mountAuditNav, parseAuditRoute } from './views/audit-route.js';

/**
 * Composition root: one socket for the page, the header's connection badge, and the view chosen
 * by the URL hash (lib/route.ts). A view is `mount(host, deps, …) -> unmount`; adding a page is a
 * Route case, a line in mountRoute, and its navigation link and title.
 */

/** Frames are ~1 s apart; five missed in a row is a stalled feed, not jitter. */
const STALE_AFTER_MS = 5 * FRAME_INTERVAL_MS;

interface ViewDeps {
  link: LiveLink;
  staleAfterMs: number;
}

function mountRoute(route: Route, host: HTMLElement, deps: ViewDeps): () => void {
  if (route.view === 'operations') return mountOperations(host);
  if (route.view === 'comparison') return mountComparison(host);
  return route.view === 'site' ? mountSite(host, deps, route.site) : mountOverview(host, deps);
}

/**
 * Test hook, read-only: lets a browser test see frames arrive and the chart grow without scraping
 * the canvas. `framesReceived` counts `facility:frame` events, `siteFramesReceived` the `site:frame`s
 * of subscribed sites; `chartPoints()` is the number of points in the facility chart's dataset. Not
 * an API for anything but tests.
 */
export interface KilowatchTestHook {
  readonly framesReceived: number;
  readonly siteFramesReceived: number;
  chartPoints(): number;
}

declare global {
  interface Window {
    __kilowatch?: KilowatchTestHook;
  }
}

function required<T extends HTMLElement>(selector: string): T {
  const node = document.querySelector<T>(selector);
  if (!node) throw new Error(`index.html is missing ${selector}`);
  return node;
}

/** Logged-in user and a log-out button in the header, when the server has authentication on. */
function mountUser(session: Session): void {
  if (session.authentication !== 'on' || !session.user) return;
  const logout = el('button', { text: 'Log out', attrs: { type: 'button' }, testid: 'logout' });
  logout.addEventListener('click', () => void logOut().then(() => location.reload()));
  required<HTMLElement>('#conn').before(el('div', { className: 'topbar-user', testid: 'user' }, [el('span', { text: `${session.user} · ${session.role}` }), logout]));
}

/**
 * "Overview", and on a site page "Overview › site-1": the site is a breadcrumb under the overview
 * it was opened from, not a tab of its own.
 */
function mountNav(nav: HTMLElement): { show(route: Route): void } {
  const overview = el('a', { text: 'Overview', attrs: { href: routeHash({ view: 'overview' }) } });
  const separator = el('span', { className: 'crumb-sep', text: '›', attrs: { 'aria-hidden': 'true' } });
  const crumb = el('a', { className: 'crumb', testid: 'nav-site', attrs: { 'aria-current': 'page' } });
  nav.append(overview, separator, crumb);
  const operations = el('a', { text: 'Operations', testid: 'nav-operations', attrs: { href: routeHash({ view: 'operations' }) } });
  nav.append(operations);
  const comparison = el('a', { text: 'Comparison', testid: 'nav-comparison', attrs: { href: routeHash({ view: 'comparison' }) } });
  nav.append(comparison);
  return {
    show(route) {
      const onSite = route.view === 'site';
      if (onSite) {
        crumb.textContent = route.site;
        crumb.href = routeHash(route);
        overview.removeAttribute('aria-current');
      } else {
        overview.setAttribute('aria-current', 'page');
      }
      if (route.view === 'operations') overview.removeAttribute('aria-current');
      if (route.view === 'operations') operations.setAttribute('aria-current', 'page');
      else operations.removeAttribute('aria-current');
      if (route.view === 'comparison') overview.removeAttribute('aria-current');
      if (route.view === 'comparison') comparison.setAttribute('aria-current', 'page');
      else comparison.removeAttribute('aria-current');
      separator.hidden = !onSite;
      crumb.hidden = !onSite;
    },
  };
}

async function boot(): Promise<void> {
  const session = await fetchSession();
  if (!session) {
    mountLogin(required<HTMLElement>('#view'), () => location.reload());
    return;
  }
  mountUser(session);
  start();
}

function start(): void {
  const main = required<HTMLElement>('#view');
  const link = connectLive();
  const deps: ViewDeps = { link, staleAfterMs: STALE_AFTER_MS };
  mountConnectionStatus(required<HTMLElement>('#conn'), link, { staleAfterMs: STALE_AFTER_MS });

  const nav = mountNav(required<HTMLElement>('#nav'));
  const auditNav = mountAuditNav(required<HTMLElement>('#nav'));
  // The canonical hash is the page's identity: "#site/x" and "#/site/x" are the same page.
  let current: { hash: string; unmount: () => void } | null = null;
  const route = (): void => {
    // The auditors' page parses its own address (views/audit-route.ts) and rewrites its query in place.
    const audit = parseAuditRoute(location.hash);
    if (audit) {
      if (current?.hash === location.hash) return;
      current?.unmount();
      current = { hash: location.hash, unmount: mountAudit(main, audit) };
      window.scrollTo(0, 0);
      nav.show({ view: 'overview' });
      auditNav.show(true);
      document.title = 'Audit · Kilowatch';
      return;
    }
    auditNav.show(false);
    const wanted = parseRoute(location.hash);
    const hash = routeHash(wanted);
    if (current?.hash === hash) return;
    current?.unmount();
    current = { hash, unmount: mountRoute(wanted, main, deps) };
    window.scrollTo(0, 0);
    nav.show(wanted);
    document.title = `${wanted.view === 'site' ? wanted.site : 'Overview'} · Kilowatch`;
    if (wanted.view === 'operations') document.title = 'Operations · Kilowatch';
    if (wanted.view === 'comparison') document.title = 'Comparison · Kilowatch';
  };
  window.addEventListener('hashchange', route);
  route();

  const hook: KilowatchTestHook = Object.freeze({
    get framesReceived() {
      return link.status().framesReceived;
    },
    get siteFramesReceived() {
      return link.status().siteFramesReceived;
    },
    chartPoints: () =>
      chartPointCount(document.querySelector<HTMLCanvasElement>('[data-testid="facility-chart"]')),
  });
  Object.defineProperty(window, '__kilowatch', { value: hook, writable: false, configurable: false });
}

void boot();
