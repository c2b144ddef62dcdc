import { io as connectSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../server/src/auth/access.js';
import { allows, ROLES, type Role } from '../../server/src/auth/roles.js';
import { startKilowatch, type RunningKilowatch } from '../support/kilowatch.js';

/**
 * Every HTTP route and socket event × every role (and no login): allowed, 401 or 403, exactly as the
 * access table says. The server runs for real (embedded broker, SQLite) with authentication on.
 */
const ADMIN_PASSWORD = 'admin password for tests';
const T = Date.UTC(2026, 0, 1);

describe('authentication and roles', () => {
  let kw: RunningKilowatch;
  let adminCookie: string;
  const tokens = {} as Record<Role, string>;

  beforeAll(async () => {
    kw = await startKilowatch({ KILOWATCH_ADMIN_PASSWORD: ADMIN_PASSWORD, LOGIN_ATTEMPTS: 1000 });
    adminCookie = await login('admin', ADMIN_PASSWORD);
    for (const role of ROLES) {
      const res = await call('POST', '/api/tokens', { cookie: adminCookie, body: { name: `t-${role}`, role } });
      expect(res.status).toBe(201);
      tokens[role] = ((await res.json()) as { token: string }).token;
    }
  });
  afterAll(async () => kw?.stop());

  async function call(method: string, path: string, o: { cookie?: string; token?: string; body?: unknown; origin?: string | null } = {}) {
    const headers: Record<string, string> = {};
    if (o.cookie) headers.cookie = o.cookie;
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    if (o.cookie && o.origin !== null) headers.origin = o.origin ?? kw.url;
    return fetch(`${kw.url}${path}`, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
  }

  async function login(username: string, password: string): Promise<string> {
    const res = await call('POST', '/api/login', { body: { username, password } });
    expect(res.status).toBe(200);
    return res.headers.get('set-cookie')!.split(';')[0]!;
  }

  /** A concrete request for a route pattern, valid enough that an allowed caller is not refused for its input. */
  function concrete(path: string): string {
    const range = `site=site-1&from=${T}&to=${T + 3_600_000}`;
    const filled = path.replace(':name', 'nobody').replace(':id', 'nothing');
    return ['/api/energy', '/api/demand', '/api/efficiency', '/api/series'].includes(path) ? `${filled}?${range}&step=60000` : filled;
  }

  for (const [method, path, need] of ROUTES) {
    it(`${method} ${path} (${need})`, async () => {
      const url = concrete(path);
      const body = method === 'GET' || method === 'DELETE' ? undefined : {};
      const anonymous = await call(method, url, { body });
      if (need === 'public') {
        expect([401, 403]).not.toContain(anonymous.status);
      } else {
        expect(anonymous.status).toBe(401);
      }
      for (const role of ROLES) {
        const res = await call(method, url, { token: tokens[role], body });
        const allowed = need === 'public' || need === 'session' || allows(role, need);
        if (allowed) expect([401, 403], `${role} should be allowed`).not.toContain(res.status);
        else expect(res.status, `${role} should be refused`).toBe(403);
      }
    });
  }

  it('refuses API routes nobody listed, except to admins', async () => {
    expect((await call('GET', '/api/not-a-route', { token: tokens.auditor })).status).toBe(403);
    expect((await call('GET', '/api/not-a-route', { token: tokens.admin })).status).toBe(404);
  });

  it('keeps the probes and the dashboard shell public, and the data behind the gate', async () => {
    expect((await call('GET', '/healthz')).status).toBe(200);
    expect([200, 503]).toContain((await call('GET', '/readyz')).status);
    expect((await call('GET', '/api/sites')).status).toBe(401);
  });

  it('sets an httpOnly, SameSite=Strict session cookie, ended by logout', async () => {
    const res = await call('POST', '/api/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(res.headers.get('set-cookie')).toMatch(/^kw_session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; Expires=.*; HttpOnly; SameSite=Strict$/);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    expect(await (await call('GET', '/api/me', { cookie })).json()).toEqual({ user: 'admin', role: 'admin', authentication: 'on' });
    await call('POST', '/api/logout', { cookie });
    expect((await call('GET', '/api/me', { cookie })).status).toBe(401);
  });

  it('refuses a cookie-authenticated state change from another site (CSRF)', async () => {
    const body = { name: 'x-site', role: 'operator' };
    expect((await call('POST', '/api/tokens', { cookie: adminCookie, body, origin: 'https://evil.example' })).status).toBe(403);
    expect((await call('POST', '/api/tokens', { cookie: adminCookie, body, origin: null })).status).toBe(403);
    expect((await call('POST', '/api/tokens', { token: tokens.admin, body })).status).toBe(201);
  });

  it('says nothing about which part of a login was wrong', async () => {
    const wrongUser = await call('POST', '/api/login', { body: { username: 'nobody', password: ADMIN_PASSWORD } });
    const wrongPassword = await call('POST', '/api/login', { body: { username: 'admin', password: 'not the password' } });
    expect([wrongUser.status, await wrongUser.json()]).toEqual([401, { error: 'wrong user name or password' }]);
    expect([wrongPassword.status, await wrongPassword.json()]).toEqual([401, { error: 'wrong user name or password' }]);
  });

  it('lets users of every role and no stranger onto the live socket', async () => {
    const attempt = (auth?: { token: string }) =>
      new Promise<string>((resolve) => {
        const socket = connectSocket(kw.url, { transports: ['websocket'], reconnection: false, ...(auth && { auth }) });
        socket.on('connect', () => {
          // Every event of the main socket, each answered for a role that may use it.
          socket.emit('subscribe', { sites: ['site-1'] }, (sub: { ok: boolean }) => {
            socket.emit('rigs', { site: 'site-1' }, (res: { ok: boolean }) => {
              socket.close();
              resolve(sub.ok && res.ok ? 'ok' : 'refused');
            });
          });
        });
        socket.on('connect_error', (err) => resolve(err.message));
      });
    expect(await attempt()).toBe('unauthorized');
    expect(await attempt({ token: 'kwt_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).toBe('unauthorized');
    for (const role of ROLES) expect(await attempt({ token: tokens[role] })).toBe('ok');
  });
});

describe('secure defaults', () => {
  it('refuses to listen beyond loopback with authentication off', async () => {
    await expect(startKilowatch({ HOST: '0.0.0.0' })).rejects.toThrow(/HOST=0.0.0.0 would open the dashboard and API to the network with authentication off/);
  });

  it('is open on loopback while no user exists', async () => {
    const kw = await startKilowatch();
    try {
      expect((await fetch(`${kw.url}/api/sites`)).status).toBe(200);
      expect(await (await fetch(`${kw.url}/api/me`)).json()).toEqual({ user: 'local', role: 'admin', authentication: 'off' });
    } finally {
      await kw.stop();
    }
  });

  it('limits login attempts', async () => {
    const kw = await startKilowatch({ KILOWATCH_ADMIN_PASSWORD: ADMIN_PASSWORD, LOGIN_ATTEMPTS: 3 });
    try {
      const tries = [];
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${kw.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'guess number ' + i }) });
        tries.push(res.status);
      }
      expect(tries).toEqual([401, 401, 401, 429]);
    } finally {
      await kw.stop();
    }
  });
});
