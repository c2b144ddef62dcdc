import './site.css';
import { mountPowerChart } from '../charts/power-chart.js';
import { createEfficiencySummary, type EfficiencySummary } from '../components/efficiency-summary.js';
import { createRigTable, type RigTable } from '../components/rig-table.js';
import { createSiteFigures, type SiteFigures } from '../components/site-figures.js';
import { el } from '../lib/dom.js';
import { LiveSeries } from '../lib/live-series.js';
import { pollWhileVisible } from '../lib/poll.js';
import { frameTask } from '../lib/raf.js';
import { mergeRigs } from '../lib/rigs.js';
import { fetchSitesSnapshot } from '../live/api.js';
import { backfiller } from '../live/backfill.js';
import type { RigLatest, SiteFrame } from '../live/contract.js';
import { fetchEfficiency, type RigHour } from '../live/efficiency.js';
import type { LiveLink } from '../live/socket.js';

/** The site chart, as the facility one: 15 minutes at 1 s, plus slack for the 5 s back-fill points. */
const WINDOW_MS = 15 * 60_000;
const CAPACITY = 15 * 60 + 60;
/**
 * The rig list is asked for every 5 s, not on every 1 s frame: 500+ rows of figures that move by
 * a percent or two are not worth five times the socket traffic and DOM work.
 */
const RIGS_EVERY_MS = 5000;
/** The hour's J/TH moves slowly, and the server integrates an hour of every rig to answer it. */
const EFFICIENCY_EVERY_MS = 60_000;
const HOUR_MS = 3_600_000;

export interface SiteDeps {
  link: LiveLink;
  staleAfterMs: number;
}

interface Layout {
  root: HTMLElement;
  /** Says so when the server has no such site (a mistyped or retired id in a link). */
  notice: HTMLElement;
  figures: SiteFigures;
  canvas: HTMLCanvasElement;
  summary: EfficiencySummary;
  table: RigTable;
}

function layout(site: string): Layout {
  const figures = createSiteFigures();
  const summary = createEfficiencySummary();
  const table = createRigTable();
  const canvas = el('canvas', {
    testid: 'site-chart',
    attrs: { role: 'img', 'aria-label': `${site} load, kW, last 15 minutes` },
  });
  const notice = el('p', { className: 'empty', testid: 'site-notice' });
  notice.hidden = true;
  const root = el('div', { className: 'site-view', testid: 'site-view' }, [
    el('h1', { className: 'view-title', text: site }),
    notice,
    figures.root,
    el('section', { className: 'panel chart-panel' }, [
      el('header', { className: 'panel-head' }, [
        el('h2', { text: 'Site load' }),
        el('span', { className: 'panel-note', text: 'kW, last 15 min' }),
      ]),
      el('div', { className: 'chart-box' }, [canvas]),
    ]),
    summary.root,
    el('section', { className: 'panel rig-panel', attrs: { 'aria-label': 'Rigs' } }, [
      el('header', { className: 'panel-head' }, [
        el('h2', { text: 'Rigs' }),
        el('span', { className: 'panel-note', text: 'live figures every 5 s · J/TH 1 h and drift every minute' }),
      ]),
      table.root,
    ]),
  ]);
  root.dataset.site = site;
  return { root, notice, figures, canvas, summary, table };
}

interface FrameFeed {
  apply(frame: SiteFrame): void;
  hasFrame(): boolean;
  /**
   * The server's time as of its newest frame, else the browser clock: a rig's `last_ts` is server
   * time, and its age must not include the skew between the two machines' clocks.
   */
  serverNow(): number;
  stop(): void;
}

/** The site's frames into its figures and the chart's series; the DOM is written once per animation frame. */
function siteFrames(site: string, deps: SiteDeps, view: Layout, series: LiveSeries): FrameFeed {
  let latest: SiteFrame | null = null;
  let facilityTs = 0;
  const render = frameTask(() => {
    // A site missing from recent frames has gone quiet: its last figures stay, marked stale.
    view.figures.update(latest, latest !== null && facilityTs - latest.ts > deps.staleAfterMs);
  });
  const apply = (frame: SiteFrame): void => {
    if (frame.site !== site) return;
    view.notice.hidden = true;
    latest = frame;
    facilityTs = Math.max(facilityTs, frame.ts);
    series.push({ x: frame.ts, y: frame.power_w / 1000 });
    render.request();
  };
  const offSite = deps.link.onSiteFrame(apply);
  // Facility frames keep coming while the site's stop: they are the clock that shows it stale.
  const offFacility = deps.link.onFacilityFrame((frame) => {
    facilityTs = frame.ts;
    render.request();
  });
  view.figures.update(null, false);
  return {
    apply,
    hasFrame: () => latest !== null,
    serverNow: () => (facilityTs > 0 ? facilityTs : Date.now()),
    stop() {
      offSite();
      offFacility();
      render.cancel();
    },
  };
}

