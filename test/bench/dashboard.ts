import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { WEB_DIST } from '../../server/src/kilowatch.js';
import { trackChild } from '../harness/cleanup.js';
import { launchChromium } from '../support/browser.js';
import type { ServerProcess } from '../support/server-process.js';

const ROOT = join(import.meta.dirname, '../..');

export interface DashboardOptions {
  server: ServerProcess;
  mqttUrl: string;
  /** Rigs in the whole fleet, spread evenly over `sites` (rounded up to whole rigs per site). */
  rigs: number;
  sites: number;
  /** The simulator's tick: every PDU, miner and meter message once per interval. */
  intervalMs: number;
  /** Live updates (facility frames, one a second) to average the per-update cost over, per page. */
  updates: number;
  /** The server's store, as printed: 'InfluxDB' or 'SQLite'. */
  store: string;
  log: (line: string) => void;
}

/** One page's figures; null where that part timed out or failed (`problem` says why). */
export interface DashboardPageResult {
  route: string;
  firstFigureMs: number | null;
  scriptMsPerUpdate: number | null;
  taskMsPerUpdate: number | null;
  /** Style recalculation and layout, part of the task time: what a page's DOM changes cost beyond their script. */
  layoutMsPerUpdate: number | null;
  updates: number;
  problem: string | null;
  /** Script errors the page reported while it was measured. */
  pageErrors: string[];
}

export interface DashboardResult {
  rigs: number;
  sites: number;
  intervalMs: number;
  store: string;
  browserVersion: string;
  pages: DashboardPageResult[];
  /** The simulator's last progress line, and the server's counters after the run: was the load sustained? */
  simulator: string;
  server: string;
}

/** A page, the hash route that opens it, and its headline figure (what "first figure drawn" waits for). */
const PAGES = [
  { route: '#/overview', figure: 'facility-kw' },
  { route: '#/operations', figure: 'ops-kw' },
  { route: '#/site/site-1', figure: 'site-kw' },
] as const;

/** Facility frames a page has had before measuring starts: its opening requests (back-fill, rig list, efficiency) settle. */
const WARM_UP_FRAMES = 3;
const FIRST_FIGURE_TIMEOUT_MS = 60_000;

/**
 * The dashboard in headless Chromium against a simulated fleet. The server (its own process) is given; this
 * starts the simulator as its own process, waits until the server knows every rig, then opens each page in a
 * fresh browser context and measures (1) navigation start → the page's headline figure showing a value and
 * (2) main-thread script, task and style+layout time per live update, from the DevTools Performance metrics
 * over `updates` facility frames. Nothing passes or fails on these figures.
 */
export async function runDashboard(o: DashboardOptions): Promise<DashboardResult> {
  if (!existsSync(join(WEB_DIST, 'index.html'))) throw new Error('the dashboard is not built: run npm run build:web first');
  warnIfStale(o.log);
  const perSite = Math.ceil(o.rigs / o.sites);
  const total = perSite * o.sites;
  o.log(`simulator: ${o.sites} sites × ${perSite} rigs, every ${o.intervalMs / 1000} s (its own process) …`);
  const sim = startSimulator(o.mqttUrl, o.sites, perSite, o.intervalMs);
  let browser: Browser | null = null;
  try {
    await waitForFleet(o, sim, total);
    browser = await launchChromium();
    const pages: DashboardPageResult[] = [];
    for (const p of PAGES) {
      o.log(`${p.route}: opening, then ${WARM_UP_FRAMES} frames of warm-up and ${o.updates} measured updates …`);
      pages.push(await measurePage(browser, o.server.url, p.route, p.figure, o.updates));
    }
    const h = await o.server.health();
    const rss = o.server.rssMb();
    return {
      rigs: total,
      sites: o.sites,
      intervalMs: o.intervalMs,
      store: o.store,
      browserVersion: browser.version(),
      pages,
      simulator: sim.lastLine(),
      server: `${h.counters.readings_received} readings received, ${h.counters.readings_stored} stored, ${h.counters.readings_rejected} rejected, spool ${h.spool.pending_readings} pending${rss === null ? '' : `, RSS ${rss.toFixed(0)} MB`}`,
    };
  } finally {
    await browser?.close().catch(() => undefined);
    await sim.stop();
  }
}

