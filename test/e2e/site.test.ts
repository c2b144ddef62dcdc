import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_SIZE } from '../../web/src/components/rig-table.js';
import { startSimulation, type Simulation } from '../../simulators/src/run.js';
import { openDashboard, saveScreenshot } from '../support/browser.js';
import { startKilowatch, waitFor, type RunningKilowatch } from '../support/kilowatch.js';

const SITE = 'site-1';
/** The fleet size the rig table must stay smooth with. */
const RIGS_PER_SITE = 500;
const UNKNOWN = '—';
/** expect.poll gives up after 1 s by default; a refresh here may take its full 5 s, more on a busy machine. */
const POLL = { timeout: 30_000 };

interface TestHook {
  siteFramesReceived: number;
}

interface EfficiencyBody {
  rigs: { rig: string; jth: number | null; energy_completeness: number | null; hash_completeness: number }[];
}

/** Rigs without two readings of power and of hashrate in the hour yet: no J/TH possible for them. */
function pending(body: EfficiencyBody): EfficiencyBody['rigs'] {
  return body.rigs.filter((r) => !(r.hash_completeness > 0 && (r.energy_completeness ?? 0) > 0));
}

/** Numbers as the page prints them ("1,607.5", "+6.4 %", "-2.0 %"). */
function numberIn(text: string | null): number {
  return Number.parseFloat((text ?? '').replace(/[^0-9.+-]/g, ''));
}

/**
 * The site page in headless Chromium: the server in this process (embedded broker, SQLite), a
 * simulated fleet of 2 sites × 500 rigs publishing every second.
 */
