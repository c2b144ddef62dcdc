import { Router, type Request } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import { HttpError } from '../api/params.js';
import { ROLES } from './roles.js';
import { authEnabled, cookie, SESSION_COOKIE, type AuthState } from './middleware.js';
import { AuthError } from './store.js';

const credentials = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) });
const newUser = z.object({ username: z.string(), role: z.enum(ROLES), password: z.string() });
const newToken = z.object({ name: z.string(), role: z.enum(ROLES) });

export interface AuthRouteOptions {
  sessionTtlMs: number;
  /** Secure cookies: always, never, or when the request came over HTTPS. */
  secureCookies: 'auto' | 'always' | 'never';
  /** Login attempts per client address per 15 minutes. */
  loginAttempts: number;
}

/** Login, logout, who am I; users and API tokens for admins. Access is decided by the gate (access.ts). */
export function authRouter(a: AuthState, o: AuthRouteOptions): Router {
  const router = Router();
  const limiter = rateLimit({ windowMs: 15 * 60_000, limit: o.loginAttempts, standardHeaders: 'draft-8', legacyHeaders: false, message: { error: 'too many login attempts; try again later' } });
  router.post('/login', limiter, async (req, res) => {
    const body = parse(credentials, req.body);
    const result = await a.store.login(body.username, body.password);
    if (!result) throw new HttpError(401, 'wrong user name or password');
    const secure = o.secureCookies === 'always' || (o.secureCookies === 'auto' && req.secure);
    res.cookie(SESSION_COOKIE, result.sessionId, { httpOnly: true, sameSite: 'strict', secure, path: '/', maxAge: o.sessionTtlMs });
    res.json({ user: result.principal.name, role: result.principal.role });
  });
  router.post('/logout', (req, res) => {
    const session = cookie(req.headers.cookie, SESSION_COOKIE);
    if (session) a.store.logout(session);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.json({ ok: true });
  });
  router.get('/me', (req: Request, res) => {
    res.json({ user: req.principal?.name ?? null, role: req.principal?.role ?? null, authentication: authEnabled(a) ? 'on' : 'off' });
  });
  router.get('/users', (_req, res) => {
    res.json({ users: a.store.listUsers() });
  });
  router.post('/users', async (req, res) => {
    const body = parse(newUser, req.body);
    await guard(() => a.store.addUser(body.username, body.role, body.password));
    res.status(201).json({ user: body.username, role: body.role });
  });
  router.delete('/users/:name', async (req, res) => {
    await guard(() => a.store.removeUser(String(req.params.name)));
    res.json({ ok: true });
  });
  router.get('/tokens', (_req, res) => {
    res.json({ tokens: a.store.listTokens() });
  });
  router.post('/tokens', async (req, res) => {
    const body = parse(newToken, req.body);
    const token = await guard(() => a.store.addToken(body.name, body.role));
    res.status(201).json({ name: body.name, role: body.role, token, note: 'shown once: store it now' });
  });
  router.delete('/tokens/:id', async (req, res) => {
    await guard(() => a.store.removeToken(String(req.params.id)));
    res.json({ ok: true });
  });
  return router;
}

function parse<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body);
  if (!result.success) throw new HttpError(400, result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return result.data;
}

async function guard<T>(action: () => T | Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (err) {
    if (err instanceof AuthError) throw new HttpError(400, err.message);
    throw err;
  }
}