export function printDashboard(r: DashboardResult, log: (line: string) => void): void {
  const cell = (v: number | null, width: number, digits: number): string => (v === null ? 'timed out' : v.toFixed(digits)).padStart(width);
  log('');
  log(`dashboard, ${r.rigs} rigs (${r.sites} sites, every ${r.intervalMs / 1000} s, ${r.store} store), Chromium ${r.browserVersion} headless`);
  log('page             first figure ms  script ms/update  task ms/update  style+layout ms/update  updates');
  for (const p of r.pages) {
    log(`${p.route.padEnd(15)}  ${cell(p.firstFigureMs, 15, 0)}  ${cell(p.scriptMsPerUpdate, 16, 1)}  ${cell(p.taskMsPerUpdate, 14, 1)}  ${cell(p.layoutMsPerUpdate, 22, 1)}  ${String(p.updates).padStart(7)}`);
  }
  log('First figure: navigation start → the headline kW figure holds a value (from the snapshot or the first frame).');
  log('Per update: main-thread time (DevTools Performance metrics ScriptDuration, TaskDuration, RecalcStyle+LayoutDuration)');
  log('over the measured facility frames (1 s apart), divided by their number. It includes whatever else the page does');
  log('meanwhile: the site page\'s rig list every 5 s, the operations page\'s own node frames.');
  for (const p of r.pages) {
    if (p.problem) log(`  ${p.route}: ${p.problem}`);
    for (const e of p.pageErrors.slice(0, 5)) log(`  ${p.route}: page error: ${e}`);
  }
  log(`  server: ${r.server}`);
  log(`  simulator: ${r.simulator}`);
}

async function measurePage(browser: Browser, baseUrl: string, route: string, figure: string, updates: number): Promise<DashboardPageResult> {
  const result: DashboardPageResult = { route, firstFigureMs: null, scriptMsPerUpdate: null, taskMsPerUpdate: null, layoutMsPerUpdate: null, updates: 0, problem: null, pageErrors: [] };
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const page = await context.newPage();
    page.on('pageerror', (err) => result.pageErrors.push(err.message));
    // Before any page script: note when the headline figure first gets a digit, in the page's own clock
    // (performance.now() counts from navigation start). The observer goes away once it has seen it.
    await page.addInitScript({ content: firstFigureScript(figure) });
    try {
      await page.goto(`${baseUrl}/${route}`, { timeout: FIRST_FIGURE_TIMEOUT_MS });
      const handle = await page.waitForFunction(() => (window as unknown as { __benchFirstFigure?: number }).__benchFirstFigure ?? null, undefined, { polling: 100, timeout: FIRST_FIGURE_TIMEOUT_MS });
      result.firstFigureMs = (await handle.jsonValue()) as number;
    } catch (err) {
      result.problem = `first figure: ${describe(err)}`;
      return result;
    }
    // Measure with a deadline: three times the time the updates should take, plus the warm-up and slack.
    const deadlineMs = (WARM_UP_FRAMES + updates) * 3000 + 30_000;
    await withDeadline(measureUpdates(context, page, updates, result), deadlineMs, context).catch((err: unknown) => {
      result.problem = `per-update: ${describe(err)}`;
    });
    return result;
  } finally {
    await context.close().catch(() => undefined);
  }
}

async function measureUpdates(context: BrowserContext, page: Page, updates: number, result: DashboardPageResult): Promise<void> {
  const frames = (): Promise<number> => page.evaluate(() => (window as unknown as { __kilowatch?: { framesReceived: number } }).__kilowatch?.framesReceived ?? 0);
  const waitFrames = (n: number): Promise<unknown> =>
    page.waitForFunction((k) => ((window as unknown as { __kilowatch?: { framesReceived: number } }).__kilowatch?.framesReceived ?? 0) >= k, n, { polling: 250, timeout: 0 });
  await waitFrames(WARM_UP_FRAMES);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const start = await frames();
  const before = metrics(await cdp.send('Performance.getMetrics'));
  await waitFrames(start + updates);
  const after = metrics(await cdp.send('Performance.getMetrics'));
  const end = await frames();
  await cdp.detach().catch(() => undefined);
  const n = end - start;
  result.updates = n;
  result.scriptMsPerUpdate = ((after.ScriptDuration - before.ScriptDuration) * 1000) / n;
  result.taskMsPerUpdate = ((after.TaskDuration - before.TaskDuration) * 1000) / n;
  result.layoutMsPerUpdate = ((after.RecalcStyleDuration + after.LayoutDuration - before.RecalcStyleDuration - before.LayoutDuration) * 1000) / n;
}

interface Metrics {
  ScriptDuration: number;
  TaskDuration: number;
  RecalcStyleDuration: number;
  LayoutDuration: number;
}

/** The cumulative main-thread times (seconds) this section reads from Performance.getMetrics. */
function metrics(answer: { metrics: { name: string; value: number }[] }): Metrics {
  const get = (name: string): number => {
    const m = answer.metrics.find((x) => x.name === name);
    if (!m) throw new Error(`Performance.getMetrics has no ${name}`);
    return m.value;
  };
  return { ScriptDuration: get('ScriptDuration'), TaskDuration: get('TaskDuration'), RecalcStyleDuration: get('RecalcStyleDuration'), LayoutDuration: get('LayoutDuration') };
}

