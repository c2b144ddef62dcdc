import { el, setData, setText } from '../lib/dom.js';
import { formatAge, formatCount, formatJth, formatNumber, UNKNOWN } from '../lib/format.js';
import { frameTask } from '../lib/raf.js';
import {
  DEFAULT_SORT,
  DRIFT_BAD,
  DRIFT_WARN,
  driftCell,
  MIN_JUDGED_COVERAGE,
  nextSort,
  visibleRows,
  type RigRow,
  type Sort,
  type SortKey,
} from '../lib/rigs.js';

/**
 * The site's rig table, a page of PAGE_SIZE rows at a time: sorting and the filter apply to every rig,
 * and only the page shown is in the document. A site of 2,500 rigs as one table is 25,000 cells to
 * restyle on every refresh (about 200 ms of main thread a second, measured by `npm run bench`); a page
 * is a hundred rows. A shown rig's <tr> is built once; a refresh rewrites only the cells whose text
 * changed (setText skips equal writes), and the rows are moved only when the page's order differs.
 */

/** Rows on one page. */
export const PAGE_SIZE = 100;

export interface RigTable {
  readonly root: HTMLElement;
  /** New data for every rig (the rows not in `rows` are dropped); `now` dates "last reading" ages. */
  update(rows: readonly RigRow[], now: number): void;
  destroy(): void;
}

interface Column {
  key: SortKey;
  label: string;
  /** Right-aligned tabular figures. */
  numeric: boolean;
  testid: string;
  write(cell: HTMLTableCellElement, row: RigRow, now: number): void;
}

function setTitle(node: HTMLElement, title: string | null): void {
  if (title === null) {
    if (node.hasAttribute('title')) node.removeAttribute('title');
  } else if (node.title !== title) {
    node.title = title;
  }
}

/** Why a rig counts as offline: a miner still reporting 0 TH/s is off, one gone quiet is silent. */
function offlineTitle(row: RigRow, now: number): string | null {
  if (row.online) return null;
  if (row.hashrate_ths === 0) return 'reports 0 TH/s: off or curtailed';
  if (row.last_ts === null) return 'not reporting: known only from the last hour';
  return `last reading ${formatAge(now - row.last_ts)} ago`;
}

/** Minutes of the hour a drift needs before it is coloured. */
const JUDGE_MIN = Math.round(MIN_JUDGED_COVERAGE * 60);

/**
 * The tooltip of the hour's J/TH and drift: the nameplate it is judged against and how much of the
 * hour the figure rests on ("nameplate 29.5 J/TH · readings over 12.0 % of the hour"), or the
 * server's reason when there is no figure.
 */
function hourTitle(row: RigRow): string | null {
  if (row.jth_hour === null) return row.note;
  const parts = [
    row.nameplate_jth === null ? row.note : `nameplate ${formatJth(row.nameplate_jth)} J/TH`,
    row.coverage === null ? null : `readings over ${formatNumber(row.coverage * 100, 1)} % of the hour`,
  ];
  const text = parts.filter((p) => p !== null).join(' · ');
  return text === '' ? null : text;
}

const COLUMNS: readonly Column[] = [
  { key: 'rig', label: 'Rig', numeric: false, testid: 'rig-id', write: (c, r) => setText(c, r.rig) },
  {
    key: 'pdu',
    label: 'PDU / outlet',
    numeric: false,
    testid: 'rig-pdu',
    write: (c, r) => setText(c, r.pdu === null ? UNKNOWN : r.outlet === null ? r.pdu : `${r.pdu} / ${r.outlet}`),
  },
  { key: 'model', label: 'Model', numeric: false, testid: 'rig-model', write: (c, r) => setText(c, r.model ?? UNKNOWN) },
  {
    key: 'kw',
    label: 'kW',
    numeric: true,
    testid: 'rig-kw',
    // Two decimals: a rig draws a few kW, and a tenth of one hides a 3 % change.
    write: (c, r) => setText(c, formatNumber(r.power_w === null ? null : r.power_w / 1000, 2)),
  },
  { key: 'ths', label: 'TH/s', numeric: true, testid: 'rig-ths', write: (c, r) => setText(c, formatNumber(r.hashrate_ths, 1)) },
  { key: 'jthNow', label: 'J/TH now', numeric: true, testid: 'rig-jth-now', write: (c, r) => setText(c, formatJth(r.jth_now)) },
  {
    key: 'jthHour',
    label: 'J/TH 1 h',
    numeric: true,
    testid: 'rig-jth-hour',
    write: (c, r) => {
      setText(c, formatJth(r.jth_hour));
      setTitle(c, hourTitle(r));
    },
  },
  {
    key: 'drift',
    label: 'Drift',
    numeric: true,
    testid: 'rig-drift',
    write: (c, r) => {
      const drift = driftCell(r);
      setText(c, drift.text);
      setData(c, 'level', drift.level);
      setData(c, 'provisional', drift.provisional ? 'true' : null);
      const title = r.drift === null ? r.note : hourTitle(r);
      setTitle(c, drift.provisional ? `${title ?? ''} — under ${JUDGE_MIN} min of readings: too early to judge` : title);
    },
  },
  { key: 'temp', label: 'Temp °C', numeric: true, testid: 'rig-temp', write: (c, r) => setText(c, formatNumber(r.temp_c, 0)) },
  {
    key: 'online',
    label: 'Status',
    numeric: false,
    testid: 'rig-online',
    write: (c, r, now) => {
      setText(c, r.online ? 'online' : 'offline');
      setTitle(c, offlineTitle(r, now));
    },
  },
];

