import { el } from '../lib/dom.js';
import { createDownloadSlot } from './audit-download.js';
import { button, panel } from './audit-table.js';

/**
 * Exports with proof: raw readings or rollup buckets of the selected site and range, as CSV or JSON, each with
 * its manifest (SHA-256, the query, the software version, the time). `npm run verify -- <file>` checks a file
 * saved beside its manifest.
 */
export interface ExportsPanel {
  readonly root: HTMLElement;
  select(q: { site: string; from: number; to: number }): void;
  destroy(): void;
}

function select(testid: string, label: string, options: readonly string[], value: string): HTMLSelectElement {
  const s = el('select', { className: 'control audit-input', testid, attrs: { 'aria-label': label } }, options.map((o) => el('option', { text: o, attrs: { value: o } })));
  s.value = value;
  return s;
}

export function createExportsPanel(onExport: () => void): ExportsPanel {
  let range: { site: string; from: number; to: number } | null = null;
  const kind = select('export-kind', 'Readings', ['outlet', 'miner', 'meter'], 'outlet');
  const readingsFormat = select('export-readings-format', 'Format', ['csv', 'json'], 'csv');
  const level = select('export-level', 'Level', ['site', 'pdu', 'rig', 'meter'], 'site');
  const resolution = select('export-resolution', 'Resolution', ['1h', '1m'], '1h');
  const rollupsFormat = select('export-rollups-format', 'Format', ['csv', 'json'], 'csv');
  const readingsSlot = createDownloadSlot('export-readings', onExport);
  const rollupsSlot = createDownloadSlot('export-rollups', onExport);
  const path = (route: string, extra: Record<string, string>) =>
    range && `/api/exports/${route}?${new URLSearchParams({ site: range.site, from: String(range.from), to: String(range.to), ...extra }).toString()}`;
  const readings = button('Export readings', 'export-readings-go', () => {
    const p = path('readings', { kind: kind.value, format: readingsFormat.value });
    if (p) void readingsSlot.offer(p);
  });
  const rollups = button('Export rollups', 'export-rollups-go', () => {
    const p = path('rollups', { level: level.value, resolution: resolution.value, format: rollupsFormat.value });
    if (p) void rollupsSlot.offer(p);
  });
  const { root } = panel('Exports with proof', 'each file with its manifest: SHA-256, query, software version, time', 'exports-panel', [
    el('div', { className: 'audit-controls' }, [el('span', { className: 'audit-label', text: 'Raw readings' }), kind, readingsFormat, readings]),
    readingsSlot.root,
    el('div', { className: 'audit-controls' }, [el('span', { className: 'audit-label', text: 'Rollups' }), level, resolution, rollupsFormat, rollups]),
    rollupsSlot.root,
    el('p', { className: 'panel-note', text: 'Save a file and its manifest side by side, then: npm run verify -- <file>' }),
  ]);
  return {
    root,
    select(q) {
      range = q;
    },
    destroy() {
      readingsSlot.destroy();
      rollupsSlot.destroy();
      root.remove();
    },
  };
}
