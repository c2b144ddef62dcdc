import { connectionState, type ConnState } from '../lib/facility.js';
import { el, setData, setText } from '../lib/dom.js';
import { formatAge } from '../lib/format.js';
import { frameTask } from '../lib/raf.js';
import type { LiveLink } from '../live/socket.js';

const LABELS: Record<ConnState, string> = {
  connecting: 'connecting',
  live: 'live',
  stale: 'stale',
  reconnecting: 'reconnecting',
};

/** How often the age text is refreshed; the age is shown to a tenth of a second under 10 s. */
const TICK_MS = 250;

function ageText(status: ReturnType<LiveLink['status']>, now: number): string {
  if (status.lastFrameAt !== null) return `last frame ${formatAge(now - status.lastFrameAt)} ago`;
  // Connected but silent: say so, rather than leave "stale" unexplained.
  return status.connected ? 'no frame yet' : '';
}

export interface ConnectionStatusOptions {
  staleAfterMs: number;
  now?: () => number;
}

/**
 * The header badge: "live · 0.6 s ago", "stale · 12 s ago" or "reconnecting". It also sets
 * `data-conn` on <body> so the stylesheet can dim every figure when the data is not live — the
 * numbers stay readable but can no longer be mistaken for current ones.
 */
export function mountConnectionStatus(
  host: HTMLElement,
  link: LiveLink,
  options: ConnectionStatusOptions,
): () => void {
  const now = options.now ?? Date.now;
  const state = el('span', { className: 'conn-state', text: 'connecting', testid: 'conn-state' });
  const age = el('span', { className: 'conn-age', text: '', testid: 'frame-age' });
  const root = el('div', { className: 'conn', attrs: { role: 'status', 'aria-live': 'polite' } }, [
    el('span', { className: 'conn-dot', attrs: { 'aria-hidden': 'true' } }),
    state,
    age,
  ]);
  host.append(root);

  const render = frameTask(() => {
    const status = link.status();
    const t = now();
    const conn = connectionState({ ...status, now: t, staleAfterMs: options.staleAfterMs });
    setText(state, LABELS[conn]);
    setData(root, 'state', conn);
    setData(document.body, 'conn', conn);
    setText(age, ageText(status, t));
  });
  const timer = window.setInterval(() => render.request(), TICK_MS);
  const offStatus = link.onStatus(() => render.request());
  const offFrame = link.onFacilityFrame(() => render.request());
  render.request();

  return () => {
    window.clearInterval(timer);
    offStatus();
    offFrame();
    render.cancel();
    root.remove();
  };
}
