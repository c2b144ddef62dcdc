import type { Socket } from 'socket.io';
import { authEnabled, identify, LOCAL_PRINCIPAL, type AuthState } from './middleware.js';
import { allows } from './roles.js';

/**
 * socket.io connections need the same session cookie or API token as HTTP (a token may also come as
 * `auth: { token }` in the handshake, for clients that cannot set headers). Connecting needs `live.read`.
 */
export function socketAuth(a: AuthState) {
  return (socket: Socket, next: (err?: Error) => void) => {
    if (!authEnabled(a)) {
      socket.data.principal = LOCAL_PRINCIPAL;
      return next();
    }
    const handshakeToken = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    const req = socket.request;
    if (typeof handshakeToken === 'string' && !req.headers.authorization) req.headers.authorization = `Bearer ${handshakeToken}`;
    const who = identify(a, req);
    if (!who) return next(new Error('unauthorized'));
    if (!allows(who.principal.role, 'live.read')) return next(new Error('forbidden'));
    socket.data.principal = who.principal;
    next();
  };
}
