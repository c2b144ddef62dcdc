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
import { StoreRejectedError } from '../../server/src/store/store.js';

const log = pino({ level: 'silent' });
const r = (outlet: number, power_w: number): OutletReading => ({ kind: 'outlet', site: 's', pdu: 'p', outlet, ts: 1_767_225_600_000, power_w });

/** A real SQLite store behind a switch: down (network-like errors) or refusing one outlet for good. */
class FlakyStore extends SqliteStore {
  down = false;
  refuseOutlet: number | null = null;
  attempts = 0;
  override async write(readings: readonly Reading[]): Promise<void> {
    this.attempts += 1;
    if (this.down) throw new Error('ECONNREFUSED');
    if (readings.some((x) => x.kind === 'outlet' && x.outlet === this.refuseOutlet)) throw new StoreRejectedError('field type conflict');
    return super.write(readings);
  }
}

describe('Spool and drainer', () => {
  let dir: string;
  let spool: Spool;
  let store: FlakyStore;
  let counters: IngestCounters;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kw-spool-'));
    spool = new Spool(join(dir, 'spool.db'));
    spool.open();
    store = new FlakyStore(join(dir, 'store.db'));
    await store.start();
    counters = new IngestCounters();
  });
  afterEach(async () => {
    spool.close();
    await store.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const drainer = () => new SpoolDrainer(spool, store, counters, log, { batchSize: 3, intervalMs: 5, minBackoffMs: 5, maxBackoffMs: 20 });
  const until = async (cond: () => boolean) => {
    for (let i = 0; i < 400 && !cond(); i++) await new Promise((res) => setTimeout(res, 5));
    expect(cond()).toBe(true);
  };

  it('keeps readings across a reopen until the store has them', async () => {
    spool.append([r(1, 10), r(2, 20)]);
    spool.append([r(3, 30)]);
    spool.close();
    spool = new Spool(join(dir, 'spool.db'));
    spool.open();
    expect(spool.depth()).toMatchObject({ messages: 2, readings: 3 });
    const batch = spool.peek(2);
    expect(batch?.readings).toEqual([r(1, 10), r(2, 20)]);
    spool.ack(batch!);
    expect(spool.peek(10)?.readings).toEqual([r(3, 30)]);
  });

  it('holds readings while the store is down and stores each once when it is back', async () => {
    store.down = true;
    const d = drainer();
    d.start();
    for (let i = 1; i <= 10; i++) spool.append([r(i, i)]);
    await until(() => store.attempts >= 3);
    expect(spool.depth().readings).toBe(10);
    store.down = false;
    await until(() => spool.depth().messages === 0);
    await d.stop();
    const stored = await store.outlets({ from: 0, to: 2e12 });
    expect(stored.map((x) => x.outlet)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(counters.readingsStored).toBe(10);
  });

  it('isolates a reading the store refuses into the dead-letter table and stores the rest', async () => {
    store.refuseOutlet = 2;
    spool.append([r(1, 1), r(2, 2), r(3, 3)]);
    const d = drainer();
    d.start();
    await until(() => spool.depth().messages === 0);
    await d.stop();
    expect((await store.outlets({ from: 0, to: 2e12 })).map((x) => x.outlet)).toEqual([1, 3]);
    expect(spool.deadLetters()).toEqual([{ at: expect.any(Number), reason: 'field type conflict', reading: r(2, 2) }]);
    expect(counters.readingsStored).toBe(2);
    expect(counters.readingsDeadLettered).toBe(1);
  });
});

describe('a full spool', () => {
  it('holds the acknowledgement back until the store has taken readings, and drops nothing', async () => {
    const { Ingestor } = await import('../../server/src/ingest/ingestor.js');
    const { TopicRouter } = await import('../../server/src/ingest/router.js');
    const { createDialects } = await import('../../server/src/ingest/dialects/index.js');
    const { RejectLog } = await import('../../server/src/ingest/counters.js');
    const dir = mkdtempSync(join(tmpdir(), 'kw-full-'));
    const spool = new Spool(join(dir, 'spool.db'), 50); // full once it holds one message
    spool.open();
    const counters = new IngestCounters();
    const seen: Reading[] = [];
    const ingestor = new Ingestor({
      router: new TopicRouter(createDialects({ topicRoot: 'kilowatch' }), 4096),
      spool,
      sink: { observe: (rs) => seen.push(...rs), observeStatus: () => {} },
      counters,
      rejectLog: new RejectLog(log),
      log,
      maxFutureSkewMs: 60_000,
      onSpooled: () => {},
      clock: () => 1_767_225_600_000,
      fullPollMs: 5,
    });
    const message = (outlet: number) => Buffer.from(JSON.stringify({ ts: 1_767_225_600_000, outlets: [{ outlet, power_w: 100 + outlet }] }));
    expect(ingestor.handle('kilowatch/s/pdu/p', message(1))).toBeUndefined();
    const second = ingestor.handle('kilowatch/s/pdu/p', message(2));
    expect(second).toBeInstanceOf(Promise);
    let acknowledged = false;
    void (second as Promise<void>).then(() => (acknowledged = true));
    await new Promise((res) => setTimeout(res, 30));
    expect(acknowledged).toBe(false);
    expect(ingestor.blocked).toBe(true);
    expect(counters.spoolFullEvents).toBe(1);
    spool.ack(spool.peek(10)!); // the store took the first message
    await second;
    expect(acknowledged).toBe(true);
    expect(ingestor.blocked).toBe(false);
    expect(spool.peek(10)?.readings.map((x) => x.kind === 'outlet' && x.outlet)).toEqual([2]);
    expect(seen).toHaveLength(2);
    spool.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
