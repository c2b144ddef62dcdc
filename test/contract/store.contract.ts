import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeterReading, MinerReading, OutletReading } from '../../server/src/domain/reading.js';
import { ROLLUP_FIELDS, type RollupFields, type RollupRow, type Store } from '../../server/src/store/store.js';

/**
 * The one contract every Store backend passes (MQTT.js's abstract_store pattern). Each backend's
 * test file calls `storeContract` with a factory that gives a fresh, empty, started store.
 */
export interface StoreFixture {
  store: Store;
  cleanup(): Promise<void>;
}

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function outlet(site: string, pdu: string, n: number, ts: number, power_w: number, extra: Partial<OutletReading> = {}): OutletReading {
  return { kind: 'outlet', site, pdu, outlet: n, ts, power_w, ...extra };
}

export function storeContract(name: string, make: () => Promise<StoreFixture>): void {
  describe(`Store contract: ${name}`, () => {
    let fx: StoreFixture;
    let store: Store;
    beforeAll(async () => {
      fx = await make();
      store = fx.store;
      await store.write([
        outlet('a', 'p1', 1, T0, 3250.5, { rig: 'rig-1', energy_wh: 9_007_199_254_740_991, voltage_v: 230.1, current_a: 14.131, pf: 0.998 }),
        outlet('a', 'p1', 2, T0, 0.1 + 0.2),
        outlet('a', 'p2', 1, T0 + 1000, 1000, { rig: 'rig-3', energy_wh: 10 }),
        outlet('b', 'p9', 12, T0 + 500, 42),
        { kind: 'miner', site: 'a', rig: 'rig-1', ts: T0, hashrate_ths: 110.25, model: 'Antminer S19 Pro', temp_c: 71.5 },
        { kind: 'miner', site: 'a', rig: 'rig-2', ts: T0 + 1, hashrate_ths: 0 },
        { kind: 'meter', site: 'a', meter: 'main', ts: T0, power_w: 1_250_000.25, energy_wh: 987_654_321 },
        { kind: 'meter', site: 'c', meter: 'm2', ts: T0, power_w: 1 },
      ]);
    });
    afterAll(async () => fx?.cleanup());

    it('reads every field back exactly, and leaves absent fields absent', async () => {
      expect(await store.outlets({ site: 'a', from: T0, to: T0 + 2000 })).toEqual([
        outlet('a', 'p1', 1, T0, 3250.5, { rig: 'rig-1', energy_wh: 9_007_199_254_740_991, voltage_v: 230.1, current_a: 14.131, pf: 0.998 }),
        outlet('a', 'p1', 2, T0, 0.1 + 0.2),
        outlet('a', 'p2', 1, T0 + 1000, 1000, { rig: 'rig-3', energy_wh: 10 }),
      ]);
      expect(await store.miners({ site: 'a', from: T0, to: T0 + 2000 })).toEqual<MinerReading[]>([
        { kind: 'miner', site: 'a', rig: 'rig-1', ts: T0, hashrate_ths: 110.25, model: 'Antminer S19 Pro', temp_c: 71.5 },
        { kind: 'miner', site: 'a', rig: 'rig-2', ts: T0 + 1, hashrate_ths: 0 },
      ]);
      expect(await store.meters({ site: 'a', from: T0, to: T0 + 1 })).toEqual<MeterReading[]>([
        { kind: 'meter', site: 'a', meter: 'main', ts: T0, power_w: 1_250_000.25, energy_wh: 987_654_321 },
      ]);
    });

    it('treats ranges as [from, to) and filters by site, PDU and rig', async () => {
      expect((await store.outlets({ site: 'a', from: T0, to: T0 + 1000 })).map((r) => r.pdu)).toEqual(['p1', 'p1']);
      expect((await store.outlets({ site: 'a', from: T0 + 1, to: T0 + 1001 })).map((r) => r.pdu)).toEqual(['p2']);
      expect((await store.outlets({ site: 'a', pdu: 'p2', from: T0 - 1, to: T0 + 5000 })).map((r) => r.outlet)).toEqual([1]);
      expect((await store.outlets({ site: 'a', rig: 'rig-1', from: T0 - 1, to: T0 + 5000 })).map((r) => r.power_w)).toEqual([3250.5]);
      expect((await store.outlets({ from: T0, to: T0 + 5000 })).map((r) => r.site)).toEqual(['a', 'a', 'b', 'a']);
      expect(await store.outlets({ site: 'nowhere', from: T0, to: T0 + 5000 })).toEqual([]);
    });

    it('stores a repeated reading once: the later fields win, absent fields are kept', async () => {
      const ts = T0 + 60_000;
      await store.write([outlet('d', 'p1', 1, ts, 100, { energy_wh: 5, voltage_v: 230 })]);
      await store.write([outlet('d', 'p1', 1, ts, 100, { energy_wh: 5, voltage_v: 230 })]);
      await store.write([outlet('d', 'p1', 1, ts, 120, { energy_wh: 6 })]);
      expect(await store.outlets({ site: 'd', from: ts, to: ts + 1 })).toEqual([outlet('d', 'p1', 1, ts, 120, { energy_wh: 6, voltage_v: 230 })]);
    });

    it('sums per-outlet bucket means into site power, buckets aligned to the epoch', async () => {
      const base = T0 + 3_600_000; // a whole hour: 10 s buckets start on multiples of 10 s
      await store.write([
        outlet('e', 'p1', 1, base + 1000, 100),
        outlet('e', 'p1', 1, base + 6000, 300),
        outlet('e', 'p1', 2, base + 2000, 50),
        outlet('e', 'p1', 1, base + 12_000, 10),
        outlet('e', 'p2', 1, base + 19_999, 1),
        outlet('f', 'p1', 1, base + 1000, 1000),
      ]);
      expect(await store.powerBuckets({ site: 'e', from: base, to: base + 30_000, stepMs: 10_000 })).toEqual([
        { ts: base, power_w: 250 },
        { ts: base + 10_000, power_w: 11 },
      ]);
      expect(await store.powerBuckets({ from: base, to: base + 10_000, stepMs: 10_000 })).toEqual([{ ts: base, power_w: 1250 }]);
    });

    it('finds the first register reading of each outlet in a range', async () => {
      const base = T0 + 7_200_000;
      await store.write([
        outlet('g', 'p1', 1, base, 5),
        outlet('g', 'p1', 1, base + 1000, 5, { energy_wh: 700 }),
        outlet('g', 'p1', 1, base + 2000, 5, { energy_wh: 701 }),
        outlet('g', 'p1', 2, base + 3000, 5, { energy_wh: 42 }),
      ]);
      const first = await store.firstRegisters({ site: 'g', from: base, to: base + 10_000 });
      expect(first.sort((x, y) => x.outlet - y.outlet)).toEqual([
        { site: 'g', pdu: 'p1', outlet: 1, ts: base + 1000, energy_wh: 700 },
        { site: 'g', pdu: 'p1', outlet: 2, ts: base + 3000, energy_wh: 42 },
      ]);
    });

    it('lists every site that has readings of any kind', async () => {
      expect(await store.sites()).toEqual(expect.arrayContaining(['a', 'b', 'c']));
    });

    it('writes a large batch whole', async () => {
      const base = T0 + 86_400_000;
      const batch = Array.from({ length: 20_000 }, (_, i) => outlet('h', `p${Math.floor(i / 24) % 40}`, 1 + (i % 24), base + Math.floor(i / 960) * 1000, i / 8));
      await store.write(batch);
      const back = await store.outlets({ site: 'h', from: base, to: base + 60_000 });
      expect(back).toHaveLength(20_000);
      expect(back.reduce((sum, r) => sum + r.power_w, 0)).toBe(batch.reduce((sum, r) => sum + r.power_w, 0));
    });

    it('reads a range of many readings whole and in time order, however the backend pages it', async () => {
      const base = T0 + 2 * 86_400_000;
      // 45,000 readings, 1,000 at each second (ties across series), and 20 miners a second.
      const batch = Array.from({ length: 45_000 }, (_, i) => outlet('k', `p${i % 40}`, 1 + Math.floor(i / 40) % 25, base + Math.floor(i / 1000) * 1000, i));
      const miners: MinerReading[] = Array.from({ length: 25_000 }, (_, i) => ({ kind: 'miner', site: 'k', rig: `r${i % 20}`, ts: base + Math.floor(i / 20) * 1000, hashrate_ths: i }));
      await store.write([...batch, ...miners]);
      const back = await store.outlets({ site: 'k', from: base, to: base + 3_600_000 });
      expect(back).toHaveLength(45_000);
      expect(back.every((r, i) => i === 0 || r.ts >= back[i - 1]!.ts)).toBe(true);
      expect(new Set(back.map((r) => `${r.pdu}/${r.outlet}/${r.ts}`)).size).toBe(45_000);
      expect(back.reduce((sum, r) => sum + r.power_w, 0)).toBe(batch.reduce((sum, r) => sum + r.power_w, 0));
      expect(await store.outlets({ site: 'k', pdu: 'p7', from: base + 10_000, to: base + 40_000 })).toHaveLength(30 * 25);
      const minersBack = await store.miners({ site: 'k', from: base, to: base + 3_600_000 });
      expect(minersBack).toHaveLength(25_000);
      expect(minersBack.reduce((sum, r) => sum + r.hashrate_ths, 0)).toBe(miners.reduce((sum, r) => sum + r.hashrate_ths, 0));
    });

    it('gives each series its readings just outside a range: up to `count` on each side, within reach', async () => {
      const base = T0 + 10 * 86_400_000;
      const at = (s: number) => base + s * 1000;
      await store.write([
        ...[0, 10, 20, 30, 40].map((s) => outlet('k', 'p1', 1, at(s), s, { rig: 'r1', energy_wh: 100 + s })),
        // p1/2 has one reading long before the range and one long after it: a gap across the whole range.
        outlet('k', 'p1', 2, at(-3600), 7), outlet('k', 'p1', 2, at(3600), 8),
        outlet('k', 'p2', 1, at(15), 1, { rig: 'r2' }), outlet('k', 'p2', 1, at(100), 2, { rig: 'r2' }),
        { kind: 'meter', site: 'k', meter: 'm', ts: at(-5), power_w: 1, energy_wh: 1 }, { kind: 'meter', site: 'k', meter: 'm', ts: at(50), power_w: 2 },
        { kind: 'meter', site: 'k', meter: 'm', ts: at(60), power_w: 3 },
      ]);
      const around = await store.outletsAround({ site: 'k', from: at(25), to: at(31), count: 2, withinMs: 7_200_000 });
      const key = (r: OutletReading) => `${r.pdu}/${r.outlet}@${(r.ts - base) / 1000}`;
      expect(around.map(key)).toEqual(['p1/2@-3600', 'p1/1@10', 'p2/1@15', 'p1/1@20', 'p1/1@40', 'p2/1@100', 'p1/2@3600']);
      expect(around.find((r) => r.ts === at(10))).toEqual(outlet('k', 'p1', 1, at(10), 10, { rig: 'r1', energy_wh: 110 }));
      // Reach limits how far either side is looked at; the filters narrow like outlets() does.
      expect((await store.outletsAround({ site: 'k', from: at(25), to: at(31), count: 2, withinMs: 20_000 })).map(key)).toEqual(['p1/1@10', 'p2/1@15', 'p1/1@20', 'p1/1@40']);
      expect((await store.outletsAround({ site: 'k', rig: 'r2', from: at(25), to: at(31), count: 5, withinMs: 7_200_000 })).map(key)).toEqual(['p2/1@15', 'p2/1@100']);
      expect((await store.outletsAround({ site: 'k', pdu: 'p1', from: at(25), to: at(31), count: 1, withinMs: 7_200_000 })).map(key)).toEqual(['p1/2@-3600', 'p1/1@20', 'p1/1@40', 'p1/2@3600']);
      expect(await store.metersAround({ site: 'k', from: at(0), to: at(55), count: 3, withinMs: 60_000 })).toEqual<MeterReading[]>([
        { kind: 'meter', site: 'k', meter: 'm', ts: at(-5), power_w: 1, energy_wh: 1 },
        { kind: 'meter', site: 'k', meter: 'm', ts: at(60), power_w: 3 },
      ]);
    });

    it('knows where each site\'s readings begin and end', async () => {
      const base = T0 + 20 * 86_400_000;
      await store.write([outlet('x', 'p1', 1, base + 5, 1), { kind: 'miner', site: 'x', rig: 'r', ts: base, hashrate_ths: 1 }, { kind: 'meter', site: 'x', meter: 'm', ts: base + 9000, power_w: 1 }]);
      expect((await store.extents()).find((e) => e.site === 'x')).toEqual({ site: 'x', from: base, to: base + 9000 });
    });

    it('stores rollup buckets exactly, replaces a bucket written again, and combines them per key', async () => {
      const hour = T0 + 30 * 86_400_000;
      const fields = (n: number): RollupFields => Object.fromEntries(ROLLUP_FIELDS.map((f, i) => [f, n * 1000 + i])) as RollupFields;
      const big = { ...fields(1), register_mwh: 9_007_199_254_740_991, power_mean_w: 3250.5, hashrate_mean_ths: 0.1 + 0.2 };
      const row = (level: RollupRow['level'], key: string, ts: number, f: RollupFields, resolution: RollupRow['resolution'] = '1m'): RollupRow => ({ resolution, level, site: 'r', key, ts, fields: f });
      await store.writeRollups([
        row('rig', 'rig-1', hour, big), row('rig', 'rig-1', hour + 60_000, fields(2)), row('rig', 'rig-2', hour, fields(3)),
        row('pdu', 'p1', hour, fields(4)), row('site', '', hour, fields(5)), row('meter', 'main', hour, fields(6)), row('site', '', hour, fields(7), '1h'),
      ]);
      expect(await store.rollups({ resolution: '1m', level: 'rig', site: 'r', from: hour, to: hour + 120_000 })).toEqual([
        row('rig', 'rig-1', hour, big), row('rig', 'rig-2', hour, fields(3)), row('rig', 'rig-1', hour + 60_000, fields(2)),
      ]);
      expect(await store.rollups({ resolution: '1m', level: 'rig', site: 'r', key: 'rig-2', from: hour, to: hour + 60_000 })).toEqual([row('rig', 'rig-2', hour, fields(3))]);
      expect(await store.rollups({ resolution: '1m', level: 'site', site: 'r', from: hour, to: hour + 1 })).toEqual([row('site', '', hour, fields(5))]);
      expect(await store.rollups({ resolution: '1h', level: 'site', site: 'r', from: hour, to: hour + 1 })).toEqual([row('site', '', hour, fields(7), '1h')]);
      expect(await store.rollups({ resolution: '1m', level: 'meter', site: 'r', from: hour, to: hour + 1 })).toEqual([row('meter', 'main', hour, fields(6))]);
      expect(await store.rollups({ resolution: '1m', level: 'rig', site: 'r', from: hour + 1, to: hour + 60_000 })).toEqual([]);

      // Written again, a bucket is replaced whole: every field takes the new value, including zeros.
      const zeros = Object.fromEntries(ROLLUP_FIELDS.map((f) => [f, 0])) as RollupFields;
      await store.writeRollups([row('rig', 'rig-2', hour, { ...zeros, samples: 60 })]);
      expect(await store.rollups({ resolution: '1m', level: 'rig', site: 'r', key: 'rig-2', from: hour, to: hour + 1 })).toEqual([row('rig', 'rig-2', hour, { ...zeros, samples: 60 })]);

      const totals = await store.rollupTotals({ resolution: '1m', level: 'rig', site: 'r', from: hour, to: hour + 3_600_000 });
      const rig1 = totals.find((t) => t.key === 'rig-1')!;
      expect(totals.map((t) => t.key).sort()).toEqual(['rig-1', 'rig-2']);
      expect(rig1.buckets).toBe(2);
      expect(rig1.fields.integrated_frac).toBe(1002 + 2002);
      expect(rig1.fields.series).toBe(Math.max(big.series, fields(2).series));
      expect(rig1.fields.power_max_w).toBe(Math.max(big.power_max_w, fields(2).power_max_w));
      expect((await store.rollupTotals({ resolution: '1m', level: 'rig', site: 'r', key: 'rig-2', from: hour, to: hour + 3_600_000 }))).toEqual([{ key: 'rig-2', buckets: 1, fields: { ...zeros, samples: 60 } }]);
      expect(await store.rollupTotals({ resolution: '1m', level: 'site', site: 'r', from: hour, to: hour + 60_000 })).toEqual([{ key: '', buckets: 1, fields: fields(5) }]);
      expect(await store.rollupTotals({ resolution: '1m', level: 'site', site: 'nowhere', from: hour, to: hour + 60_000 })).toEqual([]);
    });
  });
}