const HEADER_TITLES: Partial<Record<SortKey, string>> = {
  jthNow: 'W per TH/s from the latest readings',
  jthHour: 'Energy over hash-work for the last hour (∫P dt / ∫H dt)',
  drift: `J/TH over the last hour against the model's nameplate; amber beyond ±${DRIFT_WARN} %, red beyond ±${DRIFT_BAD} % (grey: under ${JUDGE_MIN} min of readings)`,
};

interface RowView {
  tr: HTMLTableRowElement;
  cells: HTMLTableCellElement[];
}

function createRow(row: RigRow): RowView {
  const cells = COLUMNS.map((col) =>
    el('td', { testid: col.testid, ...(col.numeric ? { className: 'num' } : {}) }),
  );
  const tr = el('tr', { testid: 'rig-row' }, cells);
  tr.dataset.rig = row.rig;
  return { tr, cells };
}

function writeRow(view: RowView, row: RigRow, now: number): void {
  COLUMNS.forEach((col, i) => col.write(view.cells[i] as HTMLTableCellElement, row, now));
  setData(view.tr, 'online', row.online ? 'true' : 'false');
}

interface Header {
  row: HTMLTableRowElement;
  show(sort: Sort): void;
}

/** Sortable headers: a button per column, `aria-sort` on the sorted one. */
function createHeader(onSort: (key: SortKey) => void): Header {
  const ths = COLUMNS.map((col) => {
    const button = el('button', { className: 'sort', text: col.label, attrs: { type: 'button' } });
    button.addEventListener('click', () => onSort(col.key));
    const title = HEADER_TITLES[col.key];
    const th = el('th', { attrs: { scope: 'col', ...(title ? { title } : {}) } }, [button]);
    if (col.numeric) th.className = 'num';
    th.dataset.key = col.key;
    return th;
  });
  return {
    row: el('tr', {}, ths),
    show(sort) {
      for (const th of ths) {
        if (th.dataset.key === sort.key) th.setAttribute('aria-sort', sort.dir === 'asc' ? 'ascending' : 'descending');
        else th.removeAttribute('aria-sort');
      }
    },
  };
}

function sameOrder(current: HTMLCollection, wanted: readonly HTMLTableRowElement[]): boolean {
  if (current.length !== wanted.length) return false;
  return wanted.every((tr, i) => current[i] === tr);
}

interface Toolbar {
  root: HTMLElement;
  filter: HTMLInputElement;
  count: HTMLElement;
}

function createToolbar(): Toolbar {
  const filter = el('input', {
    className: 'rig-filter',
    testid: 'rig-filter',
    attrs: { type: 'search', placeholder: 'Filter by rig, model or PDU', 'aria-label': 'Filter rigs', autocomplete: 'off' },
  });
  const count = el('span', { className: 'panel-note', testid: 'rig-count', text: '' });
  return { root: el('div', { className: 'rig-toolbar' }, [filter, count]), filter, count };
}

interface Pager {
  root: HTMLElement;
  /** Shows page `page` (0-based) of `pages`, and which rows it holds. */
  show(page: number, pages: number, first: number, last: number, total: number): void;
}

