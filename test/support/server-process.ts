import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../harness/index.js';

const ROOT = join(import.meta.dirname, '../..');

export interface BenchHealth {
  status: string;
  mqtt: { state: string };
  spool: { pending_messages: number; pending_readings: number; full: boolean };
  counters: { readings_received: number; readings_stored: number; readings_rejected: number; spool_full_events: number };
}

/**
 * The server as users run it (`npm start`) in its own process: the load generator does not share its
 * event loop, and tests can kill it (even with SIGKILL) and start it again on the same data dir.
 */
export class ServerProcess {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  readonly dataDir = mkdtempSync(join(tmpdir(), 'kilowatch-proc-'));
  url = '';

  constructor(private readonly env: Record<string, string>) {}

  async start(): Promise<void> {
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...this.env, PORT: String(port), DATA_DIR: this.dataDir },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode} during start-up`);
      const h = await this.health().catch(() => null);
      if (h?.mqtt.state === 'connected') return;
      if (Date.now() > deadline) throw new Error('server did not connect to the broker within 30 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Resident memory of the server process in MB (Linux /proc), or null when it is not running. */
  rssMb(): number | null {
    const pid = this.child?.pid;
    if (pid === undefined) return null;
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
      return Number.isFinite(kb) ? kb / 1024 : null;
    } catch {
      return null;
    }
  }

  async health(): Promise<BenchHealth> {
    return (await (await fetch(`${this.url}/api/health`)).json()) as BenchHealth;
  }

  /** SIGTERM: a graceful stop. SIGKILL: a crash, nothing flushed. */
  async kill(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    this.child?.kill(signal);
    await this.exited;
    this.child = null;
  }

  async dispose(): Promise<void> {
    await this.kill('SIGTERM');
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const server = new ServerProcess(env);
  await server.start();
  return server;
}
