import { el, setData, setText } from '../lib/dom.js';
import { formatCount, formatJth, formatKw, formatKwh } from '../lib/format.js';
import type { OpsChild } from '../views/operations-contract.js';
import { barFraction, formatUtil, opsHash } from '../views/operations-model.js';

export interface ChildTable {
  root: HTMLElement;
  update(children: readonly OpsChild[]): void;
}

interface Row {
  root: HTMLTableRowElement;
  kw: HTMLElement;
  kwh: HTMLElement;
  jth: HTMLElement;
  rigs: HTMLElement;
  util: HTMLElement;
  fill: HTMLElement;
  alerts: HTMLElement;
}

const HEADINGS = ['Name', 'kW', 'kWh today', 'J/TH', 'Rigs online', 'Capacity use', 'Alerts'];

function cell(className: string, children: Node[] = []): HTMLTableCellElement {
  return el('td', { className }, children);
}

function row(c: OpsChild): Row {
  const link = el('a', { text: c.name, attrs: { href: opsHash(c.id) } });
  const name = cell('ops-name', [link]);
  if (c.detail) name.append(el('span', { className: 'ops-detail', text: c.detail }));
  const [kw, kwh, jth, rigs, util, alerts] = [0, 1, 2, 3, 4, 5].map(() => el('span'));
  const fill = el('span', { className: 'cap-fill' });
  const root = el('tr', { testid: 'child-row' }, [
    name,
    cell('num', [kw!]),
    cell('num', [kwh!]),
    cell('num', [jth!]),
    cell('num', [rigs!]),
    cell('ops-util', [el('span', { className: 'cap-track cap-track-mini' }, [fill]), util!]),
    cell('num', [alerts!]),
  ]);
  root.dataset.node = c.id;
  return { root, kw: kw!, kwh: kwh!, jth: jth!, rigs: rigs!, util: util!, fill, alerts: alerts! };
}

/**
 * The node's children (sites, racks, PDUs or outlets) with their figures; a name opens that child. Rows are
 * built when the set of children changes and only written after that: a site of 400 racks updates 400 rows
 * of text once a second, nothing more.
 */
export function createChildTable(): ChildTable {
  const body = el('tbody');
  const table = el('table', { className: 'ops-table' }, [el('thead', {}, [el('tr', {}, HEADINGS.map((h) => el('th', { text: h, attrs: { scope: 'col' } })))]), body]);
  const root = el('div', { className: 'ops-table-box' }, [table]);
  let rows = new Map<string, Row>();
  let ids = '';
  return {
    root,
    update(children) {
      const key = children.map((c) => c.id).join('|');
      if (key !== ids) {
        ids = key;
        rows = new Map(children.map((c) => [c.id, row(c)]));
        body.replaceChildren(...[...rows.values()].map((r) => r.root));
      }
      for (const c of children) {
        const r = rows.get(c.id)!;
        const f = c.figures;
        setText(r.kw, formatKw(f.power_w));
        setText(r.kwh, formatKwh(f.kwh_today));
        setText(r.jth, formatJth(f.j_per_th));
        setText(r.rigs, f.rigs_total > 0 ? `${formatCount(f.rigs_online)} / ${formatCount(f.rigs_total)}` : '—');
        setText(r.util, formatUtil(f.utilisation));
        r.fill.style.width = `${barFraction(f.utilisation) * 100}%`;
        setText(r.alerts, f.alerts > 0 ? formatCount(f.alerts) : '');
        setData(r.root, 'level', f.level);
        setData(r.root, 'online', c.online === null ? null : String(c.online));
        setData(r.root, 'alerts', f.alerts > 0 ? 'true' : null);
      }
    },
  };
}
