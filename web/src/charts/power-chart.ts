import {
  Chart,
  Filler,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  TimeScale,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import 'chartjs-adapter-date-fns';
import { formatCount, formatKw } from '../lib/format.js';
import type { SeriesFeed, XY } from '../lib/live-series.js';
import { frameTask } from '../lib/raf.js';
import { chartTheme } from './theme.js';

// Register only what a streaming line needs, so the bundle leaves out the rest of chart.js.
Chart.register(LineController, LineElement, PointElement, LinearScale, TimeScale, Tooltip, Filler);

type PowerChart = Chart<'line', XY[]>;

function config(data: XY[], windowMs: number): ChartConfiguration<'line', XY[]> {
  const theme = chartTheme();
  return {
    type: 'line',
    data: {
      datasets: [
        {
          label: 'Facility load',
          data,
          borderColor: theme.line,
          backgroundColor: theme.fill,
          borderWidth: 2,
          fill: 'origin',
          pointRadius: 0,
          pointHoverRadius: 3,
          tension: 0,
        },
      ],
    },
    options: {
      // Points are stored as {x: ms, y: kW} already sorted: skip parsing and the sort/scan checks,
      // and never animate — a chart that redraws every second should not be moving in between.
      parsing: false,
      normalized: true,
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: {
        x: {
          type: 'time',
          // Minute ticks at most: second-level labels on a 15-minute axis are noise.
          time: { minUnit: 'minute', displayFormats: { minute: 'HH:mm', hour: 'HH:mm' } },
          ticks: { color: theme.text, font: { size: theme.fontSize }, maxRotation: 0, autoSkipPadding: 24 },
          grid: { color: theme.grid },
          min: Date.now() - windowMs,
          max: Date.now(),
        },
        y: {
          // From zero: against capacity, a 2 % wobble should look like a 2 % wobble.
          beginAtZero: true,
          title: { display: true, text: 'kW', color: theme.text, font: { size: theme.fontSize } },
          ticks: {
            color: theme.text,
            font: { size: theme.fontSize },
            // Whole kW steps: the labels are whole numbers, and an empty chart's default 0–1 range
            // would otherwise print "0, 0, 0, 1, 1, 1".
            precision: 0,
            callback: (value) => formatCount(Number(value)),
          },
          grid: { color: theme.grid },
        },
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            label: (item) => `${formatKw(item.parsed.y === null ? null : item.parsed.y * 1000)} kW`,
          },
        },
      },
    },
  };
}

/**
 * Facility load as a streaming line over the feed's time window. The chart reads the feed's bounded
 * series into one reused array, and redraws at most once per animation frame however often the feed
 * changes. Returns the unmount function.
 */
export function mountPowerChart(canvas: HTMLCanvasElement, feed: SeriesFeed): () => void {
  const data: XY[] = [];
  const chart: PowerChart = new Chart(canvas, config(feed.snapshot(data), feed.windowMs));

  const redraw = frameTask(() => {
    feed.snapshot(data);
    const x = chart.options.scales?.x;
    const last = feed.lastX();
    if (x && last !== null) {
      // Slide the window on the newest point's server time, not the browser clock: the two may
      // disagree, and the line should always end at the right edge.
      x.min = last - feed.windowMs;
      x.max = last;
    }
    chart.update('none');
  });
  const unsubscribe = feed.onChange(() => redraw.request());
  redraw.request();

  return () => {
    unsubscribe();
    redraw.cancel();
    chart.destroy();
  };
}

/** Points the chart on `canvas` currently holds (0 without a chart). Backs the browser-test hook. */
export function chartPointCount(canvas: HTMLCanvasElement | null): number {
  if (!canvas) return 0;
  const chart = Chart.getChart(canvas);
  return chart?.data.datasets[0]?.data.length ?? 0;
}
