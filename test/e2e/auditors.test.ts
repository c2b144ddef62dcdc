import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHistory } from '../../simulators/src/history.js';
import { planSite, resolveOptions } from '../../simulators/src/layout.js';
import { loadAsicSpecs } from '../../simulators/src/models.js';
import { openDashboard, saveScreenshot } from '../support/browser.js';
import { startKilowatch, waitFor, type RunningKilowatch } from '../support/kilowatch.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');

/**
 * The auditors' page in headless Chromium: the server in this process (embedded broker, SQLite) with a fleet file,
 * a simulated site's history across its local month boundary (Central time), a gateway silent for half an hour, a
 * register reset and a spike. Replay at 600×, the reconciliation, the monthly report against the API, an export
 * downloaded with its manifest and verified, and the audit log with its chain.
 */
const SITE = 'site-1';
const TZ = 'America/Chicago';
const RIGS = 8;
const FROM = Date.parse('2025-11-01T02:00:00Z');
const TO = Date.parse('2025-11-02T05:00:00Z');
const DAY_FROM = Date.parse('2025-11-01T05:00:00Z');
const DAY_TO = Date.parse('2025-11-02T05:00:00Z');

function fleetFile(): string {
  const plan = planSite(1, resolveOptions({ sites: 1, rigsPerSite: RIGS, seed: 5, outletsPerPdu: 4 }), loadAsicSpecs());
  return JSON.stringify({
    version: 1,
    sites: [
      {
        id: SITE,
        name: 'Big Spring test hall',
        time_zone: TZ,
        suppliers: [{ name: 'Oncor', account: '1044 3720 11' }],
        meters: [{ id: 'main', supplier: 'Oncor' }],
        racks: [{ id: 'r01', pdus: plan.pdus.map((p) => ({ id: p.id, rating_a: 30, voltage_v: 208, outlets: p.rigs.map((r) => ({ outlet: r.outlet, rig: r.id, model: r.model.model })) })) }],
      },
    ],
  });
}

interface ReplayState {
  cursor: number;
  frames: number;
  points: number;
  state: string;
}

