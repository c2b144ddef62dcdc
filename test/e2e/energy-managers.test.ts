import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComparisonAnswer, DailyAnswer } from '../../server/src/comparison/types.js';
import { runHistory } from '../../simulators/src/history.js';
import { formatNumber } from '../../web/src/lib/format.js';
import { COLUMNS } from '../../web/src/views/comparison-model.js';
import { openDashboard, saveScreenshot } from '../support/browser.js';
import { startKilowatch, waitFor, type RunningKilowatch } from '../support/kilowatch.js';

const ADMIN_PASSWORD = 'a long enough admin password';
const MANAGER_PASSWORD = 'energy manager password';
const DAY = 86_400_000;

/**
 * Both sites keep a zone ahead of UTC, so their local days up to yesterday (UTC) are over: the figures of the
 * compared period no longer move while the test reads them. Kathmandu's +05:45 puts its days at :15 past a UTC
 * hour, so its edges come from minute buckets.
 */
const FLEET = `version: 1
sites:
  - id: site-1
    name: Frankfurt
    time_zone: Europe/Berlin
    tariff:
      periods:
        - { name: peak, price_per_kwh: 0.21, days: [mon, tue, wed, thu, fri], hours: [{ from: 8, to: 20 }] }
      price_per_kwh: 0.11
      demand_charge_per_kw: 8
    carbon: { kg_per_kwh: 0.38 }
  - id: site-2
    name: Kathmandu
    time_zone: Asia/Kathmandu
    tariff: { price_per_kwh: 0.07, demand_charge_per_kw: 5 }
    carbon: { kg_per_kwh: 0.02, source: hydro }
`;

const isoDate = (ts: number) => new Date(ts).toISOString().slice(0, 10);

