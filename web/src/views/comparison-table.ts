import { el } from '../lib/dom.js';
import type { ComparisonAnswer, SiteComparison } from './comparison-api.js';
import { COLUMNS, DEFAULT_SORT, nextSort, sortSites, type Sort } from './comparison-model.js';

/**
 * The comparison table: one row per site, one sortable column per figure, the fleet's totals in the
 * footer. A few dozen sites at most, so a refresh rebuilds the body; the header stays.
 */
export interface ComparisonTable {
  readonly root: HTMLElement;
  update(answer: ComparisonAnswer): void;
  /** Called with the sort whenever a header is clicked (the bar chart follows it). */
  onSort(listener: (sort: Sort) => void): void;
  sort(): Sort;
}

function siteCell(s: SiteComparison): HTMLTableCellElement {
  const cell = el('th', { attrs: { scope: 'row' }, testid: 'cmp-site' }, [el('span', { className: 'cmp-site-id', text: s.site })]);
  const sub = [s.name, s.tz, s.cost?.currency ?? null].filter((x) => x !== null).join(' · ');
  cell.append(el('span', { className: 'cmp-site-sub', text: sub }));
  return cell;
}

function row(s: SiteComparison): HTMLTableRowElement {
  const cells = COLUMNS.slice(1).map((c) => {
    const td = el('td', { className: 'num', text: c.text(s), testid: `cmp-${c.key}` });
    if (c.key === 'cost' && s.cost) td.title = s.cost.periods.map((p) => `${p.period}: ${p.kwh} kWh × ${p.price_per_kwh}`).join('\n');
    if (c.key === 'peak_kw' && s.peak_local) td.title = `at ${s.peak_local}`;
    return td;
  });
  const tr = el('tr', { testid: 'cmp-row' }, [siteCell(s), ...cells]);
  tr.dataset.site = s.site;
  return tr;
}

export function createComparisonTable(): ComparisonTable {
  let sort = DEFAULT_SORT;
  let last: ComparisonAnswer | null = null;
  const listeners: Array<(sort: Sort) => void> = [];
  const headers = COLUMNS.map((c) => {
    const button = el('button', { className: 'sort', attrs: { type: 'button', title: c.title } }, [el('span', { text: c.label })]);
    if (c.unit !== '') button.append(el('span', { className: 'cmp-unit', text: c.unit }));
    button.addEventListener('click', () => {
      sort = nextSort(sort, c.key);
      render();
      for (const l of listeners) l(sort);
    });
    const th = el('th', { className: c.key === 'site' ? '' : 'num', attrs: { scope: 'col' } }, [button]);
    th.dataset.key = c.key;
    return th;
  });
  const body = el('tbody');
  const foot = el('tfoot');
  const table = el('table', { className: 'cmp-table', testid: 'cmp-table' }, [el('thead', {}, [el('tr', {}, headers)]), body, foot]);
  const root = el('div', { className: 'table-scroll cmp-scroll' }, [table]);

  function render(): void {
    headers.forEach((th, i) => {
      if (COLUMNS[i]!.key === sort.key) th.setAttribute('aria-sort', sort.descending ? 'descending' : 'ascending');
      else th.removeAttribute('aria-sort');
    });
    if (!last) return;
    body.replaceChildren(...sortSites(last.sites, sort).map(row));
    const totals = last.totals;
    foot.replaceChildren(
      el('tr', { testid: 'cmp-totals' }, COLUMNS.map((c, i) => el(i === 0 ? 'th' : 'td', { className: i === 0 ? '' : 'num', text: c.total ? c.total(totals) : '', testid: `cmp-total-${c.key}` }))),
    );
  }

  render();
  return {
    root,
    update(answer) {
      last = answer;
      render();
    },
    onSort: (listener) => listeners.push(listener),
    sort: () => sort,
  };
}
