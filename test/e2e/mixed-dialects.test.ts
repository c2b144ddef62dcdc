import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetFileYaml } from '../../simulators/src/fleet-file.js';
import { createFleet } from '../../simulators/src/fleet.js';
import { startSimulation, type Simulation } from '../../simulators/src/run.js';
import { startMosquitto, type MosquittoHandle } from '../harness/index.js';
import { openDashboard, saveScreenshot } from '../support/browser.js';
import { startKilowatch, waitFor, type RunningKilowatch } from '../support/kilowatch.js';


interface SitesResponse {
  sites: Array<{ site: string; power_w: number }>;
}

/**
 * The proof of `--dialect mixed`: a fleet whose PDUs speak every dialect (native, Sparkplug gateways, Tasmota
 * and Shelly plugs, a Telegraf host) shows correct live totals on the real dashboard in Chromium. The server is
 * started as the simulator says (DIALECTS and the fleet file it writes); then the simulation stops, so the
 * figures hold still, and the dashboard's facility kW must be the sum of the sites' power from /api/sites —
 * every outlet of every dialect counted under its site, none lost to `unassigned`.
 */
describe('a mixed-dialect fleet on the dashboard', () => {
  // 2 sites × 96 rigs at 6 outlets: 16 PDUs a site, enough for every dialect in the blend.
  const shape = { sites: 2, rigs: 96, outletsPerPdu: 6, seed: 3 };
  const fleet = createFleet({ sites: shape.sites, rigsPerSite: shape.rigs, outletsPerPdu: shape.outletsPerPdu, seed: shape.seed, dialect: 'mixed' });
  let mosquitto: MosquittoHandle;
  let kw: RunningKilowatch;
  let sim: Simulation;
  let browser: Browser;
  let page: Page;
  let dir: string;
  let problems: string[] = [];
  const sites = async (): Promise<SitesResponse['sites']> => ((await (await fetch(`${kw.url}/api/sites`)).json()) as SitesResponse).sites;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kw-e2e-mixed-'));
    const fleetPath = join(dir, 'fleet.yaml');
    writeFileSync(fleetPath, fleetFileYaml(fleet.fleetFile(), ['e2e']));
    mosquitto = await startMosquitto();
    // Stale after 10 min: the comparison happens after the simulation stopped, and the figures must not age out.
    kw = await startKilowatch({ MQTT_URL: mosquitto.url, DIALECTS: fleet.serverDialects(), FLEET_FILE: fleetPath, STALE_AFTER_MS: 600_000 });
    sim = await startSimulation({ url: mosquitto.url, ...shape, intervalMs: 1000, dialect: 'mixed' });
    ({ browser, page, problems } = await openDashboard(`${kw.url}/`));
  });
  afterAll(async () => {
    await browser?.close();
    await sim?.stop();
    await kw?.stop();
    await mosquitto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('speaks every dialect', () => {
    expect(fleet.serverDialects()).toBe('native,tasmota,shelly-gen1,sparkplug,line-protocol,shelly-gen2');
    expect(fleet.summary().dialects?.pdus.map((d) => d.dialect).sort()).toEqual(['line', 'native', 'shelly-gen1', 'shelly-gen2', 'sparkplug', 'tasmota']);
  });

  it('shows the facility kW as the sum of the sites, and a card for each site', async () => {
    // Every outlet of every dialect reporting: as many powered outlets per site as rigs, by a few ticks in.
    await waitFor(async () => (await kw.health()).counters.readings_stored > 3 * shape.sites * shape.rigs * 2, async () => JSON.stringify((await kw.health()).counters));
    // Live, every PDU is online: its own status (native, Tasmota LWT, Shelly online, Sparkplug births, each bound
    // to its PDU by the fleet file) or, for the Telegraf host, which sends none, its fresh readings.
    await expect.poll(() => page.getByTestId('pdus-summary').textContent()).toBe(`PDUs ${fleet.summary().pdus} online · 0 offline`);
    await saveScreenshot(page, 'mixed-dialects');
    await sim.stop();
    const shown = async () => Number.parseFloat(((await page.getByTestId('facility-kw').textContent()) ?? '').replace(/,/g, ''));
    // Once the last readings are in, the next frame shows the server's final figures. The figure is kW with one
    // decimal: equal within its rounding.
    let api = await sites();
    await expect.poll(async () => {
      api = await sites();
      return Math.abs((await shown()) - api.reduce((sum, s) => sum + s.power_w, 0) / 1000);
    }, { timeout: 15_000 }).toBeLessThanOrEqual(0.05 + 1e-9);
    expect(api.map((s) => s.site)).toEqual(['site-1', 'site-2']);
    expect(api.every((s) => s.power_w > 0)).toBe(true);
    await expect.poll(() => page.locator('[data-testid="site-card"]').count()).toBe(2);
    for (const s of api) {
      const card = page.locator(`[data-testid="site-card"][data-site="${s.site}"]`);
      await expect.poll(async () => Number.parseFloat(((await card.getByTestId('site-kw').textContent()) ?? '').replace(/,/g, ''))).toBeCloseTo(s.power_w / 1000, 1);
    }
  });

  it('runs without script errors or policy violations', () => {
    expect(problems).toEqual([]);
  });
});