describe('auditors\' page in Chromium', () => {
  let kw: RunningKilowatch;
  let dir = '';
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kw-auditors-e2e-'));
    writeFileSync(join(dir, 'fleet.json'), fleetFile());
    kw = await startKilowatch({ FLEET_FILE: join(dir, 'fleet.json') });
    const history = await runHistory({
      url: kw.app.mqttUrl,
      sites: 1,
      rigs: RIGS,
      outletsPerPdu: 4,
      intervalMs: 300_000,
      seed: 5,
      from: FROM,
      to: TO,
      drainTimeoutMs: 300_000,
      faults: {
        kinds: [],
        planned: [
          { kind: 'gap', at: Date.parse('2025-11-01T10:00:00Z'), until: Date.parse('2025-11-01T10:30:00Z'), site: SITE, pdu: 'r01-pdu2' },
          { kind: 'reset', at: Date.parse('2025-11-01T14:00:00Z'), site: SITE, pdu: 'r01-pdu1', outlet: 2 },
          { kind: 'spike', at: Date.parse('2025-11-01T18:00:00Z'), site: SITE, pdu: 'r01-pdu1', outlet: 3, spikeWh: 1_000_000 },
        ],
      },
    });
    expect(history.drained).toBe(true);
    const backlog = () => kw.app.rollups.ledger.backlog();
    await waitFor(
      // In-process counters, not GET /api/health: while the rollup worker catches up, a polled keep-alive socket can be reset.
      () => kw.app.counters.snapshot().readings_stored >= history.readings && backlog().fresh + backlog().minutes + backlog().hours === 0,
      () => JSON.stringify({ stored: kw.app.counters.snapshot(), backlog: backlog() }),
      300_000,
    );
    const at = `${kw.url}/#/audit/${SITE}?from=${new Date(DAY_FROM).toISOString()}&to=${new Date(DAY_TO).toISOString()}&month=2025-11&speed=600`;
    ({ browser, page, problems } = await openDashboard(at, { acceptDownloads: true }));
    await page.getByTestId('audit-view').waitFor();
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await kw?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const replayState = (): Promise<ReplayState> =>
    page.getByTestId('replay-panel').evaluate((node) => {
      const d = (node as HTMLElement).dataset;
      return { cursor: Number(d.cursor), frames: Number(d.frames), points: Number(d.chartPoints), state: d.state ?? '' };
    });

  it('opens on the range and the site\'s time zone from its address', async () => {
    await expect.poll(() => page.getByTestId('audit-from').inputValue()).toBe('2025-11-01T00:00');
    expect(await page.getByTestId('audit-to').inputValue()).toBe('2025-11-02T00:00');
    expect(await page.getByTestId('audit-tz').textContent()).toBe(`times in ${TZ}`);
    expect(await page.getByTestId('replay-speed-600').getAttribute('aria-checked')).toBe('true');
  });

  it('replays at 600×: the cursor advances and the chart redraws', async () => {
    await page.waitForFunction(() => (document.querySelector('[data-testid="replay-panel"]') as HTMLElement | null)?.dataset.state === 'paused');
    const before = await replayState();
    expect(before.cursor).toBe(DAY_FROM);
    await page.getByTestId('replay-play').click();
    // 600×: every second of wall time is 10 minutes of the day, i.e. 10 more one-minute points.
    await page.waitForFunction((c) => Number((document.querySelector('[data-testid="replay-panel"]') as HTMLElement).dataset.cursor) >= c + 30 * 60_000, before.cursor);
    const during = await replayState();
    expect(during.state).toBe('playing');
    expect(during.frames).toBeGreaterThan(before.frames);
    expect(during.points).toBeGreaterThan(before.points);
    // Some hours of the day in (how many depends on how busy the machine is).
    expect(await page.getByTestId('replay-cursor').textContent()).toMatch(/^2025-11-01 \d\d:\d\d:\d\d -05:00$/);
    expect(await page.getByTestId('replay-kw').textContent()).toMatch(/^[\d,]+\.\d kW$/);
    await page.getByTestId('replay-play').click();
    await page.waitForFunction(() => (document.querySelector('[data-testid="replay-panel"]') as HTMLElement).dataset.state === 'paused');
    const paused = await replayState();
    await page.waitForTimeout(300);
    expect((await replayState()).cursor).toBe(paused.cursor);
    expect(paused.state).toBe('paused');
  });

  it('seeks with the slider', async () => {
    await page.getByTestId('replay-seek').evaluate((node) => {
      const slider = node as HTMLInputElement;
      slider.value = '5000';
      slider.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await expect.poll(async () => (await replayState()).cursor).toBe(DAY_FROM + (DAY_TO - DAY_FROM) / 2);
    expect(await page.getByTestId('replay-cursor').textContent()).toBe('2025-11-01 12:00:00 -05:00');
  });

  it('shows the reconciliation with the silent gateway flagged', async () => {
    await page.waitForFunction(() => ['flagged', 'ok'].includes((document.querySelector('[data-testid="reconcile-panel"]') as HTMLElement | null)?.dataset.state ?? ''));
    expect(await page.getByTestId('reconcile-panel').getAttribute('data-state')).toBe('flagged');
    expect(await page.getByTestId('reconcile-flags').textContent()).toContain('coverage · pdu/r01-pdu2 — PDU r01-pdu2 sent 97.92 % of the readings expected');
    expect(await page.getByTestId('reconcile-gaps').locator('tbody tr').count()).toBe(4);
    expect(await page.getByTestId('reconcile-adjustments').locator('tbody tr').count()).toBe(2);
  });

  it('shows the monthly report with the MWh of GET /api/energy for that month', async () => {
    await page.waitForFunction(() => (document.querySelector('[data-testid="report-panel"]') as HTMLElement | null)?.dataset.state === 'ready');
    const energy = (await (await fetch(`${kw.url}/api/energy?site=${SITE}&month=2025-11`)).json()) as { meter_kwh: number };
    const expected = (energy.meter_kwh / 1000).toLocaleString('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 3 });
    expect(await page.getByTestId('report-mwh').textContent()).toBe(expected);
    expect(await page.getByTestId('report-suppliers').textContent()).toContain('Oncor');
    expect(await page.getByTestId('report-fleet').locator('tbody tr').count()).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('report-json-check').textContent()).toMatch(/✓ SHA-256 [0-9a-f]{12}… matches its manifest/);
  });

  it('offers an export and its manifest for download, which npm run verify accepts', async () => {
    await page.getByTestId('export-readings-go').click();
    await expect.poll(() => page.getByTestId('export-readings-check').textContent()).toMatch(/matches its manifest/);
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-readings-file').click()]);
    const [manifest] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-readings-manifest').click()]);
    const path = join(dir, file.suggestedFilename());
    expect(manifest.suggestedFilename()).toBe(`${file.suggestedFilename()}.manifest.json`);
    await file.saveAs(path);
    await manifest.saveAs(`${path}.manifest.json`);
    const ok = await run('npm', ['run', '--silent', 'verify', '--', path], { cwd: ROOT });
    expect(ok.stdout).toMatch(/^OK {2}/);
  });

  it('shows the audit log with the exports in it and the chain intact', async () => {
    await page.getByTestId('audit-refresh').click();
    await expect.poll(() => page.getByTestId('audit-chain').getAttribute('data-ok')).toBe('true');
    expect(await page.getByTestId('audit-chain').textContent()).toMatch(/^Chain intact: \d+ entries/);
    expect(await page.getByTestId('audit-entries').textContent()).toContain('GET /api/exports/readings');
    await page.getByTestId('replay-panel').scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'auditors', { fullPage: true });
  });

  it('runs without script errors or policy violations', () => {
    expect(problems).toEqual([]);
  });
});
