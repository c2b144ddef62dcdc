/**
 * Tiny DOM helpers. Views build their elements once and then only change text and attributes;
 * `setText`/`setData` skip writes that would not change anything, so an unchanged figure costs no
 * style recalculation when a frame arrives.
 */

export interface ElementSpec {
  className?: string;
  text?: string;
  testid?: string;
  attrs?: Record<string, string>;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  spec: ElementSpec = {},
  children: readonly Node[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (spec.className !== undefined) node.className = spec.className;
  if (spec.text !== undefined) node.textContent = spec.text;
  if (spec.testid !== undefined) node.dataset.testid = spec.testid;
  for (const [name, value] of Object.entries(spec.attrs ?? {})) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

export function setText(node: Element, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

/** Sets (or with null removes) a data-* attribute, skipping no-op writes. */
export function setData(node: HTMLElement, key: string, value: string | null): void {
  if (value === null) {
    if (key in node.dataset) delete node.dataset[key];
  } else if (node.dataset[key] !== value) {
    node.dataset[key] = value;
  }
}

/** A labelled figure: label, big value, unit, and an optional sub-line. */
export interface Figure {
  root: HTMLElement;
  value: HTMLElement;
  unit: HTMLElement;
  sub: HTMLElement;
}

export function figure(label: string, unit: string, testid: string, className = 'figure'): Figure {
  const value = el('span', { className: 'figure-value', text: '—', testid });
  const unitNode = el('span', { className: 'figure-unit', text: unit });
  const sub = el('div', { className: 'figure-sub' });
  const root = el('div', { className }, [
    el('div', { className: 'figure-label', text: label }),
    el('div', { className: 'figure-reading' }, [value, unitNode]),
    sub,
  ]);
  return { root, value, unit: unitNode, sub };
}
