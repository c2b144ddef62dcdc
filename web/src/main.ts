/// <reference types="vite/client" />
import './styles.css';
import { chartPointCount } from './charts/power-chart.js';
import { mountConnectionStatus } from './components/connection-status.js';
import { el } from './lib/dom.js';
import { FRAME_INTERVAL_MS } from './live/contract.js';
import { fetchSession, logOut, type Session } from './live/session.js';
import { connectLive, type LiveLink } from './live/socket.js';
import { mountLogin } from './views/login.js';
import { mountOverview } from './views/overview.js';

/**
 * Composition root: one socket for the page, the header's connection badge, and the view chosen
 * by the URL hash. A view is `mount(host, deps) -> unmount`; adding a page is one entry in VIEWS.
 */

/** Frames are ~1 s apart; five missed in a row is a stalled feed, not jitter. */
const STALE_AFTER_MS = 5 * FRAME_INTERVAL_MS;

interface ViewDeps {
  link: LiveLink;
  staleAfterMs: number;
}

interface View {
  title: string;
  mount(host: HTMLElement, deps: ViewDeps): () => void;
}

const VIEWS: Record<string, View> = {
  overview: { title: 'Overview', mount: mountOverview },
};
const DEFAULT_VIEW = 'overview';

/**
 * Test hook, read-only: lets a browser test see frames arrive and the chart grow without scraping
 * the canvas. `framesReceived` counts `facility:frame` events; `chartPoints()` is the number of
 * points in the facility chart's dataset. Not an API for anything but tests.
 */
export interface KilowatchTestHook {
  readonly framesReceived: number;
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
  const nav = required<HTMLElement>('#nav');
  const link = connectLive();
  const deps: ViewDeps = { link, staleAfterMs: STALE_AFTER_MS };
  mountConnectionStatus(required<HTMLElement>('#conn'), link, { staleAfterMs: STALE_AFTER_MS });

  const navLinks = new Map<string, HTMLAnchorElement>();
  for (const [name, view] of Object.entries(VIEWS)) {
    const anchor = el('a', { text: view.title, attrs: { href: `#/${name}` } });
    navLinks.set(name, anchor);
    nav.append(anchor);
  }

  let current: { name: string; unmount: () => void } | null = null;
  const route = (): void => {
    const wanted = location.hash.replace(/^#\/?/, '');
    const name = wanted in VIEWS ? wanted : DEFAULT_VIEW;
    if (current?.name === name) return;
    current?.unmount();
    const view = VIEWS[name] as View;
    current = { name, unmount: view.mount(main, deps) };
    document.title = `${view.title} · Kilowatch`;
    for (const [linkName, anchor] of navLinks) {
      if (linkName === name) anchor.setAttribute('aria-current', 'page');
      else anchor.removeAttribute('aria-current');
    }
  };
  window.addEventListener('hashchange', route);
  route();

  const hook: KilowatchTestHook = Object.freeze({
    get framesReceived() {
      return link.status().framesReceived;
    },
    chartPoints: () =>
      chartPointCount(document.querySelector<HTMLCanvasElement>('[data-testid="facility-chart"]')),
  });
  Object.defineProperty(window, '__kilowatch', { value: hook, writable: false, configurable: false });
}

void boot();
