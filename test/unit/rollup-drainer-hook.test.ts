import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutletReading, Reading } from '../../server/src/domain/reading.js';
import { IngestCounters } from '../../server/src/ingest/counters.js';
import { SpoolDrainer } from '../../server/src/ingest/drainer.js';
import { Spool } from '../../server/src/ingest/spool.js';
import { SqliteStore } from '../../server/src/store/sqlite.js';

const r = (ts: number): OutletReading => ({ kind: 'outlet', site: 's', pdu: 'p', outlet: 1, ts, power_w: 1 });

describe('drainer → rollups: a batch leaves the spool only after the rollups were told', () => {
  let dir: string;
  let spool: Spool;
  let store: SqliteStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kw-hook-'));
    spool = new Spool(join(dir, 'spool.db'));
    spool.open();
    store = new SqliteStore(join(dir, 'store.db'));
    await store.start();
  });
  afterEach(async () => {
    spool.close();
    await store.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tells onStored of each stored batch; if it throws, the batch stays and is written again', async () => {
    const told: Reading[][] = [];
    let fail = true;
    const drainer = new SpoolDrainer(spool, store, new IngestCounters(), pino({ level: 'silent' }), {
      batchSize: 10, intervalMs: 5, minBackoffMs: 5, maxBackoffMs: 10,
      onStored: (readings) => {
        if (fail) {
          fail = false;
          throw new Error('disk full');
        }
        told.push([...readings]);
      },
    });
    spool.append([r(1), r(2)]);
    drainer.start();
    for (let i = 0; i < 400 && spool.depth().messages > 0; i++) await new Promise((res) => setTimeout(res, 5));
    await drainer.stop();
    expect(spool.depth().messages).toBe(0);
    expect(told).toEqual([[r(1), r(2)]]);
  });
});
