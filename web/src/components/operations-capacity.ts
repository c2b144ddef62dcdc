import { el, setData, setText } from '../lib/dom.js';
import type { CapacityCheck } from '../views/operations-contract.js';
import { barFraction, BAR_SCALE, formatCheck, formatUtil } from '../views/operations-model.js';

export interface CapacityBars {
  root: HTMLElement;
  update(checks: readonly CapacityCheck[]): void;
}

interface Row {
  root: HTMLElement;
  fill: HTMLElement;
  value: HTMLElement;
  pct: HTMLElement;
  source: HTMLElement;
}

const SOURCE: Record<CapacityCheck['source'], string> = { measured: 'measured', computed: 'P / V', mixed: 'mixed', none: '' };

/** The 80 % and 100 % marks, placed on a bar that spans 0–125 % of the limit. */
function marks(): HTMLElement[] {
  return [0.8, 1].map((u) => {
    const mark = el('span', { className: u === 1 ? 'cap-mark cap-mark-limit' : 'cap-mark', attrs: { 'aria-hidden': 'true' } });
    mark.style.left = `${(u / BAR_SCALE) * 100}%`;
    return mark;
  });
}

function row(c: CapacityCheck): Row {
  const fill = el('span', { className: 'cap-fill' });
  const value = el('span', { className: 'cap-value' });
  const pct = el('span', { className: 'cap-pct' });
  const source = el('span', { className: 'cap-source' });
  const root = el('li', { className: 'cap-row', testid: 'capacity-row' }, [
    el('span', { className: 'cap-label', text: c.label }),
    el('span', { className: 'cap-track', attrs: { role: 'presentation' } }, [fill, ...marks()]),
    pct,
    value,
    source,
  ]);
  root.dataset.check = c.id;
  root.dataset.kind = c.kind;
  return { root, fill, value, pct, source };
}

/**
 * One bar per capacity check: the load against the continuous limit, amber from 80 % of it, red above it.
 * Rows are built when the set of checks changes (another node) and only written after that.
 */
export function createCapacityBars(): CapacityBars {
  const list = el('ul', { className: 'cap-list' });
  const empty = el('p', { className: 'empty', text: 'No ratings here: add rating_a and breakers to the fleet file, or capacity_kw to the site.' });
  const root = el('div', { className: 'cap-bars' }, [list, empty]);
  let rows = new Map<string, Row>();
  let ids = '';
  return {
    root,
    update(checks) {
      const key = checks.map((c) => c.id).join('|');
      if (key !== ids) {
        ids = key;
        rows = new Map(checks.map((c) => [c.id, row(c)]));
        list.replaceChildren(...[...rows.values()].map((r) => r.root));
      }
      empty.hidden = checks.length > 0;
      for (const c of checks) {
        const r = rows.get(c.id)!;
        r.fill.style.width = `${barFraction(c.utilisation) * 100}%`;
        setText(r.value, formatCheck(c));
        setText(r.pct, formatUtil(c.utilisation));
        setText(r.source, SOURCE[c.source]);
        setData(r.root, 'level', c.level);
      }
    },
  };
}