/** A plain string, not a function: the page gets it as written, whatever the TypeScript loader does to functions. */
function firstFigureScript(testid: string): string {
  return `(() => {
  const selector = ${JSON.stringify(`[data-testid="${testid}"]`)};
  const observer = new MutationObserver(() => {
    const node = document.querySelector(selector);
    if (!node || !/\\d/.test(node.textContent || '')) return;
    window.__benchFirstFigure = performance.now();
    performance.mark('bench:first-figure');
    observer.disconnect();
  });
  observer.observe(document, { subtree: true, childList: true, characterData: true });
})();`;
}

/** Rejects after `ms`, closing the context so that whatever the page was waiting on ends too. */
async function withDeadline<T>(work: Promise<T>, ms: number, context: BrowserContext): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void context.close().catch(() => undefined);
      reject(new Error(`timed out after ${Math.round(ms / 1000)} s`));
    }, ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    // The losing side must not surface later as an unhandled rejection.
    work.catch(() => undefined);
  }
}

function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/timeout|timed out/i.test(message)) return `timed out (${message.split('\n')[0]})`;
  return message.split('\n')[0] ?? message;
}

interface SimulatorProcess {
  exited(): string | null;
  lastLine(): string;
  tail(): string;
  stop(): Promise<void>;
}

/**
 * `npm run sim` as its own process (node --import tsx, as the server runs): the bench's event loop, the
 * server's and the simulator's each get their own core time. Its output is kept, not shown; the last
 * progress line goes into the summary and the tail into any error.
 */
function startSimulator(mqttUrl: string, sites: number, rigs: number, intervalMs: number): SimulatorProcess {
  const args = ['--import', 'tsx', 'simulators/src/cli.ts', '--url', mqttUrl, '--sites', String(sites), '--rigs', String(rigs), '--interval', String(intervalMs), '--seed', '42'];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  trackChild(child);
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      lines.push(line.trim());
      if (lines.length > 30) lines.shift();
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exit: string | null = null;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = signal ?? `code ${code}`;
      resolve();
    }),
  );
  return {
    exited: () => exit,
    lastLine: () => lines.filter((l) => !l.includes('SIGTERM')).at(-1) ?? '(no output)',
    tail: () => lines.slice(-10).join('\n'),
    async stop() {
      if (exit !== null) return;
      // SIGTERM: stop ticking and wait for acknowledgements; a second signal or SIGKILL if that takes long.
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

interface SitesBody {
  sites: { site: string; rigs_online: number; rigs_offline: number }[];
}

/** GET /api/sites; null (after saying why) when the server did not answer: it may be busy, the caller retries. */
async function fetchSites(url: string): Promise<SitesBody | null> {
  try {
    return (await (await fetch(`${url}/api/sites`, { signal: AbortSignal.timeout(10_000) })).json()) as SitesBody;
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    process.stdout.write(`  GET /api/sites failed (${err instanceof Error ? err.message : String(err)}${cause}); retrying\n`);
    return null;
  }
}

/** Until the server's live state holds every rig of the fleet (online or not), polled once a second. */
async function waitForFleet(o: DashboardOptions, sim: SimulatorProcess, total: number): Promise<void> {
  const started = Date.now();
  const deadline = started + 60_000 + 3 * o.intervalMs;
  let lastLog = started;
  let known = 0;
  let sites = 0;
  for (;;) {
    const exit = sim.exited();
    if (exit !== null) throw new Error(`the simulator exited (${exit}):\n${sim.tail()}`);
    const body = await fetchSites(o.server.url);
    if (body) {
      known = body.sites.reduce((n, s) => n + s.rigs_online + s.rigs_offline, 0);
      sites = body.sites.length;
    }
    if (sites >= o.sites && known >= total) {
      o.log(`  the server knows all ${known} rigs in ${sites} sites after ${((Date.now() - started) / 1000).toFixed(0)} s`);
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`after ${((Date.now() - started) / 1000).toFixed(0)} s the server knows ${known} of ${total} rigs in ${sites} of ${o.sites} sites; simulator:\n${sim.tail()}`);
    }
    if (Date.now() - lastLog >= 10_000) {
      lastLog = Date.now();
      o.log(`  … ${known} of ${total} rigs known`);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** The server serves web/dist as built: say so when web/src has changed since, rather than measure an old build. */
function warnIfStale(log: (line: string) => void): void {
  const built = statSync(join(WEB_DIST, 'index.html')).mtimeMs;
  const newer = (dir: string): boolean =>
    readdirSync(dir, { withFileTypes: true }).some((e) => (e.isDirectory() ? newer(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs > built));
  if (newer(join(ROOT, 'web/src'))) log('note: web/src has changed since web/dist was built; run npm run build:web to measure the current code');
}
