import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeterReading, MinerReading, OutletReading, Reading } from '../../server/src/domain/reading.js';
import { demandOfGrid } from '../../server/src/comparison/demand.js';
import { QuarterGrid } from '../../server/src/comparison/grid.js';
import { loadGrid } from '../../server/src/comparison/source.js';
import { readWindow } from '../../server/src/rollup/fetch.js';
import { efficiencyReport } from '../../server/src/energy/efficiency.js';
import { NameplateTable } from '../../server/src/energy/nameplate.js';
import { seriesEnergy } from '../../server/src/energy/series.js';
import { groupFigures } from '../../server/src/reconcile/groups.js';
import { loadAsicSpecs } from '../../simulators/src/models.js';
import { localDayStart, nextLocalDayStart } from '../../server/src/energy/time.js';
import type { Segment } from '../../server/src/energy/types.js';
import { RollupEngine } from '../../server/src/rollup/engine.js';
import { energyMwh, integratedMwh, type Figures } from '../../server/src/rollup/figures.js';
import { DirtyLedger } from '../../server/src/rollup/ledger.js';
import { RangeReader, type RangeEnergy } from '../../server/src/rollup/reader.js';
import { HALF_MW_MS_PER_MWH } from '../../server/src/rollup/split.js';
import { InfluxStore } from '../../server/src/store/influx.js';
import { SqliteStore } from '../../server/src/store/sqlite.js';
import { ROLLUP_LEVELS, ROLLUP_RESOLUTIONS, type Store } from '../../server/src/store/store.js';
import { startInfluxd, type InfluxdHandle } from '../harness/index.js';

/**
 * Rollups against raw readings, on both backends: six hours of a site around the New York fall-back night
 * (2024-11-03, 01:00–02:00 local happens twice), with a reset, a glitch, a gap bridged by the register, a gap
 * that is not, an outlet without a register, miners and a facility meter. Part of the data arrives late (a
 * gateway's backlog); the same data arriving on time is the reference.
 */
const NY = 'America/New_York';
const START = Date.parse('2024-11-03T03:00:00Z');
const END = Date.parse('2024-11-03T09:00:00Z');
const at = (iso: string) => Date.parse(`2024-11-03T${iso}Z`);
const SITE = 'ny-1';

interface World {
  store: Store;
  engine: RollupEngine;
  reader: RangeReader;
  ledgerPath: string;
}

/** The site's readings, and which of them arrive late (in two batches). */
function history(): { onTime: Reading[]; late: Reading[]; later: Reading[] } {
  const onTime: Reading[] = [];
  const late: Reading[] = [];
  const later: Reading[] = [];
  const outlets: Array<{ pdu: string; outlet: number; rig?: string }> = [
    { pdu: 'p1', outlet: 1, rig: 'r1' }, { pdu: 'p1', outlet: 2, rig: 'r2' }, { pdu: 'p1', outlet: 3, rig: 'r3' },
    { pdu: 'p2', outlet: 1, rig: 'r4' }, { pdu: 'p2', outlet: 2, rig: 'r5' }, { pdu: 'p2', outlet: 3 },
  ];
  outlets.forEach((o, i) => {
    let wh = 10_000 * (i + 1);
    let resetAt: number | null = null;
    let previous: number | null = null;
    for (let t = START + i * 3_100; t < END; t += 30_000) {
      const power = Math.round((3000 + 150 * Math.sin((t - START) / 600_000 + i)) * 10) / 10;
      if (i === 1 && t >= at('05:37:00') && resetAt === null) resetAt = wh; // the device restarts: its register counts from 0
      if (previous !== null) wh += (power * (t - previous)) / 3_600_000;
      previous = t;
      let energy: number | undefined = Math.round((wh - (resetAt ?? 0)) * 1000) / 1000;
      if (i === 2 && t >= at('06:12:30') && t < at('06:13:00')) energy = 999_999; // one glitch reading
      if (i === 5) energy = undefined; // no register: integrated
      if (i === 3 && t >= at('05:55:00') && t < at('06:08:00') && !(t >= at('06:01:00') && t < at('06:01:30'))) continue; // offline, bridged by the register
      if (i === 5 && t >= at('07:20:00') && t < at('07:28:00')) continue; // offline, not bridged
      const r: OutletReading = { kind: 'outlet', site: SITE, pdu: o.pdu, outlet: o.outlet, ts: t, power_w: power, ...(o.rig && { rig: o.rig }), ...(energy !== undefined && { energy_wh: energy }) };
      const isLate = (i === 0 && t >= at('05:10:00') && t < at('05:40:00')) || (i === 3 && t >= at('06:01:00') && t < at('06:01:30'));
      (isLate ? late : onTime).push(r);
    }
  });
  let meterWh = 5_000_000;
  for (let t = START + 1_700; t < END; t += 15_000) {
    const power = Math.round(21_600 + 900 * Math.cos((t - START) / 900_000)) + 0.5;
    meterWh += (power * 15_000) / 3_600_000;
    const r: MeterReading = { kind: 'meter', site: SITE, meter: 'main', ts: t, power_w: power, energy_wh: Math.round(meterWh) };
    (t >= at('06:30:00') && t < at('06:45:00') ? later : onTime).push(r);
  }
  for (let rig = 1; rig <= 5; rig++) {
    for (let t = START + 7_000 + rig * 500; t < END; t += 30_000) {
      const m: MinerReading = { kind: 'miner', site: SITE, rig: `r${rig}`, ts: t, hashrate_ths: 100 + rig + ((t / 30_000) % 7) / 4, model: 'Antminer S19 Pro' };
      onTime.push(m);
    }
  }
  onTime.sort((a, b) => a.ts - b.ts);
  return { onTime, late, later };
}

