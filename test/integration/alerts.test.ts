import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pino from 'pino';
import { io as connectSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertStore } from '../../server/src/operations/alert-store.js';
import { AlertService } from '../../server/src/operations/alerts.js';
import { OPS_NAMESPACE, type OpsNodeFrame, type OpsNodeView } from '../../server/src/live/events.js';
import type { AlertRecord } from '../../server/src/operations/contract.js';
import type { Signal } from '../../server/src/operations/engine.js';
import { WebhookSender } from '../../server/src/operations/webhook.js';
import { startKilowatch, waitFor, type RunningKilowatch } from '../support/kilowatch.js';

const silent = pino({ level: 'silent' });

interface Received {
  at: number;
  headers: IncomingMessage['headers'];
  body: { event: string; change: string; alert: AlertRecord };
  raw: string;
}

/** A real webhook receiver on a free port: answers each request with the next status in `script` (then 200). */
async function receiver(script: number[] = []): Promise<{ url: string; got: Received[]; attempts: number[]; close(): Promise<void> }> {
  const got: Received[] = [];
  const attempts: number[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      attempts.push(Date.now());
      const status = script.shift() ?? 200;
      if (status === 200) got.push({ at: Date.now(), headers: req.headers, body: JSON.parse(raw) as Received['body'], raw });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, got, attempts, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const signal = (raise: boolean, clear: boolean): Signal => ({
  key: 'overload:pdu:s/p1#bank/b1', rule: 'overload', severity: 'critical', site: 's', node: 'pdu:s/p1', subject: 's › p1 › b1', message: 'b1 at 18.0 A',
  value: 18, threshold: 16, unit: 'A', raise, clear, forMs: 0, clearForMs: 0,
});

describe('alert storage and webhook', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kw-alerts-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores alerts, retries the webhook with backoff in order, and signs each body', async () => {
    const hook = await receiver([503, 503]);
    const store = new AlertStore(join(dir, 'a.db'));
    store.open();
    const sender = new WebhookSender(store, { url: hook.url, attempts: 5, backoffMs: 100, secret: 's3cret' }, silent);
    const alerts = new AlertService(store, sender, silent);
    sender.start();
    try {
      alerts.step([signal(true, false)], 1000); // raised
      alerts.step([signal(false, true)], 2000); // cleared
      // Done when the receiver has both and the sender has heard its answers (the outbox is empty).
      await waitFor(() => hook.got.length === 2 && store.outboxSize() === 0, () => `got ${hook.got.length} after ${hook.attempts.length} attempts`, 10_000);
      // Two 503s, then the raise, then the clear — never the clear before the raise it follows.
      expect(hook.got.map((g) => g.body.event)).toEqual(['alert.raised', 'alert.cleared']);
      expect(hook.attempts).toHaveLength(4);
      const [a0, a1, a2] = hook.attempts as [number, number, number];
      expect(a1 - a0).toBeGreaterThanOrEqual(95); // 100 ms, then 200 ms (timers may fire a few ms early)
      expect(a2 - a1).toBeGreaterThanOrEqual(195);
      for (const g of hook.got) expect(g.headers['x-kilowatch-signature']).toBe(`sha256=${createHmac('sha256', 's3cret').update(g.raw).digest('hex')}`);
      expect(hook.got[1]!.body.alert).toMatchObject({ id: 1, key: 'overload:pdu:s/p1#bank/b1', raised_at: 1000, cleared_at: 2000, value: 18, peak: 18 });
      expect(store.list({ state: 'all', limit: 10 })).toMatchObject([{ id: 1, cleared_at: 2000 }]);
    } finally {
      await sender.stop();
      store.close();
      await hook.close();
    }
  });

  it('drops a notification the receiver refuses for good (4xx), and keeps what is owed across a restart', async () => {
    const hook = await receiver([404]);
    const path = join(dir, 'b.db');
    let store = new AlertStore(path);
    store.open();
    let sender = new WebhookSender(store, { url: hook.url, attempts: 5, backoffMs: 50 }, silent);
    const alerts = new AlertService(store, sender, silent);
    alerts.step([signal(true, false)], 1000);
    sender.start();
    await waitFor(() => hook.attempts.length === 1 && store.outboxSize() === 0, () => `attempts ${hook.attempts.length}`, 5000);
    expect([hook.got.length, sender.failed]).toEqual([0, 1]);
    // The process stops its sender, then the alert clears: the notification waits on disk for the next process.
    await sender.stop();
    alerts.step([signal(false, true)], 2000);
    expect(store.outboxSize()).toBe(1);
    store.close();
    store = new AlertStore(path);
    store.open();
    sender = new WebhookSender(store, { url: hook.url, attempts: 5, backoffMs: 50 }, silent);
    sender.start();
    await waitFor(() => hook.got.length === 1, () => `got ${hook.got.length}`, 5000);
    expect(hook.got[0]!.body).toMatchObject({ event: 'alert.cleared', alert: { id: 1, cleared_at: 2000 } });
    await sender.stop();
    store.close();
    await hook.close();
  });
});

