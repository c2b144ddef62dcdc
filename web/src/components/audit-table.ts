import { el } from '../lib/dom.js';
import { formatNumber, UNKNOWN } from '../lib/format.js';

/**
 * Small pieces the auditors' panels share: a table built from rows of cells, and number formats for energies
 * and shares. Auditors compare figures digit by digit, so energies keep three decimals of kWh (whole Wh).
 */
export interface Cell {
  text: string;
  numeric?: boolean;
  title?: string;
}

export function table(headers: readonly (string | Cell)[], rows: readonly (readonly (string | Cell)[])[], testid?: string): HTMLTableElement {
  const head = el('tr', {}, headers.map((h) => cell('th', h)));
  const body = rows.map((r) => el('tr', {}, r.map((c) => cell('td', c))));
  return el('table', { className: 'audit-table', ...(testid !== undefined && { testid }) }, [el('thead', {}, [head]), el('tbody', {}, body)]);
}

function cell(tag: 'th' | 'td', c: string | Cell): HTMLTableCellElement {
  const spec = typeof c === 'string' ? { text: c } : c;
  const node = el(tag, { text: spec.text, ...(spec.numeric && { className: 'num' }) });
  if (spec.title !== undefined) node.title = spec.title;
  return node;
}

export function num(text: string): Cell {
  return { text, numeric: true };
}

/** kWh with three decimals (whole Wh). */
export function kwh(value: number | null | undefined): string {
  return formatNumber(value, 3);
}

/** MWh with three decimals. */
export function mwh(value: number | null | undefined): string {
  return formatNumber(value, 3);
}

export function pct(share: number | null | undefined, digits = 2): string {
  return share === null || share === undefined || !Number.isFinite(share) ? UNKNOWN : `${formatNumber(share * 100, digits)} %`;
}

/** A panel: heading, a note beside it, and a body. */
export function panel(title: string, note: string, testid: string, body: readonly Node[]): { root: HTMLElement; note: HTMLElement } {
  const noteNode = el('span', { className: 'panel-note', text: note });
  const root = el('section', { className: 'panel audit-panel', testid }, [el('header', { className: 'panel-head' }, [el('h2', { text: title }), noteNode]), ...body]);
  return { root, note: noteNode };
}

export function button(text: string, testid: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', { className: 'control audit-button', text, testid, attrs: { type: 'button' } });
  b.addEventListener('click', onClick);
  return b;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