/** ‹ Previous · rows 101–200 of 2,500 · Next › — hidden while everything fits on one page. */
function createPager(onPage: (delta: number) => void): Pager {
  const prev = el('button', { className: 'control', testid: 'rig-page-prev', text: '‹ Previous', attrs: { type: 'button' } });
  const next = el('button', { className: 'control', testid: 'rig-page-next', text: 'Next ›', attrs: { type: 'button' } });
  const where = el('span', { className: 'panel-note', testid: 'rig-page', text: '' });
  prev.addEventListener('click', () => onPage(-1));
  next.addEventListener('click', () => onPage(1));
  const root = el('nav', { className: 'rig-pager', attrs: { 'aria-label': 'Rig table pages' } }, [prev, where, next]);
  return {
    root,
    show(page, pages, first, last, total) {
      root.hidden = pages <= 1;
      prev.disabled = page === 0;
      next.disabled = page >= pages - 1;
      setText(where, `rows ${formatCount(first)}–${formatCount(last)} of ${formatCount(total)}`);
    },
  };
}

/** "500 rigs · 3 offline", or "12 of 500 rigs" while a filter hides some. */
function countText(shown: number, rows: readonly RigRow[]): string {
  const offline = rows.filter((r) => !r.online).length;
  const total = `${formatCount(rows.length)} ${rows.length === 1 ? 'rig' : 'rigs'}`;
  const prefix = shown === rows.length ? total : `${formatCount(shown)} of ${total}`;
  return `${prefix} · ${formatCount(offline)} offline`;
}

/** The rows of the page: built for rigs new to it, every cell written; rigs that left the page are let go. */
function syncRows(views: Map<string, RowView>, rows: readonly RigRow[], now: number): HTMLTableRowElement[] {
  const seen = new Set<string>();
  const trs = rows.map((row) => {
    seen.add(row.rig);
    let view = views.get(row.rig);
    if (!view) {
      view = createRow(row);
      views.set(row.rig, view);
    }
    writeRow(view, row, now);
    return view.tr;
  });
  for (const [rig, view] of views) {
    if (seen.has(rig)) continue;
    view.tr.remove();
    views.delete(rig);
  }
  return trs;
}

/** What the box under the table says when it shows no row; null when rows are shown. */
function emptyText(loaded: boolean, total: number, shown: number, query: string): string | null {
  if (!loaded) return 'Waiting for the rig list…';
  if (total === 0) return 'No rigs reported for this site.';
  return shown === 0 ? `No rig matches “${query.trim()}”.` : null;
}

export function createRigTable(): RigTable {
  const views = new Map<string, RowView>();
  let rows: readonly RigRow[] = [];
  let loaded = false;
  let now = 0;
  let sort = DEFAULT_SORT;
  let page = 0;
  const toolbar = createToolbar();
  const tbody = el('tbody');
  const empty = el('p', { className: 'empty', text: 'Waiting for the rig list…' });
  const scroll = el('div', { className: 'table-scroll' });
  const header = createHeader((key) => {
    sort = nextSort(sort, key);
    header.show(sort);
    page = 0;
    arrange.request();
  });
  header.show(sort);
  const pager = createPager((delta) => {
    page += delta;
    scroll.scrollTop = 0;
    arrange.request();
  });
  const table = el('table', { className: 'rig-table', testid: 'rig-table' }, [el('thead', {}, [header.row]), tbody]);
  scroll.append(table);
  const root = el('div', { className: 'rig-table-box' }, [toolbar.root, scroll, pager.root, empty]);

  /** Puts the page of the rows that pass the filter into the body in sort order, moving nodes only when needed. */
  const arrange = frameTask(() => {
    const query = toolbar.filter.value;
    const matching = visibleRows(rows, sort, query);
    const pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
    page = Math.min(Math.max(0, page), pages - 1);
    const shown = matching.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
    const wanted = syncRows(views, shown, now);
    if (!sameOrder(tbody.children, wanted)) tbody.replaceChildren(...wanted);
    pager.show(page, pages, page * PAGE_SIZE + 1, page * PAGE_SIZE + shown.length, matching.length);
    setText(toolbar.count, loaded ? countText(matching.length, rows) : '');
    const message = emptyText(loaded, rows.length, matching.length, query);
    setText(empty, message ?? '');
    empty.hidden = message === null;
  });
  toolbar.filter.addEventListener('input', () => {
    page = 0;
    arrange.request();
  });

  return {
    root,
    update(next, at) {
      loaded = true;
      rows = next;
      now = at;
      arrange.request();
    },
    destroy() {
      arrange.cancel();
      views.clear();
      root.remove();
    },
  };
}
