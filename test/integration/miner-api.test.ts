import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeMiner, type FakeMiner, type Firmware } from '../../simulators/src/miner-api/fake-miner.js';
import { freePort } from '../harness/index.js';
import { startKilowatch, waitFor, type RunningKilowatch } from '../support/kilowatch.js';

/**
 * The miner API poller over real TCP: three rigs on fake miners speaking three firmwares' dialects,
 * one rig that is off (connection refused) and one that is still starting (error STATUS).
 */
describe('miner hashrate from the cgminer-style API', () => {
  const miners: FakeMiner[] = [];
  let kw: RunningKilowatch;
  let dir: string;

  beforeAll(async () => {
    const rigs: [string, Firmware, number][] = [['m-1', 'antminer', 110.25], ['m-2', 'braiins', 13.97], ['m-3', 'whatsminer', 77.91]];
    for (const [, firmware, ths] of rigs) miners.push(await startFakeMiner({ firmware, hashrateThs: () => ths }));
    miners.push(await startFakeMiner({ firmware: 'antminer', hashrateThs: () => 1, failing: () => true }));
    const closedPort = await freePort();
    const outlets = [
      ...rigs.map(([rig], i) => `              - { outlet: ${i + 1}, rig: ${rig}, model: Test Model, address: "127.0.0.1:${miners[i]!.port}" }`),
      `              - { outlet: 4, rig: m-4, address: "127.0.0.1:${miners[3]!.port}" }`,
      `              - { outlet: 5, rig: m-5, address: "127.0.0.1:${closedPort}" }`,
    ];
    dir = mkdtempSync(join(tmpdir(), 'kw-miners-'));
    const fleetFile = join(dir, 'fleet.yaml');
    writeFileSync(fleetFile, [
      'version: 1', 'sites:', '  - id: mine', '    miner_api: { enabled: true, interval_s: 1, timeout_ms: 1000, concurrency: 2 }',
      '    racks:', '      - id: r1', '        pdus:', '          - id: p1', '            rating_a: 30', '            voltage_v: 230', '            outlets:', ...outlets, '',
    ].join('\n'));
    kw = await startKilowatch({ FLEET_FILE: fleetFile });
  });
  afterAll(async () => {
    await kw?.stop();
    await Promise.all(miners.map((m) => m.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores each answering rig\'s hashrate as miner readings, converted to TH/s', async () => {
    await waitFor(async () => (await kw.app.store.miners({ site: 'mine', from: 0, to: Date.now() + 60_000 })).length >= 3, () => 'no miner readings yet');
    const stored = await kw.app.store.miners({ site: 'mine', from: 0, to: Date.now() + 60_000 });
    const latest = new Map(stored.map((r) => [r.rig, r]));
    expect([...latest.keys()].sort()).toEqual(['m-1', 'm-2', 'm-3']);
    expect(latest.get('m-1')).toMatchObject({ hashrate_ths: 110.25, model: 'Test Model' });
    expect(latest.get('m-2')).toMatchObject({ hashrate_ths: 13.97 });
    expect(latest.get('m-3')).toMatchObject({ hashrate_ths: 77.91, temp_c: 72 });
  });

  it('counts the rigs that did not answer, by reason', async () => {
    await waitFor(async () => {
      const h = (await kw.health()) as unknown as { miner_api: { failed_by_reason: Record<string, number> } };
      return (h.miner_api.failed_by_reason.status_error ?? 0) > 0 && (h.miner_api.failed_by_reason.econnrefused ?? 0) > 0;
    }, async () => JSON.stringify(await kw.health()));
    expect(miners[0]!.requests).toBeGreaterThan(0);
  });
});
