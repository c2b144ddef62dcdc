import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { WEB_DIST } from '../../server/src/kilowatch.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where the browser tests leave their screenshots (not tracked; `npm run screenshots` copies the README's). */
export const ARTIFACTS = join(import.meta.dirname, '../../test-artifacts');

/** Debian's Chromium, headless. The flags keep it from reaching for Google's services on a closed network. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM} — install it: apt-get install chromium (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

export interface DashboardPage {
  browser: Browser;
  page: Page;
  /** Every script error and console error the page had (a Content-Security-Policy violation is one). */
  problems: string[];
}

export interface OpenOptions {
  viewport?: { width: number; height: number };
  acceptDownloads?: boolean;
  /** Console errors that are expected (a 401 while logged out) and so are not problems. */
  expected?: RegExp;
  /** For every wait on the page; Playwright's default is 30 s. */
  timeoutMs?: number;
}

/** The built dashboard at `url` in headless Chromium, its problems collected for a last `expect(problems).toEqual([])`. */
export async function openDashboard(url: string, opts: OpenOptions = {}): Promise<DashboardPage> {
  if (!existsSync(join(WEB_DIST, 'index.html'))) throw new Error('the dashboard is not built: run npm run build:web (npm test does)');
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1400, height: 900 }, ...(opts.acceptDownloads && { acceptDownloads: true }) });
    const page = await context.newPage();
    if (opts.timeoutMs !== undefined) page.setDefaultTimeout(opts.timeoutMs);
    const problems: string[] = [];
    page.on('console', (msg) => msg.type() === 'error' && !opts.expected?.test(msg.text()) && problems.push(`console: ${msg.text()}`));
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    await page.goto(url);
    return { browser, page, problems };
  } catch (err) {
    await browser.close();
    throw err;
  }
}

/** Saves what the page shows as test-artifacts/<name>.png. */
export async function saveScreenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: opts.fullPage ?? false });
}