/** Writes as a drainer does: batch by batch, each noted for the rollups. */
async function ingest(w: World, readings: readonly Reading[], batch = 2000): Promise<void> {
  for (let i = 0; i < readings.length; i += batch) {
    const part = readings.slice(i, i + batch);
    await w.store.write(part);
    w.engine.noteStored(part);
  }
}

interface Backend {
  name: string;
  store(tag: string, dir: string): Promise<Store>;
  dispose(): Promise<void>;
}

let influxd: InfluxdHandle | null = null;
const sqlite: Backend = { name: 'sqlite', store: async (_tag, dir) => new SqliteStore(join(dir, 'kilowatch.db')), dispose: async () => {} };
const influx: Backend = {
  name: 'influxdb',
  async store(tag) {
    influxd ??= await startInfluxd();
    return new InfluxStore({ url: influxd.url, database: `rollup_${tag}` });
  },
  dispose: async () => {
    await influxd?.dispose();
    influxd = null;
  },
};

const dirs: string[] = [];
async function world(backend: Backend, tag: string): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'kw-rollup-'));
  dirs.push(dir);
  const store = await backend.store(tag, dir);
  await store.start();
  const ledgerPath = join(dir, 'rollup.db');
  // Data from 2024: long settled by the engine's clock.
  const engine = new RollupEngine(store, new DirtyLedger(ledgerPath), pino({ level: 'silent' }), { settleMs: 0 });
  engine.open();
  return { store, engine, reader: new RangeReader(store, engine), ledgerPath };
}

/** Everything an answer says about energy, to compare two answers exactly. */
function facts(e: RangeEnergy) {
  const f = (x: Figures | null) => x && { mwh: energyMwh(x), register: x.register_mwh, integrated: x.integrated, covered_ms: x.covered_ms, series_ms: x.series_ms, series: x.series, samples: x.samples, resets: x.resets, spikes: x.spikes, glitches: x.glitches, recoveries: x.recoveries, rollovers: x.rollovers, gaps: x.gaps, register_ms: x.register_ms, integrated_ms: x.integrated_ms };
  return { it: f(e.it), meter: f(e.meter) };
}

