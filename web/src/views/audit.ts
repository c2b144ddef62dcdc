import './audit.css';
import { formatLocal } from '../../../server/src/energy/time.js';
import { createAuditLogPanel } from '../components/audit-log.js';
import { createExportsPanel } from '../components/audit-exports.js';
import { createReconcilePanel } from '../components/audit-reconcile.js';
import { createReplayPanel } from '../components/audit-replay.js';
import { createReportPanel } from '../components/audit-report.js';
import { button, errorText } from '../components/audit-table.js';
import { el, setText } from '../lib/dom.js';
import { fetchAuditSites, type FleetSiteInfo } from './audit-api.js';
import { auditHash, fromLocalInput, toLocalInput, type AuditRoute } from './audit-route.js';

/**
 * The auditors' page: replay what happened, and prove the totals. One site and one range drive every panel —
 * replay, reconciliation, exports — and a month drives the facility report; the audit log closes the page. The
 * question lives in the URL hash (audit-route.ts), updated without reloading as it changes.
 */
const DAY_MS = 86_400_000;

interface Toolbar {
  root: HTMLElement;
  site: HTMLSelectElement;
  scope: HTMLSelectElement;
  from: HTMLInputElement;
  to: HTMLInputElement;
  tz: HTMLElement;
  status: HTMLElement;
}

function toolbar(onLoad: () => void, onSite: () => void): Toolbar {
  const site = el('select', { className: 'control audit-input', testid: 'audit-site', attrs: { 'aria-label': 'Site' } });
  const scope = el('select', { className: 'control audit-input', testid: 'audit-scope', attrs: { 'aria-label': 'Replay scope' } });
  const from = el('input', { className: 'control audit-input', testid: 'audit-from', attrs: { type: 'datetime-local', 'aria-label': 'From (site time)' } });
  const to = el('input', { className: 'control audit-input', testid: 'audit-to', attrs: { type: 'datetime-local', 'aria-label': 'To (site time)' } });
  const tz = el('span', { className: 'panel-note', testid: 'audit-tz' });
  const status = el('span', { className: 'audit-status', testid: 'audit-status' });
  site.addEventListener('change', onSite);
  const root = el('div', { className: 'panel audit-toolbar' }, [
    el('label', {}, [el('span', { className: 'audit-label', text: 'Site' }), site]),
    el('label', {}, [el('span', { className: 'audit-label', text: 'Replay' }), scope]),
    el('label', {}, [el('span', { className: 'audit-label', text: 'From' }), from]),
    el('label', {}, [el('span', { className: 'audit-label', text: 'To' }), to]),
    tz,
    button('Load', 'audit-load', onLoad),
    status,
  ]);
  return { root, site, scope, from, to, tz, status };
}

function fillScope(scope: HTMLSelectElement, site: FleetSiteInfo): void {
  const options = [el('option', { text: `whole site ${site.id}`, attrs: { value: '' } })];
  for (const p of site.pdus) options.push(el('option', { text: `PDU ${p}`, attrs: { value: `pdu:${p}` } }));
  for (const r of site.rigs) options.push(el('option', { text: `rig ${r}`, attrs: { value: `rig:${r}` } }));
  scope.replaceChildren(...options);
}

export function mountAudit(host: HTMLElement, route: AuditRoute): () => void {
  const aborter = new AbortController();
  const log = createAuditLogPanel();
  const refreshLog = () => void log.refresh();
  const replay = createReplayPanel();
  const reconcile = createReconcilePanel();
  const report = createReportPanel(refreshLog);
  const exportsPanel = createExportsPanel(refreshLog);
  let sites: FleetSiteInfo[] = [];
  const bar = toolbar(() => void load(), () => siteChanged());
  const root = el('div', { className: 'audit-view', testid: 'audit-view' }, [
    el('h1', { className: 'view-title', text: 'Audit: replay what happened, and prove the totals' }),
    bar.root,
    replay.root,
    reconcile.root,
    report.root,
    exportsPanel.root,
    log.root,
  ]);
  host.append(root);

  const current = (): FleetSiteInfo | undefined => sites.find((s) => s.id === bar.site.value);

  function siteChanged(): void {
    const site = current();
    if (!site) return;
    fillScope(bar.scope, site);
    setText(bar.tz, `times in ${site.tz}`);
  }

  function setRange(from: number, to: number, tz: string): void {
    bar.from.value = toLocalInput(from, tz);
    bar.to.value = toLocalInput(to, tz);
  }

  let firstLoad = true;
  async function load(month?: string): Promise<void> {
    const site = current();
    if (!site) return;
    const from = fromLocalInput(bar.from.value, site.tz);
    const to = fromLocalInput(bar.to.value, site.tz);
    if (from === null || to === null || !(from < to)) {
      setText(bar.status, 'Give a range: From before To.');
      return;
    }
    setText(bar.status, '');
    const [kind, id] = bar.scope.value.split(':', 2) as [string, string | undefined];
    const q = { site: site.id, from, to, ...(kind === 'pdu' && id && { pdu: id }), ...(kind === 'rig' && id && { rig: id }) };
    const reportMonth = month ?? formatLocal(from, site.tz).slice(0, 7);
    // The address's speed for the first load; after that, the one picked on the page.
    const speed = firstLoad ? route.speed : replay.speed();
    firstLoad = false;
    history.replaceState(null, '', auditHash({ site: site.id, from, to, month: reportMonth, speed }));
    exportsPanel.select({ site: site.id, from, to });
    report.select(site.id, reportMonth, true);
    await Promise.all([replay.load(q, site.tz, speed), reconcile.load({ site: site.id, from, to }, site.tz)]);
    await log.refresh();
  }

  fetchAuditSites(aborter.signal)
    .then((list) => {
      if (aborter.signal.aborted) return;
      sites = list;
      bar.site.replaceChildren(...list.map((s) => el('option', { text: s.name ? `${s.id} — ${s.name}` : s.id, attrs: { value: s.id } })));
      const chosen = list.find((s) => s.id === route.site) ?? list[0];
      if (!chosen) {
        setText(bar.status, 'No site has reported yet.');
        return;
      }
      bar.site.value = chosen.id;
      siteChanged();
      const to = route.to ?? Math.floor(Date.now() / 60_000) * 60_000;
      setRange(route.from ?? to - DAY_MS, to, chosen.tz);
      void load(route.month ?? undefined);
    })
    .catch((error: unknown) => {
      if (!aborter.signal.aborted) setText(bar.status, `Sites unavailable: ${errorText(error)}`);
    });

  return () => {
    aborter.abort();
    replay.destroy();
    reconcile.destroy();
    report.destroy();
    exportsPanel.destroy();
    log.destroy();
    root.remove();
  };
}
