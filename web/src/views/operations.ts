import './operations.css';
import { mountPowerChart } from '../charts/power-chart.js';
import { createAlertList } from '../components/operations-alerts.js';
import { createCapacityBars, type CapacityBars } from '../components/operations-capacity.js';
import { createChildTable, type ChildTable } from '../components/operations-children.js';
import { createOpsFigures, type OpsFiguresView } from '../components/operations-figures.js';
import { createHeatMap, type HeatMap } from '../components/operations-heatmap.js';
import { createOutletDetail, createPath, type OutletDetailView, type PathView } from '../components/operations-node.js';
import { el, setData, setText } from '../lib/dom.js';
import { LiveSeries } from '../lib/live-series.js';
import { frameTask } from '../lib/raf.js';
import { fetchSession } from '../live/session.js';
import { allows, isRole, type OpsNodeFrame } from './operations-contract.js';
import { ackAlert, connectOps, fetchAlerts, type OpsLink } from './operations-link.js';
import { AlertBoard, nodeFromHash } from './operations-model.js';

/** The node chart: 5 minutes at one point a second (the server keeps as much history per node). */
const WINDOW_MS = 5 * 60_000;
const CAPACITY = 5 * 60 + 30;

interface Layout {
  root: HTMLElement;
  title: HTMLElement;
  status: HTMLElement;
  path: PathView;
  figures: OpsFiguresView;
  chartBox: HTMLElement;
  outlet: OutletDetailView;
  capacity: CapacityBars;
  heat: HeatMap;
  children: ChildTable;
  childPanel: { root: HTMLElement; head: HTMLElement };
  alertsBody: HTMLElement;
}

const CHILDREN: Record<OpsNodeFrame['level'], string> = { facility: 'Sites', site: 'Racks', rack: 'PDUs', pdu: 'Outlets and rigs', outlet: '' };

function panel(title: string, note: string, body: HTMLElement, className: string): { root: HTMLElement; head: HTMLElement } {
  const head = el('h2', { text: title });
  const root = el('section', { className: `panel ops-panel ${className}`, testid: className }, [el('header', { className: 'panel-head' }, [head, el('span', { className: 'panel-note', text: note })]), body]);
  return { root, head };
}

function layout(): Layout {
  const [path, figures, outlet, capacity, heat, children] = [createPath(), createOpsFigures(), createOutletDetail(), createCapacityBars(), createHeatMap(), createChildTable()];
  const title = el('h1', { className: 'view-title', text: '…' });
  const status = el('span', { className: 'ops-status', testid: 'ops-status' });
  const chartBox = el('div', { className: 'chart-box' });
  const alertsBody = el('div');
  const childPanel = panel('Sites', 'live, once a second', children.root, 'ops-children');
  const root = el('div', { className: 'ops-view', testid: 'ops-view' }, [
    path.root,
    el('div', { className: 'ops-title' }, [title, status]),
    figures.root,
    el('div', { className: 'ops-columns' }, [
      el('div', { className: 'ops-main' }, [
        panel('Load', 'kW, last 5 min', chartBox, 'chart-panel').root,
        outlet.root,
        panel('Capacity', 'load ÷ continuous limit (rating × continuous_load_pct): amber from 80 %, red above 100 %', capacity.root, 'ops-capacity').root,
        panel('Rack heat map', 'worst bank, phase or PDU per rack', heat.root, 'ops-heat').root,
      ]),
      panel('Alerts', 'live', alertsBody, 'ops-alerts').root,
    ]),
    childPanel.root,
  ]);
  return { root, title, status, path, figures, chartBox, outlet, capacity, heat, children, childPanel, alertsBody };
}

function render(view: Layout, frame: OpsNodeFrame): void {
  setText(view.title, frame.name);
  setData(view.root, 'node', frame.id);
  setData(view.root, 'level', frame.level);
  view.path.update(frame.path);
  view.figures.update(frame.figures);
  view.capacity.update(frame.capacity);
  view.heat.update(frame.heat, frame.path.find((p) => p.level === 'rack')?.id ?? null);
  setText(view.childPanel.head, CHILDREN[frame.level]);
  view.childPanel.root.hidden = frame.level === 'outlet';
  view.children.update(frame.children);
  view.outlet.update(frame.outlet);
}

/**
 * The watched node: its frames into the view (at most once per animation frame), its load into a bounded
 * series and chart. A new node gets a fresh series and chart, filled from the server's history for it.
 */