/** Integrated energy in half-mW·ms, exactly. */
function exactIntegrated(f: Figures): number {
  return f.integrated.whole * HALF_MW_MS_PER_MWH + f.integrated.frac;
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.each([sqlite, influx])('rollups: $name', (backend) => {
  const data = history();
  let a: World; // part of the data arrives late
  let b: World; // the reference: all of it on time
  const site = { site: SITE };

  beforeAll(async () => {
    a = await world(backend, `${backend.name}_a`);
    b = await world(backend, `${backend.name}_b`);
    await ingest(a, data.onTime);
    await ingest(b, [...data.onTime, ...data.late, ...data.later].sort((x, y) => x.ts - y.ts));
    await a.engine.runUntilIdle();
    await b.engine.runUntilIdle();
  });
  afterAll(async () => {
    for (const w of [a, b]) {
      w?.engine.close();
      await w?.store.stop();
    }
    await backend.dispose();
  });

  it('over all the data, the energy is the accounting of every series over all its readings, to the mWh', async () => {
    const all = [...data.onTime, ...data.late, ...data.later];
    let register = 0;
    let halfUnits = 0;
    for (const key of new Set(all.filter((r) => r.kind === 'outlet').map((r) => `${(r as OutletReading).pdu}/${(r as OutletReading).outlet}`))) {
      const points = all.filter((r): r is OutletReading => r.kind === 'outlet' && `${r.pdu}/${r.outlet}` === key);
      const s = seriesEnergy(points, { sink: { segment: (seg: Segment) => void (seg.source === 'integrated' && (halfUnits += (seg.startMw! + seg.endMw!) * (seg.end - seg.start))), covered: () => {} } });
      register += s.mwh_register;
    }
    const whole = await b.reader.planned(site, START - 3_600_000, END + 3_600_000);
    expect(whole.it.register_mwh).toBe(register);
    expect(integratedMwh(whole.it)).toBe(Math.round(halfUnits / HALF_MW_MS_PER_MWH));
    expect(whole.it.resets).toBe(1);
    expect(whole.it.glitches).toBe(1);
    expect(whole.it.gaps).toBe(3); // p2/1 twice (bridged by its register), p2/3 once (not bridged)
    expect(whole.source.raw_ms).toBe(0);
    expect(whole.source.hours).toBe(8);
  });

  it('answers from rollups exactly as from raw readings, for ranges cut anywhere', async () => {
    const ranges: Array<[number, number]> = [
      [START, END],
      [at('03:17:12.345'), at('08:43:01.500')],
      [at('05:59:59.999'), at('06:00:00.001')],
      [at('05:58:30'), at('06:05:30')],
      [at('04:15:00'), at('07:45:00')], // quarter-hour edges: a +05:45 zone's local hours
      [at('06:12:00'), at('06:14:00')],
    ];
    for (const w of [a, b]) {
      for (const [from, to] of ranges) {
        const planned = await w.reader.planned(site, from, to);
        expect(facts(planned), `${new Date(from).toISOString()} – ${new Date(to).toISOString()}`).toEqual(facts(await w.reader.raw(site, from, to)));
        for (const scope of [{ site: SITE, rig: 'r2' }, { site: SITE, pdu: 'p2' }]) {
          expect(facts(await w.reader.planned(scope, from, to))).toEqual(facts(await w.reader.raw(scope, from, to)));
        }
      }
    }
    const cut = await b.reader.planned(site, at('04:15:00'), at('07:45:00'));
    expect(cut.source).toEqual({ hours: 2, minutes: 90, raw_ms: 0 });
  });

  it('demand and efficiency from rollups equal the same read raw, across the fall-back', async () => {
    const nameplates = new NameplateTable(loadAsicSpecs());
    const tags = () => ({ pdu: null, model: 'Antminer S19 Pro' });
    for (const [from, to] of [[START, END], [at('04:07:30'), at('07:52:10')]] as const) {
      const rolled = await loadGrid({ store: b.store, reader: b.reader }, SITE, NY, from, from, to);
      const raw = new QuarterGrid(from, to, NY);
      const scope = { site: SITE, outlets: true, meters: true, miners: true };
      raw.fillFromReadings(await readWindow(b.store, scope, Math.floor(from / 60_000) * 60_000, Math.ceil(to / 60_000) * 60_000), from, to);
      for (const group of ['it', 'meter'] as const) expect(demandOfGrid(rolled, group)).toEqual(demandOfGrid(raw, group));
      expect(demandOfGrid(rolled, 'meter').peak).not.toBeNull();
      const fromRollups = await groupFigures({ store: b.store, rollups: b.engine }, SITE, from, to);
      const fromRaw = await groupFigures({ store: b.store, rollups: null }, SITE, from, to);
      expect(fromRollups.answered_from.hours_1h).toBeGreaterThan(0);
      expect(fromRaw.answered_from.raw_ms).toBe(to - from);
      const report = (g: typeof fromRaw) => efficiencyReport({ groups: g.groups, range: { from, to }, nameplates, tagsOf: tags });
      expect(report(fromRollups)).toEqual(report(fromRaw));
      expect(report(fromRaw).rigs.filter((r) => r.jth !== null)).toHaveLength(5);
    }
  });

  it('consecutive ranges add up exactly to the range covering them', async () => {
    const cuts = [START, at('03:59:30.5'), at('05:00:00'), at('05:37:15'), at('06:00:00.25'), at('06:01:10'), at('07:23:00'), END];
    let sum = 0;
    let register = 0;
    for (let i = 1; i < cuts.length; i++) {
      const part = await b.reader.planned(site, cuts[i - 1]!, cuts[i]!);
      register += part.it.register_mwh;
      sum += exactIntegrated(part.it);
    }
    const whole = await b.reader.planned(site, START, END);
    expect(register).toBe(whole.it.register_mwh);
    // Integrated energy is exact in half-mW·ms and rounded to the mWh once per answer.
    expect(sum).toBe(exactIntegrated(whole.it));
  });

  it('follows the site\'s local day across the fall-back: 25 hours, the same from rollups as raw', async () => {
    const day = localDayStart(at('12:00:00'), NY);
    const next = nextLocalDayStart(day, NY);
    expect(next - day).toBe(25 * 3_600_000);
    const planned = await b.reader.planned(site, day, next);
    expect(facts(planned)).toEqual(facts(await b.reader.raw(site, day, next)));
    // 01:00–02:00 local twice: EDT (05:00Z) then EST (06:00Z), each its own hour.
    const first = await b.reader.planned(site, at('05:00:00'), at('06:00:00'));
    const second = await b.reader.planned(site, at('06:00:00'), at('07:00:00'));
    expect(first.source.hours + second.source.hours).toBe(2);
    const both = (await b.reader.planned(site, at('05:00:00'), at('07:00:00'))).it;
    expect(first.it.register_mwh + second.it.register_mwh).toBe(both.register_mwh);
    expect(exactIntegrated(first.it) + exactIntegrated(second.it)).toBe(exactIntegrated(both));
  });

  it('late data: while pending it is read raw; once processed the rollups equal data that arrived on time', async () => {
    await ingest(a, data.late);
    // Not processed yet: the marked minutes (and their neighbours) are read raw, so the answer is already right.
    const pending = await a.reader.planned(site, START, END);
    expect(pending.source.raw_ms).toBeGreaterThan(0);
    expect(facts(pending).it).toEqual(facts(await b.reader.raw(site, START, END)).it);
    const done = await a.engine.runUntilIdle();
    expect(done.minutes).toBeGreaterThan(0);
    for (const resolution of ROLLUP_RESOLUTIONS) {
      for (const level of ROLLUP_LEVELS) {
        if (level === 'meter') continue; // the meter's backlog is still to come (next test)
        const q = { resolution, level, site: SITE, from: START - 3_600_000, to: END + 3_600_000 };
        expect(await a.store.rollups(q), `${level}_${resolution}`).toEqual(await b.store.rollups(q));
      }
    }
  });

  it('a restart keeps what is dirty: readings stored before a crash still reach the rollups', async () => {
    await ingest(a, data.later);
    a.engine.close(); // as if the process died here: nothing recomputed yet
    const reopened = new RollupEngine(a.store, new DirtyLedger(a.ledgerPath), pino({ level: 'silent' }), { settleMs: 0 });
    reopened.open();
    a.engine = reopened;
    a.reader = new RangeReader(a.store, reopened);
    expect(reopened.ledger.backlog().fresh).toBeGreaterThan(0);
    await reopened.runUntilIdle();
    expect(reopened.ledger.backlog()).toEqual({ fresh: 0, minutes: 0, hours: 0 });
    for (const resolution of ROLLUP_RESOLUTIONS) {
      for (const level of ROLLUP_LEVELS) {
        const q = { resolution, level, site: SITE, from: START - 3_600_000, to: END + 3_600_000 };
        expect(await a.store.rollups(q), `${level}_${resolution}`).toEqual(await b.store.rollups(q));
      }
    }
    expect(facts(await a.reader.planned(site, START, END))).toEqual(facts(await b.reader.raw(site, START, END)));
  });
});
