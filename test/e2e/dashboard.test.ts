import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulation, type Simulation } from '../../simulators/src/run.js';
import { startInfluxd, startMosquitto, type InfluxdHandle, type MosquittoHandle } from '../harness/index.js';
import { openDashboard, saveScreenshot } from '../support/browser.js';
import { startKilowatch, waitFor, type RunningKilowatch } from '../support/kilowatch.js';


interface TestHook {
  framesReceived: number;
  chartPoints(): number;
}

/** The real dashboard in headless Chromium, fed by a simulated fleet through Mosquitto and InfluxDB. */
describe('dashboard in Chromium', () => {
  let mosquitto: MosquittoHandle;
  let influxd: InfluxdHandle;
  let kw: RunningKilowatch;
  let sim: Simulation;
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];

  beforeAll(async () => {
    [mosquitto, influxd] = await Promise.all([startMosquitto(), startInfluxd()]);
    kw = await startKilowatch({ MQTT_URL: mosquitto.url, INFLUX_URL: influxd.url, INFLUX_DB: 'e2e' });
    // The fleet size the dashboard must stay smooth with: 2 sites × 500 rigs, every second.
    sim = await startSimulation({ url: mosquitto.url, sites: 2, rigs: 500, intervalMs: 1000, seed: 3 });
    await waitFor(async () => (await kw.health()).counters.readings_stored > 0, async () => JSON.stringify(await kw.health()));
    ({ browser, page, problems } = await openDashboard(`${kw.url}/`));
  });
  afterAll(async () => {
    await browser?.close();
    await sim?.stop();
    await kw?.stop();
    await Promise.all([mosquitto?.stop(), influxd?.dispose()]);
  });

  it('shows a non-zero facility kW figure and the sites', async () => {
    await page.waitForFunction(() => {
      const text = document.querySelector('[data-testid="facility-kw"]')?.textContent ?? '';
      return Number.parseFloat(text.replace(/[^0-9.]/g, '')) > 0;
    });
    const kwText = await page.getByTestId('facility-kw').textContent();
    const apiKw = ((await (await fetch(`${kw.url}/api/sites`)).json()) as { sites: { power_w: number }[] }).sites.reduce((s, x) => s + x.power_w, 0) / 1000;
    // Same order of magnitude as the API right now (the figure moves every second).
    expect(Number.parseFloat(kwText!.replace(/[^0-9.]/g, ''))).toBeGreaterThan(apiKw * 0.5);
    await expect.poll(() => page.locator('[data-testid="site-card"]').count()).toBe(2);
  });

  it('updates the live chart as frames arrive', async () => {
    const hook = () => page.evaluate(() => {
      const k = (window as unknown as { __kilowatch: TestHook }).__kilowatch;
      return { frames: k.framesReceived, points: k.chartPoints() };
    });
    const before = await hook();
    await page.waitForFunction((n) => (window as unknown as { __kilowatch: TestHook }).__kilowatch.framesReceived >= n + 3, before.frames);
    const after = await hook();
    expect(after.frames).toBeGreaterThanOrEqual(before.frames + 3);
    expect(after.points).toBeGreaterThan(before.points);
    await saveScreenshot(page, 'dashboard');
  });

  it('runs without script errors or policy violations', () => {
    expect(problems).toEqual([]);
  });
});
