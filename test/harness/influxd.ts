// A private InfluxDB 1.x (`influxd`) for one test file: own HTTP and RPC ports, own temp dir. A system
// influxd may hold 8086/8088, so both ports are picked free and written into the config.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBinary } from './binaries.js';
import { removeDir, trackDir } from './cleanup.js';
import { freePort, retryOnPortClash } from './ports.js';
import { ownsListeningPort } from './listening.js';
import { ServiceProcess, type ReadyProbe } from './process.js';

export interface InfluxdHandle {
  /** http://127.0.0.1:PORT */
  url: string;
  /** The HTTP API port. */
  port: number;
  /** Temp dir with the config, meta/data/wal and the process log. */
  dir: string;
  /**
   * SIGTERM and wait for exit. Keeps the dir, so start() brings the same data back (tests stop influxd
   * under load and start it again). The dir goes with dispose(), or when the test process exits.
   */
  stop(): Promise<void>;
  /** Start again on the same ports and dirs; resolves once GET /ping answers 204. */
  start(): Promise<void>;
  /** stop(), then remove the temp dir. */
  dispose(): Promise<void>;
  /**
   * POST /query (`q`, `db`, `epoch=ms`: times come back as integer ms, matching `precision=ms` writes).
   * Returns the parsed JSON; throws on an HTTP error or on a statement error inside `results`.
   */
  query(q: string, db: string): Promise<unknown>;
}

const MISSING = 'influxd not found on PATH — install it: apt-get install influxdb';
const READY_TIMEOUT_MS = 30_000;

export async function startInfluxd(): Promise<InfluxdHandle> {
  const bin = findBinary('influxd', MISSING);
  const dir = await mkdtemp(join(tmpdir(), 'kilowatch-influxd-'));
  trackDir(dir);
  const confFile = join(dir, 'influxdb.conf');
  const service = new ServiceProcess({
    name: 'influxd',
    bin,
    args: ['-config', confFile],
    outputFile: join(dir, 'process.log'),
  });
  let port: number;
  try {
    port = await retryOnPortClash(async () => {
      const httpPort = await freePort();
      const rpcPort = await freePort();
      await writeFile(confFile, influxdConf({ dir, httpPort, rpcPort }));
      await service.start(readyProbe(httpPort));
      return httpPort;
    });
  } catch (err) {
    removeDir(dir);
    throw err;
  }
  return handle(service, dir, port);
}

function handle(service: ServiceProcess, dir: string, port: number): InfluxdHandle {
  const url = `http://127.0.0.1:${port}`;
  let disposed = false;
  return {
    url,
    port,
    dir,
    stop: () => service.stop(),
    async start() {
      if (disposed) throw new Error('influxd start() after dispose(): the temp dir is gone');
      await service.start(readyProbe(port));
    },
    async dispose() {
      if (disposed) return;
      await service.stop();
      disposed = true;
      removeDir(dir);
    },
    query: (q, db) => query(url, q, db),
  };
}

function readyProbe(port: number): ReadyProbe {
  // Owning the listening socket tells our influxd apart from another one that took the port first.
  return {
    isReady: async (pid) => ownsListeningPort(pid, port) && (await pings(port)),
    timeoutMs: READY_TIMEOUT_MS,
  };
}

async function pings(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/ping`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 204;
  } catch {
    return false;
  }
}

async function query(url: string, q: string, db: string): Promise<unknown> {
  // POST, because CREATE/DROP statements are refused over GET.
  const res = await fetch(`${url}/query`, {
    method: 'POST',
    body: new URLSearchParams({ q, db, epoch: 'ms' }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`influxd query failed (HTTP ${res.status}): ${text}\nquery: ${q}`);
  const body: unknown = JSON.parse(text);
  const error = statementError(body);
  if (error !== undefined) throw new Error(`influxd query failed: ${error}\nquery: ${q}`);
  return body;
}

/** InfluxDB answers 200 with `{"results":[{"error":"..."}]}` when a statement fails. */
function statementError(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('results' in body) || !Array.isArray(body.results)) {
    return undefined;
  }
  for (const result of body.results as unknown[]) {
    if (typeof result === 'object' && result !== null && 'error' in result) return String(result.error);
  }
  return undefined;
}

interface ConfInput {
  dir: string;
  httpPort: number;
  rpcPort: number;
}

/** influxd 1.6+ config (TOML). JSON string escaping is valid TOML basic-string escaping. */
export function influxdConf({ dir, httpPort, rpcPort }: ConfInput): string {
  const s = (value: string): string => JSON.stringify(value);
  return `# Written by test/harness/influxd.ts for one test run.
# Upstream's key is reporting-disabled; Debian's patched 1.6 build calls it reporting-enabled. influxd
# ignores the key it does not know, so both are set: no phoning home from tests.
reporting-disabled = true
reporting-enabled = false
# The backup/restore RPC port defaults to 8088, which a system influxd may hold.
bind-address = ${s(`127.0.0.1:${rpcPort}`)}

[meta]
  dir = ${s(join(dir, 'meta'))}
  logging-enabled = false

[data]
  dir = ${s(join(dir, 'data'))}
  wal-dir = ${s(join(dir, 'wal'))}
  query-log-enabled = false

[monitor]
  # Otherwise influxd writes its own stats into _internal every 10 s: noise in every query and benchmark.
  store-enabled = false

[http]
  bind-address = ${s(`127.0.0.1:${httpPort}`)}
  log-enabled = false
  pprof-enabled = false

[continuous_queries]
  log-enabled = false

[logging]
  level = "warn"
  suppress-logo = true
`;
}
