import { createServer, connect } from 'node:net';

// Ports other Mosquitto/InfluxDB installs on this machine or on CI may hold: never ours to use.
const RESERVED = new Set([1883, 8083, 8086, 8088, 8883]);

/** A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, read, released). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await bindEphemeral();
    // Port 0 yields the ephemeral range, far above these; the check keeps the promise explicit.
    if (!RESERVED.has(port)) return port;
  }
}

function bindEphemeral(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

/** True if something accepts a TCP connection on 127.0.0.1:port within `timeoutMs`. */
export function tcpAccepts(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Runs `attempt` again (with fresh ports, which `attempt` picks itself) when the port freePort() handed
 * out was taken before the service bound it: another parallel test worker may grab it in between.
 */
export async function retryOnPortClash<T>(attempt: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (i >= attempts || !isAddressInUse(err)) throw err;
    }
  }
}

function isAddressInUse(err: unknown): boolean {
  return err instanceof Error && /address already in use/i.test(err.message);
}
