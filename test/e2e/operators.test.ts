import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDashboard, saveScreenshot } from '../support/browser.js';
import { startKilowatch, waitFor, type RunningKilowatch } from '../support/kilowatch.js';

const ADMIN_PASSWORD = 'admin password for the operators test';
const OPERATOR = { username: 'olivia', password: 'operator password for tests', role: 'operator' };
const BANK_ALERT = 'overload:pdu:site-a/r01-pdu1#bank/bank-1';

/**
 * One site, three racks. r01-pdu1 is a 208 V 3-phase 30 A PDU with three 20 A banks (one per phase pair, two
 * outlets each) feeding Antminer S9s; the rest fill the heat map. Overload rules act within seconds here.
 */
const S9 = { model: 'Antminer S9', w: 1323, ths: 13.5 };
function pdu3(id: string, rack: string): object {
  return {
    id, rating_a: 30, voltage_v: 208, phases: 3,
    breakers: [
      { id: 'bank-1', rating_a: 20, outlets: [1, 2], phase: 'L1-L2' },
      { id: 'bank-2', rating_a: 20, outlets: [3, 4], phase: 'L2-L3' },
      { id: 'bank-3', rating_a: 20, outlets: [5, 6], phase: 'L3-L1' },
    ],
    outlets: [1, 2, 3, 4, 5, 6].map((n) => ({ outlet: n, rig: `a-${rack}-${id.slice(-4)}-u${n}`, model: S9.model })),
  };
}
const FLEET = {
  version: 1,
  sites: [{
    id: 'site-a', name: 'site-a', capacity_kw: 40, continuous_load_pct: 80, meters: [{ id: 'main' }],
    racks: [
      { id: 'r01', pdus: [pdu3('r01-pdu1', 'r01'), pdu3('r01-pdu2', 'r01')] },
      { id: 'r02', pdus: [pdu3('r02-pdu1', 'r02')] },
      { id: 'r03', pdus: [pdu3('r03-pdu1', 'r03')] },
    ],
  }],
  alerts: { overload: { for_s: 2, clear_for_s: 3 }, rig_offline: { for_s: 30 } },
};

/** Publishes every PDU's outlets, every rig's hashrate and the meter once a second, as gateways would. */
class Gateways {
  /** Amps per outlet of r01-pdu1 outlets 1 and 2; the rest draw their S9's nameplate. */
  overload = false;
  private timer: NodeJS.Timeout | null = null;
  constructor(private readonly client: MqttClient) {}

