import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import { chartTheme } from '../charts/theme.js';
import { formatNumber } from '../lib/format.js';
import type { SiteComparison, SiteDays } from './comparison-api.js';
import type { Column, TrendMetric } from './comparison-model.js';

// Bars by site and one line per site over days: only what these two charts need is registered.
Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Legend, Tooltip);

/** One colour per site, in table order; distinguishable on the dark panel and again in the legend's words. */
const SITE_COLOURS = ['#4cc3ff', '#f0b429', '#3fcf6a', '#ff6b5e', '#b48cff', '#ff9f40', '#2ad4c4', '#e8eef5'];

export function siteColour(index: number): string {
  return SITE_COLOURS[index % SITE_COLOURS.length]!;
}

function axes() {
  const theme = chartTheme();
  const ticks = { color: theme.text, font: { size: theme.fontSize } };
  return {
    theme,
    x: { ticks, grid: { color: theme.grid } },
    y: { beginAtZero: true, ticks: { ...ticks, callback: (v: number | string) => formatNumber(Number(v), Number.isInteger(Number(v)) ? 0 : 2) }, grid: { color: theme.grid } },
  };
}

/** A site's colour: the same in both charts whatever the table's order. */
export type ColourOf = (site: string) => string;

export interface BarChart {
  update(sites: readonly SiteComparison[], metric: Column, colourOf: ColourOf): void;
  destroy(): void;
}

/** A metric of every site as horizontal bars, in the order given (the table's sort). */
export function mountBarChart(canvas: HTMLCanvasElement): BarChart {
  const { x, y } = axes();
  const chart = new Chart<'bar', (number | null)[], string>(canvas, {
    type: 'bar',
    data: { labels: [], datasets: [{ label: '', data: [], backgroundColor: [], borderWidth: 0 }] },
    options: {
      indexAxis: 'y',
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: { x: y, y: { ...x, beginAtZero: true } },
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (item) => `${formatNumber(item.parsed.x, 2)}` } } },
    },
  });
  return {
    update(sites, metric, colourOf) {
      chart.data.labels = sites.map((s) => s.site);
      const set = chart.data.datasets[0]!;
      set.label = `${metric.label} ${metric.unit}`.trim();
      // Load factor is shown as a percentage in the table: the bars say the same.
      set.data = sites.map((s) => {
        const v = metric.value(s);
        return v === null ? null : metric.key === 'load_factor' ? v * 100 : metric.key === 'kg_per_th' ? v * 1000 : v;
      });
      set.backgroundColor = sites.map((s) => colourOf(s.site));
      chart.update('none');
    },
    destroy: () => chart.destroy(),
  };
}

export interface TrendChart {
  update(sites: readonly SiteDays[], metric: TrendMetric, colourOf: ColourOf): void;
  destroy(): void;
}

/** A metric per local day, one line per site. Days are local dates, so sites in other zones line up by date. */
export function mountTrendChart(canvas: HTMLCanvasElement): TrendChart {
  const { theme, x, y } = axes();
  const chart = new Chart<'line', (number | null)[], string>(canvas, {
    type: 'line',
    data: { labels: [], datasets: [] },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: { x, y },
      plugins: {
        legend: { labels: { color: theme.text, font: { size: theme.fontSize }, boxWidth: 14 } },
        tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${formatNumber(item.parsed.y, 2)}` } },
      },
    },
  });
  return {
    update(sites, metric, colourOf) {
      const dates = [...new Set(sites.flatMap((s) => s.days.map((d) => d.date)))].sort();
      chart.data.labels = dates;
      chart.data.datasets = sites.map((s) => {
        const byDate = new Map(s.days.map((d) => [d.date, metric.value(d)]));
        return {
          label: s.site,
          data: dates.map((d) => byDate.get(d) ?? null),
          borderColor: colourOf(s.site),
          backgroundColor: colourOf(s.site),
          borderWidth: 2,
          pointRadius: dates.length > 40 ? 0 : 3,
          tension: 0,
          spanGaps: false,
        };
      });
      chart.update('none');
      // What is drawn, in words a test (or a screen reader's description) can check without the canvas.
      canvas.dataset.series = sites.map((s) => s.site).join(',');
      canvas.dataset.days = dates.join(',');
    },
    destroy: () => chart.destroy(),
  };
}
