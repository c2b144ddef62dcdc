import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuarterGrid, sameEnergy, type Quarter } from '../../server/src/comparison/grid.js';
import { loadGrid } from '../../server/src/comparison/source.js';
import type { MeterReading, MinerReading, OutletReading, Reading } from '../../server/src/domain/reading.js';
import { RollupEngine } from '../../server/src/rollup/engine.js';
import { DirtyLedger } from '../../server/src/rollup/ledger.js';
import { RangeReader } from '../../server/src/rollup/reader.js';
import { InfluxStore } from '../../server/src/store/influx.js';
import { SqliteStore } from '../../server/src/store/sqlite.js';
import type { Store } from '../../server/src/store/store.js';
import { startInfluxd, type InfluxdHandle } from '../harness/index.js';

/**
 * The grid's source on a real store with rollups — SQLite, then a real InfluxDB, with the same assertions — the
 * worker stopped so that the test decides what is rolled up: the quarters read from 1-minute buckets must equal
 * the quarters computed from every raw reading, and stay equal when data arrives that the rollups have not seen (a late PDU's hour, the newest minutes),
 * which the check against RangeReader finds and reads raw.
 */
const TZ = 'Asia/Kathmandu';
const SITE = 'np-1';
// Local days of 2 and 3 March 2025 in Kathmandu (+05:45): they begin at 18:15 UTC.
const FROM = Date.parse('2025-03-01T18:15:00Z');
const SPLIT = Date.parse('2025-03-02T18:15:00Z');
const TO = Date.parse('2025-03-03T18:15:00Z');

function readings(from: number, to: number, pdu: string, stepMs: number, phase: number): Reading[] {
  const out: Reading[] = [];
  let wh = 10_000;
  let meterWh = 90_000;
  for (let t = from; t < to; t += stepMs) {
    const w = Math.round(3000 + 400 * Math.sin(t / 5_400_000 + phase));
    out.push({ kind: 'outlet', site: SITE, pdu, outlet: 1, rig: `${pdu}-r1`, ts: t, power_w: w, energy_wh: Math.round(wh * 1000) / 1000 } satisfies OutletReading);
    if (pdu === 'p1') {
      out.push({ kind: 'meter', site: SITE, meter: 'main', ts: t + 7_000, power_w: w * 1.2, energy_wh: Math.round(meterWh) } satisfies MeterReading);
      out.push({ kind: 'miner', site: SITE, rig: 'p1-r1', ts: t + 3_000, hashrate_ths: 100 + (t % 7) } satisfies MinerReading);
    }
    wh += (w * stepMs) / 3_600_000;
    meterWh += (w * 1.2 * stepMs) / 3_600_000;
  }
  return out;
}

describe.each(['sqlite', 'influxdb'] as const)('the comparison grid from rollups, checked against the reader (%s)', (backend) => {
  const dir = mkdtempSync(join(tmpdir(), 'kw-cmp-src-'));
  let influxd: InfluxdHandle | undefined;
  let store: Store;
  let engine: RollupEngine;
  let reader: RangeReader;
  const all: Reading[] = [];

  const ingest = async (list: Reading[]) => {
    all.push(...list);
    for (let i = 0; i < list.length; i += 2000) {
      await store.write(list.slice(i, i + 2000));
      engine.noteStored(list.slice(i, i + 2000));
    }
  };
  /** The reference: every quarter computed from all raw readings at once. */
  const reference = () => {
    const g = new QuarterGrid(FROM, TO, TZ);
    g.fillFromReadings({ outlets: all.filter((r): r is OutletReading => r.kind === 'outlet'), meters: all.filter((r): r is MeterReading => r.kind === 'meter'), miners: all.filter((r): r is MinerReading => r.kind === 'miner') }, FROM, TO);
    return g;
  };
  const differing = (a: QuarterGrid, b: QuarterGrid): Quarter[] =>
    a.quarters.filter((q, i) => !sameEnergy(q.it, b.quarters[i]!.it) || !sameEnergy(q.meter, b.quarters[i]!.meter) || q.it.hash.whole !== b.quarters[i]!.it.hash.whole || q.it.hash.frac !== b.quarters[i]!.it.hash.frac);

  beforeAll(async () => {
    if (backend === 'influxdb') influxd = await startInfluxd();
    store = influxd ? new InfluxStore({ url: influxd.url, database: 'comparison_source' }) : new SqliteStore(join(dir, 'kilowatch.db'));
    engine = new RollupEngine(store, new DirtyLedger(join(dir, 'rollup.db')), pino({ level: 'silent' }), { settleMs: 0 });
    reader = new RangeReader(store, engine);
    await store.start();
    engine.open();
    await ingest(readings(FROM - 3_600_000, TO - 2 * 3_600_000, 'p1', 20_000, 0));
    await engine.runUntilIdle();
  });
  afterAll(async () => {
    engine?.close();
    await store?.stop();
    await influxd?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads clean rollups into exactly the quarters raw readings give', async () => {
    const grid = await loadGrid({ store, reader }, SITE, TZ, FROM, SPLIT, TO);
    expect(grid.quarters).toHaveLength(2 * 96);
    expect(differing(grid, reference())).toEqual([]);
    const whole = await reader.planned({ site: SITE }, FROM, TO);
    expect(sameEnergy(grid.sum(FROM, TO).it, whole.it)).toBe(true);
    expect(sameEnergy(grid.sum(FROM, TO).meter, whole.meter!)).toBe(true);
  });

  it('finds what the rollups have not seen yet — a late PDU\'s hour, the newest readings — and reads it raw', async () => {
    // Not rolled up: the worker is stopped. A second PDU for one hour on the 2nd, and the last two hours of p1.
    await ingest(readings(Date.parse('2025-03-02T06:00:00Z'), Date.parse('2025-03-02T07:00:00Z'), 'p2', 30_000, 1));
    await ingest(readings(TO - 2 * 3_600_000, TO, 'p1', 20_000, 0).map((r) => ({ ...r })).filter((r) => r.ts < TO));
    const grid = await loadGrid({ store, reader }, SITE, TZ, FROM, SPLIT, TO);
    expect(differing(grid, reference())).toEqual([]);
    const whole = await reader.planned({ site: SITE }, FROM, TO);
    expect(sameEnergy(grid.sum(FROM, TO).it, whole.it)).toBe(true);
    // Once the worker has caught up the buckets alone give the same quarters.
    await engine.runUntilIdle();
    expect(differing(await loadGrid({ store, reader }, SITE, TZ, FROM, SPLIT, TO), reference())).toEqual([]);
  });
});