describe('site page in Chromium', () => {
  let kw: RunningKilowatch;
  let sim: Simulation;
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];

  beforeAll(async () => {
    kw = await startKilowatch();
    sim = await startSimulation({ url: kw.app.mqttUrl, sites: 2, rigs: RIGS_PER_SITE, intervalMs: 1000, seed: 3 });
    // The page asks for the hour's efficiency once on opening and then every minute: wait until the
    // server has two readings of every running rig, so that first answer has a J/TH for each.
    const efficiency = async (): Promise<EfficiencyBody> => {
      // waitFor polls every 100 ms; an hour's efficiency is a heavy query for the server under test.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const now = Date.now();
      const res = await fetch(`${kw.url}/api/efficiency?site=${SITE}&from=${now - 3_600_000}&to=${now}`);
      return (await res.json()) as EfficiencyBody;
    };
    await waitFor(
      async () => {
        const body = await efficiency();
        return body.rigs.length === RIGS_PER_SITE && pending(body).length === 0 && body.rigs.some((r) => r.jth !== null);
      },
      async () => JSON.stringify(pending(await efficiency()).slice(0, 3)),
    );
    // The server, its broker, the fleet and this driver share one Node process: on a busy machine a
    // long store query stalls the driver's own calls too, so allow more than Playwright's 30 s.
    ({ browser, page, problems } = await openDashboard(`${kw.url}/`, { timeoutMs: 60_000 }));
  });
  afterAll(async () => {
    await browser?.close();
    await sim?.stop();
    await kw?.stop();
  });

  it('opens from the overview by clicking a site card', async () => {
    const card = page.locator(`[data-testid="site-card"][data-site="${SITE}"]`);
    await card.waitFor();
    await card.click();
    await page.getByTestId('site-view').waitFor();
    expect(await page.getByTestId('site-view').getAttribute('data-site')).toBe(SITE);
    expect(new URL(page.url()).hash).toBe(`#/site/${SITE}`);
    expect(await page.getByTestId('nav-site').textContent()).toBe(SITE);
    expect(await page.title()).toBe(`${SITE} · Kilowatch`);
  });

  it('shows the site load from its frames', async () => {
    // The figures come from `site:frame`, which the server sends only after the page subscribed.
    await page.waitForFunction(() => (window as unknown as { __kilowatch: TestHook }).__kilowatch.siteFramesReceived >= 2);
    await page.waitForFunction(() => {
      const text = document.querySelector('[data-testid="site-kw"]')?.textContent ?? '';
      return Number.parseFloat(text.replace(/[^0-9.]/g, '')) > 0;
    });
    const sites = ((await (await fetch(`${kw.url}/api/sites`)).json()) as { sites: { site: string; power_w: number }[] }).sites;
    const apiKw = (sites.find((s) => s.site === SITE)?.power_w ?? 0) / 1000;
    // Same order of magnitude as the API right now (the figure moves every second).
    expect(numberIn(await page.getByTestId('site-kw').textContent())).toBeGreaterThan(apiKw * 0.5);
  });

  it('lists every rig of the site, a page at a time', async () => {
    await expect.poll(() => page.getByTestId('rig-count').textContent(), POLL).toMatch(new RegExp(`^${RIGS_PER_SITE} rigs · `));
    // Only the page shown is in the document.
    expect(await page.locator('[data-testid="rig-table"] [data-testid="rig-row"]').count()).toBe(PAGE_SIZE);
    // By rig, so that the order holds still while paging (the default, by drift, moves with the data).
    await page.locator('[data-testid="rig-table"] th[data-key="rig"] button').click();
    const rowIds = () => page.locator('[data-testid="rig-row"]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.rig ?? ''));
    const ids: string[] = [];
    const pages = Math.ceil(RIGS_PER_SITE / PAGE_SIZE);
    for (let p = 0; p < pages; p++) {
      if (p > 0) await page.getByTestId('rig-page-next').click();
      const last = Math.min((p + 1) * PAGE_SIZE, RIGS_PER_SITE);
      await expect.poll(() => page.getByTestId('rig-page').textContent(), POLL).toBe(`rows ${p * PAGE_SIZE + 1}–${last} of ${RIGS_PER_SITE}`);
      ids.push(...(await rowIds()));
    }
    expect(await page.getByTestId('rig-page-next').isDisabled()).toBe(true);
    expect(ids).toHaveLength(RIGS_PER_SITE);
    expect(new Set(ids).size).toBe(RIGS_PER_SITE);
    expect(ids.every((id) => id.startsWith(`${SITE}-`))).toBe(true);
    expect(ids).toEqual([...ids].sort());
    // Back to the default order (worst drift first); a new sort shows its first page.
    await page.locator('[data-testid="rig-table"] th[data-key="drift"] button').click();
    await expect.poll(() => page.getByTestId('rig-page').textContent(), POLL).toBe(`rows 1–${PAGE_SIZE} of ${RIGS_PER_SITE}`);
  });

  it("fills each running rig's J/TH over the hour and its drift, worst drift first", async () => {
    const cells = () =>
      page.locator('[data-testid="rig-row"][data-online="true"]').evaluateAll((rows) =>
        rows.map((r) => ({
          hour: r.querySelector('[data-testid="rig-jth-hour"]')?.textContent ?? '',
          now: r.querySelector('[data-testid="rig-jth-now"]')?.textContent ?? '',
          drift: r.querySelector('[data-testid="rig-drift"]')?.textContent ?? '',
        })),
      );
    await expect.poll(async () => (await cells()).filter((c) => c.hour !== UNKNOWN).length, POLL).toBeGreaterThan(0);
    const running = await cells();
    expect(running.length).toBeGreaterThan(0);
    expect(running.filter((c) => c.hour === UNKNOWN)).toEqual([]);
    expect(running.filter((c) => c.now === UNKNOWN)).toEqual([]);
    // Every simulated model is on the nameplate sheet, so every running rig has a drift.
    expect(running.filter((c) => !/^[+-]?\d+\.\d\u202f%$/.test(c.drift))).toEqual([]);
    const drifts = running.map((c) => numberIn(c.drift));
    expect(drifts).toEqual([...drifts].sort((a, b) => b - a));
    expect(await page.getByTestId('site-overhead').textContent()).toMatch(/^\d+\.\d\d$/);
  });

  it('sorts by a clicked column and filters by rig', async () => {
    await page.locator('[data-testid="rig-table"] th[data-key="rig"] button').click();
    const ids = () => page.locator('[data-testid="rig-row"]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.rig ?? ''));
    await expect.poll(async () => (await ids())[0], POLL).toBe(`${SITE}-r01-u01`);
    const sorted = await ids();
    expect(sorted).toEqual([...sorted].sort());
    await page.getByTestId('rig-filter').fill(`${SITE}-r02-u1`);
    // Rack 2's units 10 to 19 (24 units a rack, zero-padded).
    await expect.poll(async () => (await ids()).length, POLL).toBe(10);
    await page.getByTestId('rig-filter').fill('');
    await expect.poll(async () => (await ids()).length, POLL).toBe(Math.min(PAGE_SIZE, RIGS_PER_SITE));
    await page.locator('[data-testid="rig-table"] th[data-key="drift"] button').click();
    // Clicking scrolled the table into view; the artifact should show the page from its top.
    await page.evaluate(() => window.scrollTo(0, 0));
    await saveScreenshot(page, 'site', { fullPage: true });
  });

  it('says so for a site the server does not know', async () => {
    await page.goto(`${kw.url}/#/site/no-such-site`);
    await page.getByTestId('site-notice').waitFor();
    expect(await page.getByTestId('site-notice').textContent()).toBe('No readings from a site “no-such-site” yet: check the link, or wait for its first frame.');
    await expect.poll(() => page.getByTestId('rig-table').locator('[data-testid="rig-row"]').count(), POLL).toBe(0);
    expect(await page.getByTestId('nav-site').textContent()).toBe('no-such-site');
  });

  it('goes back to the overview from the breadcrumb', async () => {
    await page.locator('#nav a', { hasText: 'Overview' }).click();
    await expect.poll(() => page.locator('[data-testid="site-card"]').count(), POLL).toBe(2);
    expect(await page.getByTestId('site-view').count()).toBe(0);
  });

  it('runs without script errors or policy violations', () => {
    expect(problems).toEqual([]);
  });
});