function nodePane(view: Layout, link: OpsLink, signal: AbortSignal): { watch(): void; show(node: string): void; stop(): void } {
  let node = nodeFromHash(location.hash);
  let latest: OpsNodeFrame | null = null;
  let series = new LiveSeries(CAPACITY, WINDOW_MS);
  const canvas = el('canvas', { testid: 'ops-chart', attrs: { role: 'img', 'aria-label': 'Load, kW, last 5 minutes' } });
  view.chartBox.append(canvas);
  let unmountChart = mountPowerChart(canvas, series);
  const draw = frameTask(() => latest && render(view, latest));
  const apply = (frame: OpsNodeFrame): void => {
    if (frame.id !== node) return;
    latest = frame;
    series.push({ x: frame.ts, y: frame.figures.power_w / 1000 });
    draw.request();
  };
  const offFrame = link.onFrame(apply);
  const watch = (): void => {
    const wanted = node;
    setText(view.status, '');
    link
      .watch(wanted)
      .then((answer) => {
        if (wanted !== node || signal.aborted) return;
        series.merge(answer.history.map((p) => ({ x: p.ts, y: p.power_w / 1000 })), 1000);
        apply(answer.frame);
      })
      .catch((error: unknown) => !signal.aborted && setText(view.status, error instanceof Error ? error.message : String(error)));
  };
  return {
    watch,
    show(next) {
      if (next === node) return;
      node = next;
      latest = null;
      // A new series and chart: the old node's line must not run on into this one's.
      unmountChart();
      series = new LiveSeries(CAPACITY, WINDOW_MS);
      unmountChart = mountPowerChart(canvas, series);
      window.scrollTo(0, 0);
      if (link.connected()) watch();
    },
    stop() {
      offFrame();
      draw.cancel();
      unmountChart();
    },
  };
}

/** The live alert list: a REST snapshot (on open and after each reconnect), then the socket's changes. */
function alertFeed(view: Layout, link: OpsLink, signal: AbortSignal): { refresh(): void; stop(): void } {
  const board = new AlertBoard();
  const list = createAlertList(async (id) => {
    try {
      board.apply({ change: 'acked', alert: await ackAlert(id) });
      list.error(null);
      draw.request();
    } catch (error) {
      list.error(`could not acknowledge: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  });
  view.alertsBody.append(list.root);
  const draw = frameTask(() => list.update(board.active(), board.recentlyCleared(), Date.now()));
  // Ages ("for 3 min") move on without any change arriving.
  const ticker = setInterval(() => draw.request(), 1000);
  const offAlert = link.onAlert((change) => {
    board.apply(change);
    draw.request();
  });
  fetchSession()
    .then((session) => {
      list.allowAck(session !== null && isRole(session.role) && allows(session.role, 'alerts.ack'));
      draw.request();
    })
    .catch((error: unknown) => console.warn('kilowatch: session failed', error));
  return {
    refresh() {
      fetchAlerts('active', signal)
        .then((active) => {
          board.reset(active);
          draw.request();
        })
        .catch((error: unknown) => !signal.aborted && console.warn('kilowatch: alert list failed', error));
    },
    stop() {
      clearInterval(ticker);
      offAlert();
      draw.cancel();
    },
  };
}

/**
 * The operators' page: "what is my load right now, and what needs me?". One node of the drill-down at a time
 * (facility → site → rack → PDU → outlet, named in the hash), its figures, chart, capacity bars, the rack heat
 * map and its children, from the server's `ops:node` frames for that node only; beside them the live alert
 * list with Acknowledge buttons. The page has its own socket.io namespace (OPS_NAMESPACE) while it is open.
 */
export function mountOperations(host: HTMLElement): () => void {
  const aborter = new AbortController();
  const link = connectOps();
  const view = layout();
  host.append(view.root);
  const pane = nodePane(view, link, aborter.signal);
  const alerts = alertFeed(view, link, aborter.signal);
  // Every (re)connect: watch the node again (a new connection is in no room) and re-read the alerts missed.
  const offStatus = link.onStatus((connected) => {
    setData(view.root, 'connected', String(connected));
    if (!connected) return;
    pane.watch();
    alerts.refresh();
  });
  const onHash = (): void => {
    if (/^#\/?operations/.test(location.hash)) pane.show(nodeFromHash(location.hash));
  };
  window.addEventListener('hashchange', onHash);
  alerts.refresh();
  return () => {
    aborter.abort();
    window.removeEventListener('hashchange', onHash);
    offStatus();
    pane.stop();
    alerts.stop();
    link.close();
    view.root.remove();
  };
}
