import { el, setData, setText } from '../lib/dom.js';
import { formatCount, formatJth, formatNumber, formatPue, UNKNOWN } from '../lib/format.js';
import type { EfficiencyAnswer, PduHour } from '../live/efficiency.js';

/**
 * The site's last hour above the rig table, from the same efficiency answer: IT energy and J/TH, the
 * overhead ratio (facility meter kWh / Σ PDU kWh), and one small tile per PDU. Tiles are keyed by
 * PDU and only their text changes on a refresh.
 */

export interface EfficiencySummary {
  readonly root: HTMLElement;
  update(answer: EfficiencyAnswer): void;
  /** Shown in the status line: "loading", or why the last refresh failed (the figures stay). */
  status(text: string, alert: boolean): void;
  destroy(): void;
}

/** An hour of one PDU is tens of kWh, of a fresh server a fraction of one: keep 3 significant-ish digits. */
function formatEnergy(kwh: number | null): string {
  if (kwh === null) return UNKNOWN;
  return formatNumber(kwh, Math.abs(kwh) < 10 ? 2 : 1);
}

const clock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });

interface Item {
  root: HTMLElement;
  value: HTMLElement;
  sub: HTMLElement;
}

function item(label: string, unit: string, testid: string): Item {
  const value = el('span', { className: 'stat-value', text: UNKNOWN, testid });
  const sub = el('div', { className: 'figure-sub' });
  const root = el('div', { className: 'hour-item' }, [
    el('div', { className: 'figure-label', text: label }),
    el('div', { className: 'figure-reading' }, [value, el('span', { className: 'stat-unit', text: unit })]),
    sub,
  ]);
  return { root, value, sub };
}

interface Tile {
  root: HTMLElement;
  kwh: HTMLElement;
  jth: HTMLElement;
}

function createTile(pdu: string): Tile {
  const kwh = el('span', { className: 'pdu-kwh', testid: 'pdu-kwh' });
  const jth = el('span', { className: 'pdu-jth', testid: 'pdu-jth' });
  const root = el('li', { className: 'pdu-tile', testid: 'pdu-tile' }, [
    el('span', { className: 'pdu-name', text: pdu }),
    el('span', { className: 'pdu-figures' }, [kwh, el('span', { className: 'stat-unit', text: ' kWh · ' }), jth, el('span', { className: 'stat-unit', text: ' J/TH' })]),
  ]);
  root.dataset.pdu = pdu;
  return { root, kwh, jth };
}

function writeTile(tile: Tile, pdu: PduHour): void {
  setText(tile.kwh, formatEnergy(pdu.kwh));
  setText(tile.jth, formatJth(pdu.jth));
  tile.root.title = `${pdu.pdu}: ${formatCount(pdu.rigs)} rigs, ${formatNumber(pdu.th, 0)} TH of hash-work`;
}

/** One tile per PDU in the answer, in its order: new ones built, gone ones dropped, the rest rewritten. */
function syncTiles(grid: HTMLElement, tiles: Map<string, Tile>, pdus: readonly PduHour[]): void {
  const seen = new Set<string>();
  for (const pdu of pdus) {
    seen.add(pdu.pdu);
    let tile = tiles.get(pdu.pdu);
    if (!tile) {
      tile = createTile(pdu.pdu);
      tiles.set(pdu.pdu, tile);
    }
    writeTile(tile, pdu);
  }
  for (const [id, tile] of tiles) {
    if (seen.has(id)) continue;
    tile.root.remove();
    tiles.delete(id);
  }
  // The server lists PDUs sorted; appending in that order keeps the grid in step with it.
  const wanted = pdus.map((p) => (tiles.get(p.pdu) as Tile).root);
  if (wanted.some((node, i) => grid.children[i] !== node)) grid.replaceChildren(...wanted);
}

export function createEfficiencySummary(): EfficiencySummary {
  const energy = item('IT energy', 'kWh', 'site-hour-kwh');
  const jth = item('Efficiency', 'J/TH', 'site-hour-jth');
  const overhead = item('Overhead', '', 'site-overhead');
  const note = el('span', { className: 'panel-note', testid: 'efficiency-status', text: 'loading…' });
  const tiles = new Map<string, Tile>();
  const grid = el('ul', { className: 'pdu-grid', attrs: { 'aria-label': 'PDUs, last hour' } });
  const root = el('section', { className: 'panel hour-panel', attrs: { 'aria-label': 'Last hour' } }, [
    el('header', { className: 'panel-head' }, [el('h2', { text: 'Last hour' }), note]),
    el('div', { className: 'hour-figures' }, [energy.root, jth.root, overhead.root]),
    grid,
  ]);

  const status = (text: string, alert: boolean): void => {
    setText(note, text);
    setData(note, 'alert', alert ? 'warn' : null);
  };

  return {
    root,
    update(answer) {
      const { total, overhead: o } = answer;
      setText(energy.value, formatEnergy(total.kwh));
      setText(energy.sub, 'Σ PDU outlets');
      setText(jth.value, formatJth(total.jth));
      setText(jth.sub, total.jth_facility === null ? 'IT load only' : `${formatJth(total.jth_facility)} at the meter`);
      setText(overhead.value, formatPue(o.ratio));
      setText(overhead.sub, o.meter_kwh === null ? 'no facility meter' : `meter ${formatEnergy(o.meter_kwh)} kWh / IT ${formatEnergy(o.it_kwh)} kWh`);
      syncTiles(grid, tiles, answer.pdus);
      const covered = formatNumber(total.energy_completeness * 100, 1);
      status(`${clock.format(answer.from)}–${clock.format(answer.to)} · readings cover ${covered} % of it`, false);
    },
    status,
    destroy() {
      tiles.clear();
      root.remove();
    },
  };
}
