import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulation, type Simulation } from '../../simulators/src/run.js';
import { openDashboard, saveScreenshot } from '../support/browser.js';
import { startKilowatch, type RunningKilowatch } from '../support/kilowatch.js';

const PASSWORD = 'a long enough admin password';

/** With authentication on, the dashboard asks for a login first, then goes live; logging out ends it. */
describe('dashboard login in Chromium', () => {
  let kw: RunningKilowatch;
  let sim: Simulation;
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];

  beforeAll(async () => {
    kw = await startKilowatch({ KILOWATCH_ADMIN_PASSWORD: PASSWORD });
    sim = await startSimulation({ url: kw.app.mqttUrl, sites: 1, rigs: 24, intervalMs: 1000, seed: 5 });
    // 401s while logged out are expected; anything else is not.
    ({ browser, page, problems } = await openDashboard(`${kw.url}/`, { viewport: { width: 1200, height: 800 }, expected: /401/ }));
  });
  afterAll(async () => {
    await browser?.close();
    await sim?.stop();
    await kw?.stop();
  });

  it('shows the login form and says when the password is wrong', async () => {
    await page.getByTestId('login-user').fill('admin');
    await page.getByTestId('login-password').fill('not the password at all');
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('login-error').textContent()).toBe('wrong user name or password');
    mkdirSync(join(import.meta.dirname, '../../test-artifacts'), { recursive: true });
    await saveScreenshot(page, 'login');
  });

  it('goes live after a good login, over the authenticated socket', async () => {
    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.waitForFunction(() => (window as unknown as { __kilowatch?: { framesReceived: number } }).__kilowatch?.framesReceived! >= 2);
    expect(await page.getByTestId('user').textContent()).toContain('admin · admin');
  });

  it('returns to the login form after logging out', async () => {
    await page.getByTestId('logout').click();
    await page.getByTestId('login-user').waitFor();
    expect((await fetch(`${kw.url}/api/sites`)).status).toBe(401);
    expect(problems).toEqual([]);
  });
});