/** A 240 V single-phase 30 A PDU with one 20 A bank on outlets 1 and 2; rules that act within a second. */
const FLEET = {
  version: 1,
  sites: [{ id: 's', racks: [{ id: 'r01', pdus: [{ id: 'p1', rating_a: 30, voltage_v: 240, phases: 1, breakers: [{ id: 'b1', rating_a: 20, outlets: [1, 2] }], outlets: [{ outlet: 1 }, { outlet: 2 }] }] }] }],
  alerts: { overload: { for_s: 1, clear_for_s: 1 }, pdu_offline: { enabled: false } },
};
const KEY = 'overload:pdu:s/p1#bank/b1';
const ADMIN_PASSWORD = 'admin password for the alerts test';

describe('alerts through the server: raise, acknowledge, survive a restart, clear', () => {
  let dir: string;
  let hook: Awaited<ReturnType<typeof receiver>>;
  let kw: RunningKilowatch;
  const tokens: Record<string, string> = {};
  let amps = 9; // per outlet: 18 A on the bank, 16 A allowed
  let timer: NodeJS.Timeout | undefined;
  let client: mqtt.MqttClient | undefined;

  async function start(): Promise<void> {
    kw = await startKilowatch({ DATA_DIR: dir, FLEET_FILE: join(dir, 'fleet.json'), ALERT_WEBHOOK_URL: hook.url, KILOWATCH_ADMIN_PASSWORD: ADMIN_PASSWORD });
    client = await mqtt.connectAsync(kw.app.mqttUrl, { clientId: 'alerts-test-gateway' });
    const publish = () => {
      const outlets = [1, 2].map((outlet) => ({ outlet, power_w: amps * 240, current_a: amps, voltage_v: 240 }));
      client?.publish('kilowatch/s/pdu/p1', JSON.stringify({ ts: Date.now(), outlets }), { qos: 1 });
    };
    publish();
    timer = setInterval(publish, 500);
  }
  async function stop(): Promise<void> {
    clearInterval(timer);
    await client?.endAsync();
    await kw.stop();
  }
  const call = (method: string, path: string, token: string, headers: Record<string, string> = {}) =>
    fetch(`${kw.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...headers } });
  /** The auditors' route, as an auditor reads it: the entries about alerts, and the chain's state. */
  const auditOfAlerts = async () => {
    const res = await call('GET', '/api/audit', tokens.auditor!);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { entries: Array<{ seq: number; at: number; actor: string; role: string; action: string; target: string; detail: Record<string, unknown> }>; chain: { ok: boolean; entries: number } };
    return { entries: body.entries.filter((e) => e.action.startsWith('POST /api/alerts/')), all: body.entries.length, chain: body.chain };
  };
  const active = async (): Promise<AlertRecord[]> => ((await (await call('GET', '/api/alerts', tokens.operator!)).json()) as { alerts: AlertRecord[] }).alerts;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kw-alerts-server-'));
    writeFileSync(join(dir, 'fleet.json'), JSON.stringify(FLEET));
    hook = await receiver();
    await start();
    const login = await fetch(`${kw.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    tokens.cookie = cookie;
    for (const role of ['operator', 'energy_manager', 'auditor']) {
      const res = await fetch(`${kw.url}/api/tokens`, { method: 'POST', headers: { cookie, origin: kw.url, 'content-type': 'application/json' }, body: JSON.stringify({ name: `t-${role}`, role }) });
      tokens[role] = ((await res.json()) as { token: string }).token;
    }
  });
  afterAll(async () => {
    await stop().catch(() => undefined);
    await hook.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('raises the overload, stores it and sends it to the webhook', async () => {
    await waitFor(async () => (await active()).some((a) => a.key === KEY), async () => JSON.stringify(await active()), 20_000);
    const [alert] = await active();
    expect(alert).toMatchObject({ key: KEY, rule: 'overload', severity: 'critical', node: 'pdu:s/p1', subject: 's › p1 › b1', value: 18, threshold: 16, unit: 'A', cleared_at: null, acked_at: null });
    expect(alert!.message).toBe('b1 at 18.0 A = 113 % of its 16.0 A continuous limit (80 % of 20.0 A); current measured');
    await waitFor(() => hook.got.some((g) => g.body.event === 'alert.raised'), () => JSON.stringify(hook.got.map((g) => g.body.event)), 10_000);
    expect(hook.got[0]!.body).toMatchObject({ event: 'alert.raised', change: 'raised', alert: { id: alert!.id, key: KEY } });
  });

  it('serves the operations socket to logged-in clients only: the watched node once a second', async () => {
    const open = (auth?: { token: string }) =>
      new Promise<{ error?: string; view?: OpsNodeView; frame?: OpsNodeFrame }>((resolve) => {
        const socket = connectSocket(`${kw.url}${OPS_NAMESPACE}`, { transports: ['websocket'], reconnection: false, ...(auth && { auth }) });
        socket.on('connect_error', (err) => resolve({ error: err.message }));
        socket.on('connect', () => {
          socket.emit('ops:watch', { node: 'pdu:s/p1' }, (res: { ok: boolean; data: OpsNodeView }) => {
            socket.once('ops:node', (frame: OpsNodeFrame) => {
              socket.close();
              resolve({ view: res.data, frame });
            });
          });
        });
      });
    expect(await open()).toEqual({ error: 'unauthorized' });
    const { view, frame } = await open({ token: tokens.energy_manager! });
    expect(view!.frame.path.map((p) => p.id)).toEqual(['facility', 'site:s', 'rack:s/r01', 'pdu:s/p1']);
    expect(view!.history.length).toBeGreaterThan(0);
    expect(frame).toMatchObject({ id: 'pdu:s/p1', level: 'pdu', figures: { power_w: 4320, alerts: 1 } });
    // 18 A of the PDU's 24 A (75 %) but of the bank's 16 A (112.5 %).
    expect(frame!.capacity.map((c) => [c.label, c.load, c.level])).toEqual([['PDU total', 18, 'ok'], ['b1', 18, 'over']]);
  });

  it('is acknowledged by an operator, not by an energy manager, and not from another site with a cookie', async () => {
    const [alert] = await active();
    // Without credentials: refused, and not written (anyone could flood the log with these).
    expect((await fetch(`${kw.url}/api/alerts/${alert!.id}/ack`, { method: 'POST' })).status).toBe(401);
    expect((await call('POST', `/api/alerts/${alert!.id}/ack`, tokens.energy_manager!)).status).toBe(403);
    const csrf = await fetch(`${kw.url}/api/alerts/${alert!.id}/ack`, { method: 'POST', headers: { cookie: tokens.cookie!, origin: 'https://evil.example' } });
    expect(csrf.status).toBe(403);
    expect((await call('POST', '/api/alerts/999999/ack', tokens.operator!)).status).toBe(404);
    expect((await call('POST', '/api/alerts/x/ack', tokens.operator!)).status).toBe(400);
    const res = await call('POST', `/api/alerts/${alert!.id}/ack`, tokens.operator!);
    expect(res.status).toBe(200);
    const acked = ((await res.json()) as { alert: AlertRecord }).alert;
    expect(acked).toMatchObject({ id: alert!.id, acked_by: 'token:t-operator', cleared_at: null });
    // A second acknowledgement changes nothing and sends nothing.
    expect(((await (await call('POST', `/api/alerts/${alert!.id}/ack`, tokens.operator!)).json()) as { alert: AlertRecord }).alert.acked_at).toBe(acked.acked_at);
    await waitFor(() => hook.got.some((g) => g.body.event === 'alert.acked'), () => JSON.stringify(hook.got.map((g) => g.body.event)), 10_000);
    expect(hook.got.filter((g) => g.body.event === 'alert.acked')).toHaveLength(1);

    // The audit log has every attempt, with who, which alert and the outcome: the energy manager's and the
    // cross-site one, refused; the unknown id, the malformed one, the acknowledgement, and the repeat.
    const audit = await auditOfAlerts();
    const operator = { actor: 'token:t-operator', role: 'operator', target: '' };
    const ack = `POST /api/alerts/${alert!.id}/ack`;
    expect(audit.entries.slice(0, 2)).toEqual([
      expect.objectContaining({ actor: 'token:t-energy_manager', role: 'energy_manager', action: ack, detail: expect.objectContaining({ status: 403 }) }),
      expect.objectContaining({ actor: 'admin', role: 'admin', action: ack, detail: expect.objectContaining({ status: 403 }) }),
    ]);
    audit.entries.splice(0, 2);
    const which = { alert: alert!.id, rule: 'overload', site: 's', subject: 's › p1 › b1', acked_by: 'token:t-operator', acked_at: acked.acked_at };
    expect(audit.entries).toEqual([
      expect.objectContaining({ ...operator, action: 'POST /api/alerts/999999/ack', detail: expect.objectContaining({ status: 404, alert: 999999, outcome: 'unknown_alert' }) }),
      expect.objectContaining({ ...operator, action: 'POST /api/alerts/x/ack', detail: expect.objectContaining({ status: 400 }) }),
      expect.objectContaining({ ...operator, action: `POST /api/alerts/${alert!.id}/ack`, detail: expect.objectContaining({ status: 200, ...which, outcome: 'acknowledged' }) }),
      expect.objectContaining({ ...operator, action: `POST /api/alerts/${alert!.id}/ack`, detail: expect.objectContaining({ status: 200, ...which, outcome: 'already_acknowledged' }) }),
    ]);
    expect(audit.entries[2]!.at).toBeGreaterThanOrEqual(acked.acked_at!);
    expect(audit.chain).toEqual({ ok: true, entries: audit.all, brokenAt: null, reason: null });
  });

  it('is still active, the same alert, after a restart', async () => {
    const [before] = await active();
    await stop();
    await start();
    const after = await active();
    expect(after.map((a) => [a.id, a.key, a.acked_by])).toEqual([[before!.id, KEY, 'token:t-operator']]);
    // Still overloaded after the restart: not raised a second time.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await active()).map((a) => a.id)).toEqual([before!.id]);
    expect(hook.got.filter((g) => g.body.event === 'alert.raised')).toHaveLength(1);
    // The audit log on disk came back with the acknowledgement in it, and its chain still holds.
    const audit = await auditOfAlerts();
    expect(audit.entries.filter((e) => e.detail.outcome === 'acknowledged').map((e) => [e.actor, e.detail.alert])).toEqual([['token:t-operator', before!.id]]);
    expect(audit.chain).toMatchObject({ ok: true, entries: audit.all });
  });

  it('clears itself when the load drops, and says so to the webhook', async () => {
    amps = 6; // 12 A on the bank: 75 %
    await waitFor(async () => (await active()).length === 0, async () => JSON.stringify(await active()), 20_000);
    const all = ((await (await call('GET', '/api/alerts?state=all', tokens.operator!)).json()) as { alerts: AlertRecord[] }).alerts;
    expect(all).toHaveLength(1);
    expect(all[0]!.cleared_at).not.toBeNull();
    const of = async (site: string) => ((await (await call('GET', `/api/alerts?state=all&site=${site}`, tokens.operator!)).json()) as { alerts: AlertRecord[] }).alerts.length;
    expect([await of('s'), await of('elsewhere')]).toEqual([1, 0]);
    await waitFor(() => hook.got.some((g) => g.body.event === 'alert.cleared'), () => JSON.stringify(hook.got.map((g) => g.body.event)), 10_000);
    expect(hook.got.map((g) => g.body.event)).toEqual(['alert.raised', 'alert.acked', 'alert.cleared']);
    const rules = (await (await call('GET', '/api/alerts/rules', tokens.operator!)).json()) as { rules: { overload: { for_s: number; raise_pct: number } } };
    expect(rules.rules.overload).toMatchObject({ for_s: 1, raise_pct: 100 });
  });
});
