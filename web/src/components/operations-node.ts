import { el, setText } from '../lib/dom.js';
import { formatHashrate, formatJth, formatNumber, UNKNOWN } from '../lib/format.js';
import type { OutletDetail } from '../views/operations-contract.js';
import { opsHash } from '../views/operations-model.js';

export interface PathView {
  root: HTMLElement;
  update(path: readonly { id: string; name: string }[]): void;
}

/** Facility › site › rack › PDU › outlet: every step up is a link. */
export function createPath(): PathView {
  const root = el('nav', { className: 'ops-path', testid: 'ops-path', attrs: { 'aria-label': 'Drill-down' } });
  let key = '';
  return {
    root,
    update(path) {
      const next = path.map((p) => p.id).join('|');
      if (next === key) return;
      key = next;
      const items: Node[] = [];
      path.forEach((p, i) => {
        if (i > 0) items.push(el('span', { className: 'crumb-sep', text: '›', attrs: { 'aria-hidden': 'true' } }));
        const last = i === path.length - 1;
        items.push(el('a', { text: p.name, attrs: { href: opsHash(p.id), ...(last ? { 'aria-current': 'page' } : {}) } }));
      });
      root.replaceChildren(...items);
    },
  };
}

export interface OutletDetailView {
  root: HTMLElement;
  update(detail: OutletDetail | null): void;
}

const SOURCE = { measured: 'measured', computed: 'from P / (V × pf)', mixed: 'mixed', none: '' } as const;

/** An outlet's electrical figures and its rig, shown on the outlet level only. */
export function createOutletDetail(): OutletDetailView {
  const fields = ['Rig', 'Model', 'Online', 'Voltage', 'Current', 'Power factor', 'Hashrate', 'Nameplate'] as const;
  const values = new Map(fields.map((f) => [f, el('dd', { text: UNKNOWN })]));
  const list = el('dl', { className: 'ops-outlet' }, fields.flatMap((f) => [el('dt', { text: f }), values.get(f)!]));
  const root = el('section', { className: 'panel ops-panel', testid: 'ops-outlet' }, [el('header', { className: 'panel-head' }, [el('h2', { text: 'Outlet' })]), list]);
  root.hidden = true;
  const set = (f: (typeof fields)[number], text: string) => setText(values.get(f)!, text);
  return {
    root,
    update(d) {
      root.hidden = d === null;
      if (!d) return;
      set('Rig', d.rig ?? UNKNOWN);
      set('Model', d.model ?? UNKNOWN);
      set('Online', d.online ? 'yes' : 'no');
      set('Voltage', d.voltage_v === null ? UNKNOWN : `${formatNumber(d.voltage_v, 1)} V`);
      set('Current', d.current_a === null ? UNKNOWN : `${formatNumber(d.current_a, 2)} A (${SOURCE[d.current_source]})`);
      set('Power factor', formatNumber(d.pf, 3));
      const rate = formatHashrate(d.hashrate_ths);
      set('Hashrate', `${rate.value} ${rate.unit}`);
      set('Nameplate', d.nameplate_jth === null ? UNKNOWN : `${formatJth(d.nameplate_jth)} J/TH`);
    },
  };
}
