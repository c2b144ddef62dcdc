import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMosquitto, type MosquittoHandle } from '../harness/index.js';
import { startKilowatch, waitFor } from '../support/kilowatch.js';

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
  /** A native reading, always subscribed: published last, once it has arrived everything before it has. */
  const sentinel = () => {
    const payload = JSON.stringify({ ts: Date.now(), outlets: [{ outlet: 1, power_w: 1 }] });
    execFileSync('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(mosquitto.port), '-q', '1', '-t', 'kilowatch/s/pdu/p1', '-m', payload]);
  };
  /** Tasmota messages the server received while running with `dialects`. */
  const run = async (dialects: string, publish: () => void) => {
    const kw = await startKilowatch({ MQTT_URL: mosquitto.url, DIALECTS: dialects, DATA_DIR: dataDir, MQTT_CLIENT_ID: 'kw-subs' });
    try {
      publish();
      sentinel();
      await waitFor(() => (kw.app.counters.byDialect.get('native')?.messages ?? 0) >= 1, () => JSON.stringify([...kw.app.counters.byDialect]));
      return kw.app.counters.byDialect.get('tasmota')?.messages ?? 0;
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