/** The energy managers' page in headless Chromium, logged in as an energy manager, against the API's own answer. */
describe('energy managers\' comparison page in Chromium', () => {
  let kw: RunningKilowatch;
  let browser: Browser;
  let page: Page;
  let dir = '';
  let token = '';
  let problems: string[] = [];
  // Yesterday and the day before, as local dates: UTC's dates, which both sites' zones have finished.
  const today = Date.parse(`${isoDate(Date.now())}T00:00:00Z`);
  const from = isoDate(today - 2 * DAY);
  const to = isoDate(today - DAY);
  const query = `period=custom&from=${from}&to=${to}`;

  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${kw.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kw-e2e-cmp-'));
    writeFileSync(join(dir, 'fleet.yaml'), FLEET);
    kw = await startKilowatch({ FLEET_FILE: join(dir, 'fleet.yaml'), KILOWATCH_ADMIN_PASSWORD: ADMIN_PASSWORD });
    const login = await fetch(`${kw.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const admin = { cookie, origin: kw.url, 'content-type': 'application/json' };
    expect((await fetch(`${kw.url}/api/users`, { method: 'POST', headers: admin, body: JSON.stringify({ username: 'erin', role: 'energy_manager', password: MANAGER_PASSWORD }) })).status).toBe(201);
    const created = await fetch(`${kw.url}/api/tokens`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'e2e-manager', role: 'energy_manager' }) });
    token = ((await created.json()) as { token: string }).token;
    // Two sites × 3 rigs every 5 minutes, from before the Kathmandu day began until the end of the UTC day.
    const history = await runHistory({ url: kw.app.mqttUrl, sites: 2, rigs: 3, intervalMs: 300_000, seed: 21, from: today - 2 * DAY - 6 * 3_600_000, to: today, maxInFlight: 50, drainTimeoutMs: 120_000 });
    expect(history.drained).toBe(true);
    await waitFor(
      async () => {
        const backlog = kw.app.rollups.ledger.backlog();
        const health = (await (await fetch(`${kw.url}/api/health`, { headers: { authorization: `Bearer ${token}` } })).json()) as { counters: { readings_stored: number } };
        return health.counters.readings_stored >= history.readings && backlog.fresh + backlog.minutes + backlog.hours === 0;
      },
      () => JSON.stringify(kw.app.rollups.ledger.backlog()),
      600_000,
    );
    // 401s before the login are expected; anything else is not.
    ({ browser, page, problems } = await openDashboard(`${kw.url}/`, { viewport: { width: 1500, height: 1000 }, expected: /401/ }));
  }, 900_000);
  afterAll(async () => {
    await browser?.close();
    await kw?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs in as an energy manager and opens the comparison from the navigation', async () => {
    await page.getByTestId('login-user').fill('erin');
    await page.getByTestId('login-password').fill(MANAGER_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('nav-comparison').click();
    await page.getByTestId('comparison-view').waitFor();
    expect(await page.title()).toBe('Comparison · Kilowatch');
    expect(await page.getByTestId('cmp-period-this-month').getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => page.locator('[data-testid="cmp-row"]').count()).toBe(2);
  });

  it('shows, for a custom period, the same figures and totals as GET /api/comparison', async () => {
    await page.getByTestId('cmp-period-custom').click();
    await page.getByTestId('cmp-from').fill(from);
    await page.getByTestId('cmp-to').fill(to);
    await page.getByTestId('cmp-apply').click();
    await expect.poll(() => page.getByTestId('cmp-csv').getAttribute('href')).toBe(`/api/comparison.csv?${query}`);
    const answer = await api<ComparisonAnswer>(`/api/comparison?${query}`);
    expect(answer.sites.map((s) => s.site)).toEqual(['site-1', 'site-2']);
    for (const s of answer.sites) {
      expect(s.kwh).toBeGreaterThan(0);
      expect(s.cost!.total).toBeGreaterThan(0);
      const row = page.locator(`[data-testid="cmp-row"][data-site="${s.site}"]`);
      await expect.poll(() => row.getByTestId('cmp-kwh').textContent()).toBe(formatNumber(s.kwh, 1));
      for (const c of COLUMNS.slice(1)) expect(await row.getByTestId(`cmp-${c.key}`).textContent(), `${s.site} ${c.key}`).toBe(c.text(s));
    }
    const t = answer.totals;
    expect(await page.getByTestId('cmp-total-kwh').textContent()).toBe(formatNumber(t.kwh, 1));
    expect(await page.getByTestId('cmp-total-meter_kwh').textContent()).toBe(formatNumber(t.meter_kwh, 1));
    expect(await page.getByTestId('cmp-total-cost').textContent()).toBe(formatNumber(t.cost, 2));
    expect(await page.getByTestId('cmp-total-site').textContent()).toBe('2 sites · USD');
    expect(await page.getByTestId('cmp-total-carbon_t').textContent()).toBe(formatNumber(t.carbon_tonnes, 3));
    // The totals are the sites' figures added up.
    expect(t.kwh).toBe(Math.round((answer.sites[0]!.kwh + answer.sites[1]!.kwh) * 1e6) / 1e6);
    expect(t.cost).toBeCloseTo(answer.sites[0]!.cost!.total + answer.sites[1]!.cost!.total, 6);
  });

  it('sorts by a column, and the bar chart follows', async () => {
    const answer = await api<ComparisonAnswer>(`/api/comparison?${query}`);
    await page.locator('th[data-key="cost"] button').click();
    const byCost = [...answer.sites].sort((a, b) => b.cost!.total - a.cost!.total).map((s) => s.site);
    await expect.poll(() => page.locator('[data-testid="cmp-row"]').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.site))).toEqual(byCost);
    expect(await page.locator('th[data-key="cost"]').getAttribute('aria-sort')).toBe('descending');
    expect(await page.getByTestId('cmp-bar-metric').inputValue()).toBe('cost');
  });

  it('draws the daily trend from GET /api/comparison/daily and lists cost by time-of-use period', async () => {
    const daily = await api<DailyAnswer>(`/api/comparison/daily?${query}`);
    expect(daily.sites.map((s) => s.days.map((d) => d.date))).toEqual([[from, to], [from, to]]);
    const trend = page.getByTestId('cmp-trend-chart');
    await expect.poll(() => trend.getAttribute('data-series')).toBe('site-1,site-2');
    expect(await trend.getAttribute('data-days')).toBe(`${from},${to}`);
    const details = page.locator('[data-testid="cmp-detail"][data-site="site-1"] [data-testid="cmp-tou"] tbody tr');
    const site1 = (await api<ComparisonAnswer>(`/api/comparison?${query}`)).sites[0]!;
    await expect.poll(() => details.count()).toBe(site1.cost!.periods.length + 1);
    await saveScreenshot(page, 'energy-managers', { fullPage: true });
  });

  it('offers the table and the days as CSV downloads', async () => {
    const csv = await page.evaluate(async (href) => {
      const res = await fetch(href);
      return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
    }, `/api/comparison.csv?${query}`);
    expect(csv.status).toBe(200);
    expect(csv.type).toBe('text/csv; charset=utf-8');
    expect(csv.text.split('\r\n').map((r) => r.split(',')[0])).toEqual(['site', 'site-1', 'site-2', '']);
    expect(await page.getByTestId('cmp-csv-daily').getAttribute('href')).toBe(`/api/comparison/daily.csv?${query}`);
  });

  it('runs without script errors or policy violations', () => {
    expect(problems).toEqual([]);
  });
});
