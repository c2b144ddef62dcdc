import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { needOf } from './access.js';
import { allows } from './roles.js';
import type { AuthStore, Principal } from './store.js';

export const SESSION_COOKIE = 'kw_session';

/** With authentication off (loopback only, no users), every caller acts as this local admin. */
export const LOCAL_PRINCIPAL: Principal = { name: 'local', role: 'admin', kind: 'user' };

export interface AuthState {
  store: AuthStore;
  /** AUTH=on in the configuration; otherwise authentication is on once a user exists. */
  forced: boolean;
}

export function authEnabled(a: AuthState): boolean {
  return a.forced || a.store.hasUsers;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    /** How the principal was established: a browser cookie needs CSRF checks, a token does not. */
    viaCookie?: boolean;
  }
}

/** Who is calling: an API token (Authorization: Bearer) or a session cookie. */
export function identify(a: AuthState, req: IncomingMessage): { principal: Principal; viaCookie: boolean } | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) {
    const principal = a.store.token(auth.slice(7).trim());
    return principal ? { principal, viaCookie: false } : null;
  }
  const session = cookie(req.headers.cookie, SESSION_COOKIE);
  const principal = session ? a.store.session(session) : null;
  return principal ? { principal, viaCookie: true } : null;
}

/** The one gate in front of every route; what each route needs is in access.ts. */
export function accessControl(a: AuthState): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const need = needOf(req.method, req.path);
    if (need === null) return next();
    if (!authEnabled(a)) {
      req.principal = LOCAL_PRINCIPAL;
      return next();
    }
    if (need === 'public') return next();
    const who = identify(a, req);
    if (!who) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="kilowatch"');
      return void res.status(401).json({ error: 'log in, or send an API token as Authorization: Bearer <token>' });
    }
    req.principal = who.principal;
    req.viaCookie = who.viaCookie;
    if (who.viaCookie && !['GET', 'HEAD', 'OPTIONS'].includes(req.method) && !sameOrigin(req)) {
      return void res.status(403).json({ error: 'cross-site request refused' });
    }
    const role = who.principal.role;
    const ok = need === 'session' || (need === 'admin-only' ? role === 'admin' : allows(role, need));
    if (!ok) return void res.status(403).json({ error: `role ${role} may not ${req.method} ${req.path}` });
    next();
  };
}

/**
 * CSRF defence for cookie-authenticated state changes, beside SameSite=Strict: the browser's Origin
 * (or Sec-Fetch-Site) must say the request comes from this very site.
 */
function sameOrigin(req: Request): boolean {
  const origin = req.get('origin');
  if (origin) return origin === `${req.protocol}://${req.get('host')}`;
  return req.get('sec-fetch-site') === 'same-origin';
}

export function cookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}
