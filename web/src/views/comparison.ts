import './comparison.css';
import { el, setData, setText } from '../lib/dom.js';
import { formatNumber } from '../lib/format.js';
import { poll } from '../lib/poll.js';
import { ComparisonError, fetchComparison, fetchDaily, type ComparisonAnswer, type DailyAnswer } from './comparison-api.js';
import { mountBarChart, mountTrendChart, siteColour, type BarChart, type TrendChart } from './comparison-charts.js';
import { renderDetails } from './comparison-details.js';
import { BAR_METRICS, PERIOD_CHOICES, periodQuery, sortSites, TREND_METRICS, type PeriodChoice } from './comparison-model.js';
import { createComparisonTable, type ComparisonTable } from './comparison-table.js';

/**
 * The energy managers' page: which site does best over a period, and what it costs. One table (sortable,
 * fleet totals), a bar chart of the sorted column, a daily trend, and per site the cost by time-of-use
 * period, the demand charge by month and the curtailed hours. Figures come from GET /api/comparison and
 * /api/comparison/daily, both also offered as CSV. A running period is refreshed every 5 minutes.
 */
const REFRESH_MS = 5 * 60_000;
const DEFAULT_CHOICE: PeriodChoice = { period: 'this-month' };

interface Layout {
  root: HTMLElement;
  periods: Map<string, HTMLButtonElement>;
  from: HTMLInputElement;
  to: HTMLInputElement;
  apply: HTMLButtonElement;
  status: HTMLElement;
  csvTable: HTMLAnchorElement;
  csvDaily: HTMLAnchorElement;
  table: ComparisonTable;
  barMetric: HTMLSelectElement;
  trendMetric: HTMLSelectElement;
  barCanvas: HTMLCanvasElement;
  trendCanvas: HTMLCanvasElement;
  details: HTMLElement;
}

function select(testid: string, options: ReadonlyArray<{ value: string; label: string }>, selected: string): HTMLSelectElement {
  const s = el('select', { className: 'control cmp-select', testid }, options.map((o) => el('option', { text: o.label, attrs: { value: o.value } })));
  s.value = selected;
  return s;
}

function panel(title: string, note: HTMLElement | string, body: readonly Node[], className = ''): HTMLElement {
  const noteNode = typeof note === 'string' ? el('span', { className: 'panel-note', text: note }) : note;
  return el('section', { className: `panel cmp-panel ${className}`.trim() }, [el('header', { className: 'panel-head' }, [el('h2', { text: title }), noteNode]), ...body]);
}

function layout(): Layout {
  const periods = new Map(PERIOD_CHOICES.map((c) => [c.period, el('button', { className: 'control cmp-period', text: c.label, testid: `cmp-period-${c.period}`, attrs: { type: 'button', 'aria-pressed': 'false' } })]));
  const from = el('input', { className: 'control cmp-date', testid: 'cmp-from', attrs: { type: 'date', 'aria-label': 'First day' } });
  const to = el('input', { className: 'control cmp-date', testid: 'cmp-to', attrs: { type: 'date', 'aria-label': 'Last day' } });
  const apply = el('button', { className: 'control cmp-apply', text: 'Compare', testid: 'cmp-apply', attrs: { type: 'button' } });
  const status = el('span', { className: 'panel-note', testid: 'cmp-status', text: 'loading…' });
  const csvTable = el('a', { className: 'cmp-csv', text: 'Table CSV', testid: 'cmp-csv', attrs: { download: '' } });
  const csvDaily = el('a', { className: 'cmp-csv', text: 'Daily CSV', testid: 'cmp-csv-daily', attrs: { download: '' } });
  const table = createComparisonTable();
  const barMetric = select('cmp-bar-metric', BAR_METRICS.map((c) => ({ value: c.key, label: `${c.label}${c.unit ? ` (${c.unit})` : ''}` })), table.sort().key);
  const trendMetric = select('cmp-trend-metric', TREND_METRICS.map((m) => ({ value: m.key, label: m.label })), 'billed_kwh');
  const barCanvas = el('canvas', { testid: 'cmp-bar-chart', attrs: { role: 'img', 'aria-label': 'Sites compared, bar chart' } });
  const trendCanvas = el('canvas', { testid: 'cmp-trend-chart', attrs: { role: 'img', 'aria-label': 'Daily trend per site' } });
  const details = el('div', { className: 'cmp-details', testid: 'cmp-details' });
  const controls = el('div', { className: 'cmp-controls' }, [
    el('div', { className: 'cmp-periods', attrs: { role: 'group', 'aria-label': 'Period' } }, [...periods.values()]),
    el('div', { className: 'cmp-custom' }, [from, el('span', { className: 'panel-note', text: 'to' }), to, apply]),
    el('div', { className: 'cmp-downloads' }, [csvTable, csvDaily]),
  ]);
  const root = el('div', { className: 'cmp-view', testid: 'comparison-view' }, [
    el('h1', { className: 'view-title', text: 'Site comparison' }),
    panel('Period', status, [controls]),
    panel('Sites', 'each site in its own time zone · click a heading to sort', [table.root]),
    el('div', { className: 'cmp-charts' }, [
      panel('By site', barMetric, [el('div', { className: 'chart-box cmp-chart-box' }, [barCanvas])]),
      panel('Daily trend', trendMetric, [el('div', { className: 'chart-box cmp-chart-box' }, [trendCanvas])]),
    ]),
    details,
  ]);
  return { root, periods, from, to, apply, status, csvTable, csvDaily, table, barMetric, trendMetric, barCanvas, trendCanvas, details };
}

