import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { parseConfig, type Config } from '../../server/src/config/config.js';
import { Kilowatch } from '../../server/src/kilowatch.js';
import { freePort } from '../harness/index.js';

export interface RunningKilowatch {
  app: Kilowatch;
  config: Config;
  url: string;
  health(): Promise<Health>;
  stop(): Promise<void>;
}

export interface Health {
  status: string;
  mqtt: { state: string };
  store: { backend: string; state: string };
  spool: { pending_messages: number; pending_readings: number };
  counters: {
    messages_received: number;
    readings_received: number;
    readings_stored: number;
    readings_rejected: number;
    rejected_by_reason: Record<string, number>;
  };
}

/** A real server in this process, on free ports, with its own data dir; settings as in the environment. */
export async function startKilowatch(settings: Record<string, string | number> = {}): Promise<RunningKilowatch> {
  const dir = mkdtempSync(join(tmpdir(), 'kilowatch-server-'));
  const config = parseConfig({ DATA_DIR: dir, PORT: await freePort(), MQTT_PORT: await freePort(), LOG_LEVEL: 'warn', ...settings });
  const app = new Kilowatch(config, pino({ level: process.env.KW_TEST_LOG ?? 'silent' }));
  await app.start().catch((err: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  return {
    app,
    config,
    url: app.url,
    health: async () => (await (await fetch(`${app.url}/api/health`)).json()) as Health,
    stop: async () => {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Poll until `check` returns true; fail with `describe()` after the timeout. */
export async function waitFor(check: () => Promise<boolean> | boolean, describe: () => Promise<string> | string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms: ${await describe()}`);
}
