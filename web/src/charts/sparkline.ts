import type { SeriesFeed, XY } from '../lib/live-series.js';
import { frameTask } from '../lib/raf.js';
import { chartTheme, type ChartTheme } from './theme.js';

/**
 * A site's recent kW as a plain canvas-2D line: no axes, no tooltip, nothing to lay out, so a card
 * per site stays cheap however many sites there are. The y range follows the data (min–max, at
 * least 5 % of the level): the sparkline shows shape (a step, a sag), the card's figures show level.
 */
function draw(canvas: HTMLCanvasElement, points: readonly XY[], windowMs: number, theme: ChartTheme): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
  // Resizing the backing store clears it, so only do it when the box actually changed.
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  ctx.clearRect(0, 0, width, height);
  const last = points[points.length - 1];
  if (points.length < 2 || last === undefined) return;

  let min = Infinity;
  let max = -Infinity;
  for (const p of points) {
    if (p.y < min) min = p.y;
    if (p.y > max) max = p.y;
  }
  // At least 5 % of the level top to bottom, centred: sensor noise on a steady load should read as
  // a nearly flat line, not as full-height swings (and a flat line must not divide by zero).
  const span = Math.max(max - min, 0.05 * Math.abs(max), 1e-6);
  const low = (min + max) / 2 - span / 2;
  const pad = 2 * ratio;
  const start = last.x - windowMs;
  const xOf = (x: number): number => ((x - start) / windowMs) * width;
  const yOf = (y: number): number => height - pad - ((y - low) / span) * (height - 2 * pad);

  ctx.beginPath();
  let begun = false;
  for (const p of points) {
    if (p.x < start) continue;
    if (begun) ctx.lineTo(xOf(p.x), yOf(p.y));
    else ctx.moveTo(xOf(p.x), yOf(p.y));
    begun = true;
  }
  ctx.lineWidth = 1.5 * ratio;
  ctx.strokeStyle = theme.line;
  ctx.lineJoin = 'round';
  ctx.stroke();
}

/** Draws the feed into `canvas`, at most once per frame and again on resize. Returns the unmount. */
export function mountSparkline(canvas: HTMLCanvasElement, feed: SeriesFeed): () => void {
  const points: XY[] = [];
  // Read the palette once: getComputedStyle on every frame for every card would be wasted work.
  const theme = chartTheme();
  const redraw = frameTask(() => draw(canvas, feed.snapshot(points), feed.windowMs, theme));
  const unsubscribe = feed.onChange(() => redraw.request());
  const resize = new ResizeObserver(() => redraw.request());
  resize.observe(canvas);
  redraw.request();
  return () => {
    unsubscribe();
    resize.disconnect();
    redraw.cancel();
  };
}
