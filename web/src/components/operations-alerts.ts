import { el, setData, setText } from '../lib/dom.js';
import { formatAge } from '../lib/format.js';
import type { AlertRecord } from '../views/operations-contract.js';
import { opsHash } from '../views/operations-model.js';

export interface AlertList {
  root: HTMLElement;
  /** Active alerts in display order, the recently cleared ones, and the time to measure ages from. */
  update(active: readonly AlertRecord[], cleared: readonly AlertRecord[], now: number): void;
  /** A failed acknowledgement, shown under the list. */
  error(message: string | null): void;
  /** Whether this user's role may acknowledge (the server checks again: alerts.ack). */
  allowAck(allowed: boolean): void;
}

interface Item {
  root: HTMLLIElement;
  age: HTMLElement;
  state: HTMLElement;
  button: HTMLButtonElement;
}

const CLOCK = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

function item(a: AlertRecord, onAck: (id: number, button: HTMLButtonElement) => void): Item {
  const age = el('span', { className: 'alert-age' });
  const state = el('span', { className: 'alert-state' });
  const button = el('button', { className: 'alert-ack', text: 'Acknowledge', testid: 'alert-ack', attrs: { type: 'button' } });
  button.addEventListener('click', () => onAck(a.id, button));
  const root = el('li', { className: 'alert-item', testid: 'alert-row' }, [
    el('span', { className: 'alert-severity', text: a.severity }),
    el('div', { className: 'alert-body' }, [
      el('a', { className: 'alert-subject', text: a.subject, attrs: { href: opsHash(a.node) } }),
      el('p', { className: 'alert-message', text: a.message }),
      el('div', { className: 'alert-meta' }, [el('span', { text: `${a.rule.replaceAll('_', ' ')} · raised ${CLOCK.format(a.raised_at)}` }), age, state]),
    ]),
    button,
  ]);
  Object.assign(root.dataset, { alertId: String(a.id), rule: a.rule, key: a.key, severity: a.severity });
  return { root, age, state, button };
}

/**
 * The live alert list: active alerts first (unacknowledged, critical, newest), each with an Acknowledge
 * button once allowAck(true) says the role may, then the last few cleared. Items are created once per alert and moved, not
 * rebuilt; the list is bounded by the board that feeds it.
 */
export function createAlertList(onAck: (id: number) => Promise<void>): AlertList {
  let canAck = false;
  const list = el('ul', { className: 'alert-list', testid: 'alert-list' });
  const empty = el('p', { className: 'empty', text: 'No active alerts.', testid: 'alerts-empty' });
  const problem = el('p', { className: 'alert-error', attrs: { role: 'status' } });
  const root = el('div', { className: 'alerts' }, [empty, list, problem]);
  const items = new Map<number, Item>();
  const ack = (id: number, button: HTMLButtonElement): void => {
    button.disabled = true;
    onAck(id).catch(() => {
      button.disabled = false;
    });
  };
  return {
    root,
    update(active, cleared, now) {
      const shown = [...active, ...cleared];
      const keep = new Set(shown.map((a) => a.id));
      for (const [id, it] of items) if (!keep.has(id)) (it.root.remove(), items.delete(id));
      shown.forEach((a, i) => {
        let it = items.get(a.id);
        if (!it) items.set(a.id, (it = item(a, ack)));
        const state = a.cleared_at !== null ? 'cleared' : a.acked_at !== null ? 'acked' : 'active';
        setData(it.root, 'state', state);
        setText(it.age, a.cleared_at !== null ? `cleared ${CLOCK.format(a.cleared_at)}` : `for ${formatAge(now - a.since)}`);
        setText(it.state, a.acked_at !== null ? `acknowledged by ${a.acked_by ?? '?'}` : '');
        it.button.hidden = !canAck || state !== 'active';
        if (list.children[i] !== it.root) list.insertBefore(it.root, list.children[i] ?? null);
      });
      empty.hidden = active.length > 0;
    },
    error(message) {
      setText(problem, message ?? '');
    },
    allowAck(allowed) {
      canAck = allowed;
    },
  };
}