/** The two answers the rig table joins, and who asks for them. */
function rigFeeds(
  site: string,
  deps: SiteDeps,
  view: Layout,
  frames: FrameFeed,
  signal: AbortSignal,
): { kickRigs(): void; stop(): void } {
  let latest: RigLatest[] | null = null;
  let hour: readonly RigHour[] = [];
  // Rows only once the live list is in: the hour alone would show every rig as offline for a moment.
  const show = (): void => {
    if (latest) view.table.update(mergeRigs(latest, hour), frames.serverNow());
  };

  const rigs = pollWhileVisible(async () => {
    // Offline, the socket would queue the request and send a stale burst on reconnect; skip instead.
    if (!deps.link.status().connected) return;
    try {
      latest = await deps.link.rigs(site);
      if (!signal.aborted) show();
    } catch (error) {
      if (!signal.aborted) console.warn('kilowatch: rig list failed', site, error);
    }
  }, RIGS_EVERY_MS);

  const efficiency = pollWhileVisible(async () => {
    const to = Date.now();
    try {
      const answer = await fetchEfficiency({ site, from: to - HOUR_MS, to }, signal);
      if (answer.skipped > 0) console.warn(`kilowatch: ${answer.skipped} malformed entries in the efficiency answer`);
      hour = answer.rigs;
      view.summary.update(answer);
      show();
    } catch (error) {
      if (signal.aborted) return;
      // The last answer's figures stay on screen; the status line says they are not being refreshed.
      view.summary.status(`refresh failed: ${error instanceof Error ? error.message : String(error)}`, true);
      console.warn('kilowatch: efficiency failed', site, error);
    }
  }, EFFICIENCY_EVERY_MS);

  return {
    kickRigs: () => rigs.kick(),
    stop() {
      rigs.stop();
      efficiency.stop();
    },
  };
}

/**
 * Figures on the first paint from GET /api/sites, rather than dashes until the first frame; null
 * when the server has no figures for the site.
 */
function firstFigures(site: string, signal: AbortSignal, apply: (frame: SiteFrame | null) => void): void {
  fetchSitesSnapshot(signal)
    .then((snapshot) => apply(snapshot?.sites.find((s) => s.site === site) ?? null))
    .catch((error: unknown) => {
      if (!signal.aborted) console.warn('kilowatch: site snapshot failed', error);
    });
}

/**
 * One site: live figures and load chart from `site:frame`, the last hour's energy, J/TH and overhead
 * per PDU, and every rig in a sortable table. Frames go into a bounded series as they arrive; the
 * DOM is written at most once per animation frame.
 */
export function mountSite(host: HTMLElement, deps: SiteDeps, site: string): () => void {
  const aborter = new AbortController();
  const backfill = backfiller(aborter.signal);
  const view = layout(site);
  host.append(view.root);

  const series = new LiveSeries(CAPACITY, WINDOW_MS);
  const unmountChart = mountPowerChart(view.canvas, series);
  const frames = siteFrames(site, deps, view, series);
  deps.link.subscribe([site]);
  const feeds = rigFeeds(site, deps, view, frames, aborter.signal);
  const offStatus = deps.link.onStatus((connected, resumed) => {
    if (!connected) return;
    // The first connect may come after mount: ask for the rig list then rather than in 5 s.
    feeds.kickRigs();
    if (resumed) backfill(series, series.lastX() ?? Date.now() - WINDOW_MS, site);
  });
  backfill(series, Date.now() - WINDOW_MS, site);
  firstFigures(site, aborter.signal, (frame) => {
    // A socket frame that got here first is newer: the snapshot then goes unused.
    if (frames.hasFrame()) return;
    if (frame) return frames.apply(frame);
    view.notice.textContent = `No readings from a site “${site}” yet: check the link, or wait for its first frame.`;
    view.notice.hidden = false;
  });

  return () => {
    aborter.abort();
    feeds.stop();
    deps.link.subscribe([]);
    frames.stop();
    offStatus();
    unmountChart();
    view.table.destroy();
    view.summary.destroy();
    view.root.remove();
  };
}
