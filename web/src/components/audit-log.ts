import { el, setData, setText } from '../lib/dom.js';
import { formatCount } from '../lib/format.js';
import { fetchAuditLog, type AuditEntry } from '../views/audit-api.js';
import { button, errorText, num, panel, table } from './audit-table.js';

/**
 * The audit log (GET /api/audit): who viewed or exported what, and when, newest first, with the state of the hash
 * chain — every entry's SHA-256 covers its content and the entry before it, so an edited, removed or inserted
 * entry shows here as a broken chain.
 */
export interface AuditLogPanel {
  readonly root: HTMLElement;
  refresh(): Promise<void>;
  destroy(): void;
}

export function createAuditLogPanel(): AuditLogPanel {
  const chain = el('p', { className: 'audit-chain', testid: 'audit-chain', text: '—' });
  const body = el('div', { className: 'audit-scroll' });
  let aborter: AbortController | null = null;
  const refresh = async (): Promise<void> => {
    aborter?.abort();
    aborter = new AbortController();
    const signal = aborter.signal;
    try {
      const page = await fetchAuditLog(signal);
      if (signal.aborted) return;
      const c = page.chain;
      setText(chain, c.ok ? `Chain intact: ${formatCount(c.entries)} entries, each linked to the one before by SHA-256.` : `Chain BROKEN at entry ${c.brokenAt}: ${c.reason}. Entries from there on cannot be trusted.`);
      setData(chain, 'ok', String(c.ok));
      body.replaceChildren(table(['#', 'When (UTC)', 'Who', 'Role', 'What', 'Query', num('Status'), 'Export', 'Hash'], page.entries.map(row), 'audit-entries'));
    } catch (error) {
      if (signal.aborted) return;
      setText(chain, `Audit log unavailable: ${errorText(error)}`);
      setData(chain, 'ok', null);
    }
  };
  const { root } = panel('Audit log', 'append-only, hash-chained; the latest 200 entries', 'audit-log-panel', [
    el('div', { className: 'audit-controls' }, [chain, button('Refresh', 'audit-refresh', () => void refresh())]),
    body,
  ]);
  return {
    root,
    refresh,
    destroy() {
      aborter?.abort();
      root.remove();
    },
  };
}

function row(e: AuditEntry): Array<string | { text: string; numeric?: boolean; title?: string }> {
  const d = e.detail;
  const exported = typeof d.manifest === 'string' ? { text: `${String(d.export ?? 'file')} · sha256 ${String(d.sha256 ?? '').slice(0, 12)}…`, title: `manifest ${d.manifest}\nfile SHA-256 ${String(d.sha256)}\nmanifest SHA-256 ${String(d.manifest_sha256 ?? '—')}` } : '';
  return [
    num(String(e.seq)),
    new Date(e.at).toISOString().replace('T', ' ').slice(0, 19),
    e.actor,
    e.role || '—',
    e.action,
    { text: e.target.length > 80 ? `${e.target.slice(0, 80)}…` : e.target, title: e.target },
    num(String(d.status ?? '—')),
    exported,
    { text: `${e.hash.slice(0, 10)}…`, title: `hash ${e.hash}\nprev ${e.prev}` },
  ];
}