/** The status line: what the figures cover, or why there are none. */
function describe(answer: ComparisonAnswer): string {
  const first = answer.sites[0];
  if (!first) return 'no sites yet: the fleet file lists none and nothing has reported';
  const running = answer.sites.some((s) => s.to < s.period_end);
  const span = `${first.local_from.slice(0, 16).replace('T', ' ')} → ${first.local_to.slice(0, 16).replace('T', ' ')} (${first.site}'s time)`;
  return `${span}${running ? ' · running, refreshed every 5 min' : ''} · ${formatNumber(answer.totals.billed_kwh, 1)} kWh billed`;
}

/** The period buttons and the custom dates: each choice is handed to `choose`. */
function wirePeriods(view: Layout, choose: (choice: PeriodChoice) => void): void {
  for (const [period, button] of view.periods) {
    button.addEventListener('click', () => {
      if (period === 'custom') view.from.focus();
      else choose({ period: period as PeriodChoice['period'] });
    });
  }
  view.apply.addEventListener('click', () => {
    if (view.from.value === '' || view.to.value === '') {
      setText(view.status, 'choose the first and the last day');
      setData(view.status, 'alert', 'warn');
      return;
    }
    choose({ period: 'custom', from: view.from.value, to: view.to.value });
  });
}

/** A refusal in words: 403 is a role without comparison.read, the rest say what the server said. */
function reason(error: unknown): string {
  if (error instanceof ComparisonError && error.status === 403) return 'your role may not compare sites (needs comparison.read)';
  return error instanceof Error ? error.message : String(error);
}

export function mountComparison(host: HTMLElement): () => void {
  const view = layout();
  host.append(view.root);
  const bar: BarChart = mountBarChart(view.barCanvas);
  const trend: TrendChart = mountTrendChart(view.trendCanvas);
  let choice: PeriodChoice = DEFAULT_CHOICE;
  let table: ComparisonAnswer | null = null;
  let daily: DailyAnswer | null = null;
  let inFlight: AbortController | null = null;
  const colourOf = (site: string): string => siteColour(Math.max(0, table?.sites.findIndex((s) => s.site === site) ?? 0));

  const drawBar = () => {
    const metric = BAR_METRICS.find((c) => c.key === view.barMetric.value) ?? BAR_METRICS[0]!;
    if (table) bar.update(sortSites(table.sites, view.table.sort()), metric, colourOf);
  };
  const drawTrend = () => {
    const metric = TREND_METRICS.find((m) => m.key === view.trendMetric.value) ?? TREND_METRICS[0]!;
    if (daily) trend.update(daily.sites, metric, colourOf);
  };

  const showChoice = () => {
    for (const [period, button] of view.periods) button.setAttribute('aria-pressed', String(period === choice.period));
    const q = periodQuery(choice);
    view.csvTable.href = `/api/comparison.csv?${q}`;
    view.csvDaily.href = `/api/comparison/daily.csv?${q}`;
  };

  const load = async (): Promise<void> => {
    inFlight?.abort();
    const aborter = new AbortController();
    inFlight = aborter;
    const q = periodQuery(choice);
    setData(view.root, 'loading', 'true');
    try {
      const [t, d] = await Promise.all([fetchComparison(q, aborter.signal), fetchDaily(q, aborter.signal)]);
      if (aborter.signal.aborted) return;
      table = t;
      daily = d;
      view.table.update(t);
      drawBar();
      drawTrend();
      renderDetails(view.details, t);
      setText(view.status, describe(t));
      setData(view.status, 'alert', null);
    } catch (error) {
      if (aborter.signal.aborted) return;
      setText(view.status, reason(error));
      setData(view.status, 'alert', 'warn');
    } finally {
      if (inFlight === aborter) setData(view.root, 'loading', null);
    }
  };
  const refresher = poll(load, REFRESH_MS);

  wirePeriods(view, (next) => {
    choice = next;
    showChoice();
    refresher.kick();
  });
  view.table.onSort((sort) => {
    if (sort.key !== 'site') view.barMetric.value = sort.key;
    drawBar();
  });
  view.barMetric.addEventListener('change', drawBar);
  view.trendMetric.addEventListener('change', drawTrend);
  showChoice();

  return () => {
    refresher.stop();
    inFlight?.abort();
    bar.destroy();
    trend.destroy();
    view.root.remove();
  };
}
