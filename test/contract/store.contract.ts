import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeterReading, MinerReading, OutletReading } from '../../server/src/domain/reading.js';
import type { Store } from '../../server/src/store/store.js';

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
  });
}
