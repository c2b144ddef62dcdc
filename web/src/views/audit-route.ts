import { formatLocal, instantOfWall, wallMs } from '../../../server/src/energy/time.js';
import { el } from '../lib/dom.js';
import { ID_PATTERN } from '../live/contract.js';
import { REPLAY_SPEEDS, type ReplaySpeed } from './audit-playback.js';

/**
 * The auditors' page's address: `#/audit`, `#/audit/<site>`, with an optional query for the range, the report's
 * month and the replay speed — `#/audit/site-1?from=2024-11-01T00:00:00-05:00&to=…&month=2024-11&speed=600` — so a
 * link opens the same question. Times are ms epoch or ISO 8601 with a zone.
 */
export interface AuditRoute {
  site: string | null;
  from: number | null;
  to: number | null;
  month: string | null;
  speed: ReplaySpeed | null;
}

export function parseAuditRoute(hash: string): AuditRoute | null {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const parts = path.split('/').filter((p) => p !== '');
  if (parts[0] !== 'audit' || parts.length > 2) return null;
  let site: string | null = null;
  if (parts[1] !== undefined) {
    try {
      site = decodeURIComponent(parts[1]);
    } catch {
      return null;
    }
    if (!ID_PATTERN.test(site)) site = null;
  }
  const q = new URLSearchParams(query);
  const month = q.get('month');
  const speed = Number(q.get('speed'));
  return {
    site,
    from: instant(q.get('from')),
    to: instant(q.get('to')),
    month: month !== null && /^\d{4}-(0[1-9]|1[0-2])$/.test(month) ? month : null,
    speed: (REPLAY_SPEEDS as readonly number[]).includes(speed) ? (speed as ReplaySpeed) : null,
  };
}

export function auditHash(r: AuditRoute): string {
  const q = new URLSearchParams();
  if (r.from !== null) q.set('from', new Date(r.from).toISOString());
  if (r.to !== null) q.set('to', new Date(r.to).toISOString());
  if (r.month !== null) q.set('month', r.month);
  if (r.speed !== null) q.set('speed', String(r.speed));
  const query = q.toString();
  return `#/audit${r.site !== null ? `/${encodeURIComponent(r.site)}` : ''}${query ? `?${query}` : ''}`;
}

function instant(value: string | null): number | null {
  if (value === null || value === '') return null;
  const ms = /^\d{1,16}$/.test(value) ? Number(value) : Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

/** `<input type="datetime-local">` value of an instant, on the site's wall clock. */
export function toLocalInput(ts: number, tz: string): string {
  return new Date(wallMs(ts, tz)).toISOString().slice(0, 16);
}

/** The instant a `datetime-local` value names on the site's wall clock (the earlier one of a repeated hour). */
export function fromLocalInput(value: string, tz: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  return instantOfWall(Date.UTC(y, mo - 1, d, h, mi), tz);
}

/** `2024-11-03 01:15:00 −05:00`: a time as the site's clock showed it, with the offset. */
export function localTime(ts: number, tz: string): string {
  return formatLocal(ts, tz).replace('T', ' ').replace(/([+-]\d{2}:\d{2}(:\d{2})?)$/, ' $1');
}

/** The "Audit" link of the header; `show(true)` marks it current (and the other links not). */
export function mountAuditNav(nav: HTMLElement): { show(active: boolean): void } {
  const link = el('a', { text: 'Audit', testid: 'nav-audit', attrs: { href: '#/audit' } });
  nav.append(link);
  return {
    show(active) {
      if (!active) {
        link.removeAttribute('aria-current');
        return;
      }
      // Hidden links (the site breadcrumb) keep theirs for when they show again.
      for (const a of nav.querySelectorAll('a')) if (!a.hidden) a.removeAttribute('aria-current');
      link.setAttribute('aria-current', 'page');
    },
  };
}
