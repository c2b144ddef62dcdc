import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../harness/index.js';

const ROOT = join(import.meta.dirname, '../..');

export interface ServerProcess {
  url: string;
  health(): Promise<BenchHealth>;
  stop(): Promise<void>;
}

export interface BenchHealth {
  mqtt: { state: string };
  spool: { pending_readings: number };
  counters: { readings_received: number; readings_stored: number; readings_rejected: number };
}

/** The server as users run it (`npm start`), in its own process, so the load generator does not share its event loop. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kilowatch-bench-'));
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const health = async () => (await (await fetch(`${url}/api/health`)).json()) as BenchHealth;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode} during start-up`);
    const h = await health().catch(() => null);
    if (h?.mqtt.state === 'connected') break;
    if (Date.now() > deadline) throw new Error('server did not connect to the broker within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    health,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
