import { el } from '../lib/dom.js';
import { formatNumber, UNKNOWN } from '../lib/format.js';
import type { ComparisonAnswer, SiteComparison } from './comparison-api.js';

/**
 * Under the table, per site: where the money went (energy by time-of-use period, the demand charge of each
 * month with its peak), and the curtailed hours with the energy they avoided.
 */

const money = (v: number, currency: string) => `${formatNumber(v, 2)} ${currency}`;
/** "2024-11-04T14:00:00-05:00" → "2024-11-04 14:00". */
const local = (iso: string | null) => (iso === null ? UNKNOWN : `${iso.slice(0, 10)} ${iso.slice(11, 16)}`);

function table(testid: string, head: readonly string[], rows: ReadonlyArray<readonly string[]>): HTMLTableElement {
  return el('table', { className: 'cmp-mini', testid }, [
    el('thead', {}, [el('tr', {}, head.map((h, i) => el('th', { text: h, className: i === 0 ? '' : 'num', attrs: { scope: 'col' } })))]),
    el('tbody', {}, rows.map((r) => el('tr', {}, r.map((c, i) => el('td', { text: c, className: i === 0 ? '' : 'num' }))))),
  ]);
}

function costBlock(s: SiteComparison): Node[] {
  if (!s.cost) return [el('p', { className: 'panel-note', text: 'no tariff in the fleet file: no cost' })];
  const c = s.cost;
  const periods = table(
    'cmp-tou',
    ['Period', 'kWh', 'Price / kWh', 'Cost'],
    [...c.periods.map((p) => [p.period, formatNumber(p.kwh, 1), formatNumber(p.price_per_kwh, 4), money(p.cost, c.currency)]), ['Energy', formatNumber(s.billed_kwh, 1), '', money(c.energy, c.currency)]],
  );
  const months = table(
    'cmp-months',
    ['Month', 'Peak kW', 'Peak at', 'Share', 'Demand charge'],
    c.months.map((m) => [m.month, formatNumber(m.peak_kw, 1), local(m.peak_local), `${formatNumber(m.share * 100, 1)} %`, money(m.charge, c.currency)]),
  );
  return [periods, months, el('p', { className: 'cmp-total-line', text: `Total ${money(c.total, c.currency)} · energy ${money(c.energy, c.currency)} + demand ${money(c.demand, c.currency)} (${formatNumber(c.demand_charge_per_kw, 2)} per kW of the month's peak)` })];
}

function curtailmentBlock(s: SiteComparison): Node {
  const c = s.curtailment;
  const rule = `below ${c.threshold_pct} % of the median hourly kW of the ${c.baseline_days} days before · ${c.judged_hours} h judged`;
  if (c.events.length === 0) return el('p', { className: 'panel-note', text: `no curtailed hours (${rule})` });
  return el('div', {}, [
    table(
      'cmp-curtailment',
      ['Curtailed from', 'Hours', 'kW', 'Usual kW', 'Avoided kWh'],
      c.events.map((e) => [local(e.local_start), formatNumber(e.hours, 0), formatNumber(e.kw, 1), formatNumber(e.usual_kw, 1), formatNumber(e.avoided_kwh, 1)]),
    ),
    el('p', { className: 'panel-note', text: rule }),
  ]);
}

export function renderDetails(host: HTMLElement, answer: ComparisonAnswer): void {
  host.replaceChildren(
    ...answer.sites.map((s) => {
      const card = el('section', { className: 'panel cmp-panel cmp-site-detail', testid: 'cmp-detail' }, [
        el('header', { className: 'panel-head' }, [el('h2', { text: s.name ? `${s.site} · ${s.name}` : s.site }), el('span', { className: 'panel-note', text: `${s.tz} · billed on the ${s.billed_source === 'meter' ? 'facility meter' : 'IT load'}` })]),
        el('div', { className: 'cmp-detail-grid' }, [el('div', {}, [el('h3', { text: 'Cost' }), ...costBlock(s)]), el('div', {}, [el('h3', { text: 'Curtailment' }), curtailmentBlock(s)])]),
      ]);
      card.dataset.site = s.site;
      return card;
    }),
  );
}
