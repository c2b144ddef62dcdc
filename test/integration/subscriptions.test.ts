import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMosquitto, type MosquittoHandle } from '../harness/index.js';
import { startKilowatch } from '../support/kilowatch.js';

/**
 * The broker keeps a persistent session's subscriptions across server restarts. A change of DIALECTS
 * while the server was down must still take effect: new families subscribed, dropped ones unsubscribed.
 */
describe('subscriptions follow the configuration across restarts', () => {
  let mosquitto: MosquittoHandle;
  let dataDir: string;
  beforeAll(async () => {
    mosquitto = await startMosquitto();
    dataDir = mkdtempSync(join(tmpdir(), 'kw-subs-'));
  });
  afterAll(async () => {
    await mosquitto?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const tasmota = (watts: number) => {
    const payload = JSON.stringify({ Time: '2026-01-01T00:00:00', ENERGY: { Power: watts, Total: 1.5 } });
    execFileSync('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(mosquitto.port), '-q', '1', '-t', 'tele/plug-1/SENSOR', '-m', payload]);
  };
  const run = async (dialects: string, publish: () => void) => {
    const kw = await startKilowatch({ MQTT_URL: mosquitto.url, DIALECTS: dialects, DATA_DIR: dataDir, MQTT_CLIENT_ID: 'kw-subs' });
    try {
      publish();
      await new Promise((resolve) => setTimeout(resolve, 500));
      return (await kw.health()).counters.messages_received;
    } finally {
      await kw.stop();
    }
  };

  it('subscribes to a dialect added while the server was down, and drops one removed', async () => {
    expect(await run('native', () => {})).toBe(0);
    expect(await run('native,tasmota', () => tasmota(100))).toBe(1);
    tasmota(200); // while no server runs: queued in the persistent session
    // The queued message arrives as the session resumes; after the unsubscribe, new ones no longer do.
    expect(await run('native', () => tasmota(300))).toBe(1);
  });
});
