import { mountPowerChart } from '../charts/power-chart.js';
import { createHeadline, type Headline } from '../components/headline.js';
import { createSiteCard, type SiteCard } from '../components/site-card.js';
import { el } from '../lib/dom.js';
import { summarizeFacility } from '../lib/facility.js';
import { LiveSeries } from '../lib/live-series.js';
import { frameTask } from '../lib/raf.js';
import { fetchSitesSnapshot } from '../live/api.js';
import { backfiller, type Backfill } from '../live/backfill.js';
import type { FacilityFrame, SiteFrame } from '../live/contract.js';
import type { LiveLink } from '../live/socket.js';

/** The facility chart: 15 minutes, one live point a second, plus slack for the 5 s back-fill points. */
const FACILITY_WINDOW_MS = 15 * 60_000;
const FACILITY_CAPACITY = 15 * 60 + 60;
/** Site sparklines: 5 minutes at 1 s. */
const SITE_WINDOW_MS = 5 * 60_000;
const SITE_CAPACITY = 5 * 60 + 60;

export interface OverviewDeps {
  link: LiveLink;
  staleAfterMs: number;
}

interface Layout {
  root: HTMLElement;
  headline: Headline;
  canvas: HTMLCanvasElement;
  grid: HTMLElement;
  empty: HTMLElement;
}

function layout(): Layout {
  const headline = createHeadline();
  const canvas = el('canvas', {
    testid: 'facility-chart',
    attrs: { role: 'img', 'aria-label': 'Facility load, kW, last 15 minutes' },
  });
  const empty = el('p', { className: 'empty', text: 'Waiting for the first frame…' });
  const grid = el('section', { className: 'site-grid', attrs: { 'aria-label': 'Sites' } }, [empty]);
  const root = el('div', { className: 'overview' }, [
    headline.root,
    el('section', { className: 'panel chart-panel' }, [
      el('header', { className: 'panel-head' }, [
        el('h2', { text: 'Facility load' }),
        el('span', { className: 'panel-note', text: 'kW, last 15 min' }),
      ]),
      el('div', { className: 'chart-box' }, [canvas]),
    ]),
    grid,
  ]);
  return { root, headline, canvas, grid, empty };
}

interface SiteEntry {
  series: LiveSeries;
  card: SiteCard | null;
  frame: SiteFrame | null;
}

/**
 * The site cards: a bounded series per site, fed on every frame, and a card created the first time
 * a site is drawn — after that only its text and sparkline change.
 */
class SiteBoard {
  private readonly sites = new Map<string, SiteEntry>();

  constructor(
    private readonly grid: HTMLElement,
    private readonly backfill: Backfill,
    private readonly staleAfterMs: number,
  ) {}

  ingest(frame: FacilityFrame): void {
    for (const site of frame.sites) {
      const entry = this.entry(site.site);
      entry.frame = site;
      entry.series.push({ x: site.ts, y: site.power_w / 1000 });
    }
  }

  render(latest: FacilityFrame): void {
    for (const [site, entry] of this.sites) {
      if (!entry.frame) continue;
      if (!entry.card) {
        entry.card = createSiteCard(site, entry.series);
        this.place(entry.card);
      }
      // A site left out of recent facility frames has gone quiet: its last figures stay, marked stale.
      entry.card.update(entry.frame, latest.ts - entry.frame.ts > this.staleAfterMs);
    }
  }

  /** After a reconnect: fill each sparkline's gap. */
  resume(): void {
    for (const [site, { series }] of this.sites) {
      this.backfill(series, series.lastX() ?? Date.now() - SITE_WINDOW_MS, site);
    }
  }

  destroy(): void {
    for (const entry of this.sites.values()) entry.card?.destroy();
    this.sites.clear();
  }

  private entry(site: string): SiteEntry {
    let entry = this.sites.get(site);
    if (!entry) {
      entry = { series: new LiveSeries(SITE_CAPACITY, SITE_WINDOW_MS), card: null, frame: null };
      this.sites.set(site, entry);
      this.backfill(entry.series, Date.now() - SITE_WINDOW_MS, site);
    }
    return entry;
  }

  /** Keeps cards in site-id order however the sites first showed up. */
  private place(card: SiteCard): void {
    const after = [...this.grid.children].find(
      (node) => node instanceof HTMLElement && (node.dataset.site ?? '') > card.site,
    );
    this.grid.insertBefore(card.root, after ?? null);
  }
}

/**
 * The facility overview: headline figures, the facility load chart and one card per site. Frames
 * are folded into bounded series as they arrive; the DOM is written at most once per animation
 * frame, from the latest frame only.
 */
export function mountOverview(host: HTMLElement, deps: OverviewDeps): () => void {
  const aborter = new AbortController();
  const backfill = backfiller(aborter.signal);
  const view = layout();
  host.append(view.root);

  const facility = new LiveSeries(FACILITY_CAPACITY, FACILITY_WINDOW_MS);
  const board = new SiteBoard(view.grid, backfill, deps.staleAfterMs);
  const unmountChart = mountPowerChart(view.canvas, facility);
  let latest: FacilityFrame | null = null;

  const render = frameTask(() => {
    if (!latest) return;
    view.headline.update(summarizeFacility(latest));
    view.empty.remove();
    board.render(latest);
  });
  const apply = (frame: FacilityFrame): void => {
    latest = frame;
    facility.push({ x: frame.ts, y: frame.power_w / 1000 });
    board.ingest(frame);
    render.request();
  };
  const offFrame = deps.link.onFacilityFrame(apply);
  // After a drop, fill the hole the missed frames left (mergeHistory keeps live points as they are).
  const offStatus = deps.link.onStatus((connected, resumed) => {
    if (!connected || !resumed) return;
    backfill(facility, facility.lastX() ?? Date.now() - FACILITY_WINDOW_MS);
    board.resume();
  });
  backfill(facility, Date.now() - FACILITY_WINDOW_MS);
  view.headline.update(null);
  // Figures on the first paint instead of dashes until the first frame; a socket frame that got
  // here first is newer, so the snapshot then goes unused. The badge still reports on the socket.
  fetchSitesSnapshot(aborter.signal)
    .then((snapshot) => {
      if (snapshot && latest === null) apply(snapshot);
    })
    .catch((error: unknown) => {
      if (!aborter.signal.aborted) console.warn('kilowatch: site snapshot failed', error);
    });

  return () => {
    aborter.abort();
    offFrame();
    offStatus();
    render.cancel();
    unmountChart();
    board.destroy();
    view.root.remove();
  };
}
