import { el, setData, setText } from '../lib/dom.js';
import { formatKw } from '../lib/format.js';
import type { HeatCell } from '../views/operations-contract.js';
import { formatUtil, heatHue, opsHash } from '../views/operations-model.js';

export interface HeatMap {
  root: HTMLElement;
  update(cells: readonly HeatCell[], current: string | null): void;
}

interface Tile {
  root: HTMLAnchorElement;
  pct: HTMLElement;
}

/**
 * The rack heat map: one tile per rack, coloured by its worst capacity use (green → amber at 80 % of the
 * continuous limit → red at it), grey when nothing is rated or reporting. A tile opens its rack.
 */
export function createHeatMap(): HeatMap {
  const grid = el('div', { className: 'heat-grid', attrs: { role: 'list' } });
  let tiles = new Map<string, Tile>();
  let ids = '';
  return {
    root: grid,
    update(cells, current) {
      const key = cells.map((c) => c.id).join('|');
      const sites = new Set(cells.map((c) => c.site)).size;
      if (key !== ids) {
        ids = key;
        tiles = new Map(cells.map((c) => [c.id, tile(c)]));
        // At the facility, racks of several sites: a heading before each site's tiles (rack ids repeat).
        const nodes: HTMLElement[] = [];
        cells.forEach((c, i) => {
          if (sites > 1 && cells[i - 1]?.site !== c.site) nodes.push(el('span', { className: 'heat-site', text: c.site }));
          nodes.push(tiles.get(c.id)!.root);
        });
        grid.replaceChildren(...nodes);
      }
      for (const c of cells) {
        const t = tiles.get(c.id)!;
        const known = c.utilisation !== null && c.level !== 'unknown';
        t.root.style.backgroundColor = known ? `hsl(${heatHue(c.utilisation!)} 65% 32%)` : '';
        setText(t.pct, formatUtil(c.utilisation));
        setData(t.root, 'level', c.level);
        setData(t.root, 'alerts', c.alerts > 0 ? String(c.alerts) : null);
        const name = sites > 1 ? `${c.site} › ${c.name}` : c.name;
        t.root.title = `${name}: ${formatUtil(c.utilisation)} of the continuous limit, ${formatKw(c.power_w)} kW${c.alerts > 0 ? `, ${c.alerts} alert${c.alerts === 1 ? '' : 's'}` : ''}`;
        if (c.id === current) t.root.setAttribute('aria-current', 'true');
        else t.root.removeAttribute('aria-current');
      }
    },
  };
}

function tile(c: HeatCell): Tile {
  const pct = el('span', { className: 'heat-pct' });
  const root = el('a', { className: 'heat-tile', testid: 'heat-tile', attrs: { href: opsHash(c.id), role: 'listitem' } }, [el('span', { className: 'heat-name', text: c.name }), pct]);
  root.dataset.node = c.id;
  return { root, pct };
}