  start(): void {
    const tick = () => void this.publish().catch(() => undefined);
    tick();
    this.timer = setInterval(tick, 1000);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async publish(): Promise<void> {
    const ts = Date.now();
    let it = 0;
    for (const rack of FLEET.sites[0]!.racks) {
      for (const p of rack.pdus as { id: string; outlets: { outlet: number; rig: string }[] }[]) {
        // r03 runs lighter (green on the heat map); r01-pdu1 outlets 1 and 2 jump to 9 A when overloaded.
        const outlets = p.outlets.map((o) => {
          const over = this.overload && p.id === 'r01-pdu1' && o.outlet <= 2;
          const w = over ? 9 * 208 : rack.id === 'r03' ? 0.6 * S9.w : S9.w;
          it += w;
          return { outlet: o.outlet, rig: o.rig, power_w: w, voltage_v: 208, current_a: Math.round((w / 208) * 1000) / 1000, pf: 1 };
        });
        await this.client.publishAsync(`kilowatch/site-a/pdu/${p.id}`, JSON.stringify({ ts, outlets }), { qos: 1 });
        for (const o of p.outlets) {
          const ths = rack.id === 'r03' ? 0.6 * S9.ths : S9.ths;
          await this.client.publishAsync(`kilowatch/site-a/miner/${o.rig}`, JSON.stringify({ ts, hashrate_ths: ths, model: S9.model }), { qos: 1 });
        }
      }
    }
    await this.client.publishAsync('kilowatch/site-a/meter/main', JSON.stringify({ ts, power_w: Math.round(it * 1.12) }), { qos: 1 });
  }
}

/**
 * The operators' page in headless Chromium, logged in as an operator: drill from the facility to a PDU,
 * watch a bank overload raise an alert (and its phases turn red), acknowledge it, and see it clear when the
 * load drops. The server runs in this process (embedded broker, SQLite); the test publishes native payloads.
 */
describe('operations page in Chromium', () => {
  let dir: string;
  let kw: RunningKilowatch;
  let client: MqttClient;
  let gateways: Gateways;
  let browser: Browser;
  let page: Page;
  let problems: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kw-operators-'));
    writeFileSync(join(dir, 'fleet.json'), JSON.stringify(FLEET));
    kw = await startKilowatch({ FLEET_FILE: join(dir, 'fleet.json'), KILOWATCH_ADMIN_PASSWORD: ADMIN_PASSWORD });
    await createOperator(kw.url);
    client = await mqtt.connectAsync(kw.app.mqttUrl, { clientId: 'operators-test-gateways' });
    gateways = new Gateways(client);
    gateways.start();
    // With authentication on, /api/health needs a login: ask the server object itself.
    await waitFor(() => kw.app.counters.snapshot().readings_stored > 0, () => JSON.stringify(kw.app.health()));
    // 401s before the login are expected; anything else is not.
    ({ browser, page, problems } = await openDashboard(`${kw.url}/`, { viewport: { width: 1440, height: 1000 }, expected: /401/ }));
    await page.getByTestId('login-user').fill(OPERATOR.username);
    await page.getByTestId('login-password').fill(OPERATOR.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('nav-operations').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    gateways?.stop();
    await client?.endAsync();
    await kw?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const row = (key: string) => page.locator(`[data-testid="alert-row"][data-key="${key}"]`);

  it('drills down from the facility to a PDU', async () => {
    await page.getByTestId('nav-operations').click();
    await expect.poll(() => page.getByTestId('ops-view').getAttribute('data-node')).toBe('facility');
    await page.locator('[data-testid="child-row"][data-node="site:site-a"] a').click();
    await page.locator('[data-testid="child-row"][data-node="rack:site-a/r01"] a').click();
    await page.locator('[data-testid="child-row"][data-node="pdu:site-a/r01-pdu1"] a').click();
    await expect.poll(() => page.getByTestId('ops-view').getAttribute('data-node')).toBe('pdu:site-a/r01-pdu1');
    expect(new URL(page.url()).hash).toBe('#/operations/pdu%3Asite-a%2Fr01-pdu1');
    expect(await page.title()).toBe('Operations · Kilowatch');
    expect(await page.getByTestId('ops-path').locator('a').allTextContents()).toEqual(['Facility', 'site-a', 'r01', 'r01-pdu1']);
    // Six S9s at 1323 W: 7.9 kW, every rig online; six outlet rows; bank-1 at 2 × 6.361 A = 12.7 A of 16 A (80 % of 20 A).
    await expect.poll(() => page.getByTestId('ops-kw').textContent()).toBe('7.9');
    await expect.poll(() => page.getByTestId('ops-rigs-online').textContent()).toBe('6');
    expect(await page.locator('[data-testid="child-row"]').count()).toBe(6);
    const bank = page.locator('[data-testid="capacity-row"][data-check="pdu:site-a/r01-pdu1#bank/bank-1"]');
    await expect.poll(() => bank.locator('.cap-value').textContent()).toBe('12.7 / 16.0 A');
    expect(await bank.getAttribute('data-level')).toBe('ok');
    // Lines carry √3 × 12.72 A = 22.0 A of 24 A: amber.
    expect(await page.locator('[data-check="pdu:site-a/r01-pdu1#line/L1"]').getAttribute('data-level')).toBe('warn');
    await expect.poll(() => page.locator('[data-testid="heat-tile"]').count()).toBe(3);
  });

  it('raises an overload alert when a bank goes over its limit, and the operator acknowledges it', async () => {
    gateways.overload = true; // outlets 1 and 2 to 9 A: bank-1 at 18 A of 16 A
    await row(BANK_ALERT).waitFor({ timeout: 30_000 });
    expect(await row(BANK_ALERT).getAttribute('data-state')).toBe('active');
    expect(await row(BANK_ALERT).locator('.alert-message').textContent()).toBe('bank-1 (L1-L2) at 18.0 A = 113 % of its 16.0 A continuous limit (80 % of 20.0 A); current measured');
    const bank = page.locator('[data-testid="capacity-row"][data-check="pdu:site-a/r01-pdu1#bank/bank-1"]');
    await expect.poll(() => bank.getAttribute('data-level')).toBe('over');
    // Per phase too: L1 = |I₁₂ − I₃₁| = √(18² + 12.72² + 18 · 12.72) = 26.7 A of 24 A.
    await row('overload:pdu:site-a/r01-pdu1#line/L1').waitFor();
    await expect.poll(() => page.locator('[data-testid="heat-tile"][data-node="rack:site-a/r01"]').getAttribute('data-level')).toBe('over');
    await saveScreenshot(page, 'operators', { fullPage: true });

    await row(BANK_ALERT).getByTestId('alert-ack').click();
    await expect.poll(() => row(BANK_ALERT).getAttribute('data-state')).toBe('acked');
    expect(await row(BANK_ALERT).locator('.alert-state').textContent()).toBe(`acknowledged by ${OPERATOR.username}`);
    const stored = await api<{ alerts: { key: string; acked_by: string | null }[] }>(kw.url, '/api/alerts');
    expect(stored.alerts.find((a) => a.key === BANK_ALERT)?.acked_by).toBe(OPERATOR.username);
  });

  it('clears the alert when the load drops back under the limit', async () => {
    gateways.overload = false;
    await expect.poll(() => row(BANK_ALERT).getAttribute('data-state'), { timeout: 30_000 }).toBe('cleared');
    const bank = page.locator('[data-testid="capacity-row"][data-check="pdu:site-a/r01-pdu1#bank/bank-1"]');
    expect(await bank.getAttribute('data-level')).toBe('ok');
    const active = await api<{ alerts: { key: string }[] }>(kw.url, '/api/alerts');
    expect(active.alerts.filter((a) => a.key.startsWith('overload:'))).toEqual([]);
  });

  it('runs without script errors or policy violations', () => {
    expect(problems).toEqual([]);
  });
});

async function adminCookie(url: string): Promise<string> {
  const res = await fetch(`${url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

async function createOperator(url: string): Promise<void> {
  const cookie = await adminCookie(url);
  const res = await fetch(`${url}/api/users`, { method: 'POST', headers: { cookie, origin: url, 'content-type': 'application/json' }, body: JSON.stringify(OPERATOR) });
  if (res.status !== 201) throw new Error(`could not create the operator: HTTP ${res.status} ${await res.text()}`);
}

async function api<T>(url: string, path: string): Promise<T> {
  const res = await fetch(`${url}${path}`, { headers: { cookie: await adminCookie(url) } });
  return (await res.json()) as T;
}
