import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutletReading } from '../../server/src/domain/reading.js';
import type { SeriesSettings } from '../../server/src/energy/settings.js';
import { FleetRegistry } from '../../server/src/fleet/registry.js';
import { fleetSchema } from '../../server/src/fleet/schema.js';
import { MinuteAccounting, minutePieces } from '../../server/src/rollup/accounting.js';
import { RollupEngine } from '../../server/src/rollup/engine.js';
import { combine, emptyFigures, energyMwh } from '../../server/src/rollup/figures.js';
import { DirtyLedger } from '../../server/src/rollup/ledger.js';
import { RangeReader } from '../../server/src/rollup/reader.js';
import { SqliteStore } from '../../server/src/store/sqlite.js';

/**
 * Register widths and outlet ratings from the fleet file reach the accounting: the raw answer, the rollups, and
 * the rollups again after the fleet file changes them.
 */
const WRAP = 2 ** 32;

function fleet(pdu: Record<string, unknown> = {}, outlets: Record<string, unknown>[] = [{ outlet: 1 }], meter: Record<string, unknown> = {}) {
  return new FleetRegistry(
    fleetSchema.parse({
      version: 1,
      sites: [{ id: 's1', meters: [{ id: 'main', ...meter }], racks: [{ id: 'r1', pdus: [{ id: 'p1', rating_a: 30, voltage_v: 208, outlets, ...pdu }] }] }, { id: 's2' }],
    }),
  );
}

describe('per-series settings from the fleet file', () => {
  it('gives each outlet its own or its PDU\'s register width and rating (A × the PDU voltage), and each meter its own', () => {
    const f = fleet({ register_wrap_wh: WRAP, outlet_rating_a: 16 }, [{ outlet: 1 }, { outlet: 2, rating_a: 10, register_wrap_wh: 65_536 }], { max_power_kw: 2500, register_wrap_wh: 1e9 });
    expect(f.optionsOf('s1', 'outlet', 'p1/1')).toEqual({ registerWrapWh: WRAP, maxPowerW: 16 * 208 });
    expect(f.optionsOf('s1', 'outlet', 'p1/2')).toEqual({ registerWrapWh: 65_536, maxPowerW: 10 * 208 });
    // An outlet the file does not list (a device bound by channel) takes its PDU's settings.
    expect(f.optionsOf('s1', 'outlet', 'p1/7')).toEqual({ registerWrapWh: WRAP, maxPowerW: 16 * 208 });
    expect(f.optionsOf('s1', 'meter', 'main')).toEqual({ registerWrapWh: 1e9, maxPowerW: 2_500_000 });
    expect(f.optionsOf('s1', 'outlet', 'p9/1')).toBeUndefined();
    expect(f.optionsOf('s2', 'outlet', 'p1/1')).toBeUndefined();
    expect(f.fingerprint('s1')).not.toBe('');
    expect(f.fingerprint('s2')).toBe('');
    expect(fleet().fingerprint('s1')).toBe('');
    expect(fleet({ register_wrap_wh: WRAP }).fingerprint('s1')).not.toBe(fleet({ register_wrap_wh: 2 ** 31 }).fingerprint('s1'));
  });

  it('refuses a register width or a rating that cannot be, naming where', () => {
    const r = fleetSchema.safeParse({ version: 1, sites: [{ id: 's1', racks: [{ id: 'r1', pdus: [{ id: 'p1', rating_a: 30, voltage_v: 208, register_wrap_wh: 1.5, outlet_rating_a: -1, outlets: [{ outlet: 1, rating_a: 0 }] }] }] }] });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.')).sort()).toEqual([
      'sites.0.racks.0.pdus.0.outlet_rating_a',
      'sites.0.racks.0.pdus.0.outlets.0.rating_a',
      'sites.0.racks.0.pdus.0.register_wrap_wh',
    ]);
  });
});

/** A 32-bit Wh register wrapping between the 2nd and 3rd reading (10 Wh each 10 s: 3600 W), then a jump of 2990 Wh over 10 min. */
const T0 = Date.UTC(2026, 0, 1);
const READINGS: OutletReading[] = [
  [0, WRAP - 16], [10_000, WRAP - 6], [20_000, 4], [30_000, 14], [40_000, 24],
  [640_000, 3014], [650_000, 3024], [660_000, 3034],
].map(([t, wh]) => ({ kind: 'outlet', site: 's1', pdu: 'p1', outlet: 1, rig: 'r1', ts: T0 + t!, power_w: 3600, energy_wh: wh! }));

function minutesTotal(acc: MinuteAccounting) {
  const sum = emptyFigures();
  for (const p of minutePieces(T0 - 60_000, T0 + 15 * 60_000)) {
    const f = acc.piece(p).get('site/');
    if (f) combine(sum, f, 'time');
  }
  return sum;
}

describe('the minute accounting with per-series settings', () => {
  it('wraps a declared 32-bit register and rejects a jump above the outlet rating', () => {
    const f = fleet({ register_wrap_wh: WRAP, outlet_rating_a: 16 });
    const acc = new MinuteAccounting({ outlets: READINGS, optionsOf: (kind, key) => f.optionsOf('s1', kind, key) });
    const s = minutesTotal(acc);
    // 10 + (6 + 4) + 10 + 10, the jump's 600 s counts as missing (over the gap limit, no integration), then 10 + 10.
    expect(energyMwh(s)).toBe(60_000);
    expect([s.rollovers, s.resets, s.spikes]).toEqual([1, 0, 1]);
  });

  it('without them, the wrap is a reset and the jump is counted', () => {
    const s = minutesTotal(new MinuteAccounting({ outlets: READINGS }));
    // 10, then the drop to 4 (confirmed by 14): a reset counting 4; +10 +10; +2990 over the gap (bridged by the register); +10 +10.
    expect(energyMwh(s)).toBe(3_044_000);
    expect([s.rollovers, s.resets, s.spikes]).toEqual([0, 1, 0]);
  });
});

describe('rollups follow the settings, and are recomputed when they change', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kw-settings-'));
  const store = new SqliteStore(join(dir, 'store.db'));
  let current = FleetRegistry.empty();
  const settings: SeriesSettings = { optionsOf: (...a) => current.optionsOf(...a), fingerprint: (site) => current.fingerprint(site) };
  const engine = new RollupEngine(store, new DirtyLedger(join(dir, 'rollup.db')), pino({ level: 'silent' }), { settleMs: 0, settings });
  const reader = new RangeReader(store, engine);
  const range = [T0 - 3_600_000, T0 + 3_600_000] as const;

  beforeAll(async () => {
    await store.start();
    await store.write(READINGS);
    engine.open();
    await engine.runUntilIdle();
  });
  afterAll(async () => {
    engine.close();
    await store.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('computes the rollups with the settings in force, equal to the raw answer', async () => {
    const planned = await reader.planned({ site: 's1' }, ...range);
    expect(planned.source.hours).toBeGreaterThan(0);
    expect(energyMwh(planned.it)).toBe(3_044_000);
    expect(energyMwh((await reader.raw({ site: 's1' }, ...range)).it)).toBe(3_044_000);
  });

  it('recomputes the site when the fleet file declares the register width and the rating', async () => {
    current = fleet({ register_wrap_wh: WRAP, outlet_rating_a: 16 });
    // Before the engine hears of the change, the raw answer already follows the new settings.
    expect(energyMwh((await reader.raw({ site: 's1' }, ...range)).it)).toBe(60_000);
    engine.settingsChanged();
    const r = await engine.runUntilIdle();
    expect(r.minutes).toBeGreaterThan(0);
    const planned = await reader.planned({ site: 's1' }, ...range);
    expect(planned.source.hours).toBeGreaterThan(0);
    expect(energyMwh(planned.it)).toBe(60_000);
    expect([planned.it.rollovers, planned.it.spikes]).toEqual([1, 1]);
  });

  it('does nothing when a reload leaves the settings as they were', async () => {
    current = fleet({ register_wrap_wh: WRAP, outlet_rating_a: 16 });
    engine.settingsChanged();
    expect(await engine.runUntilIdle()).toEqual({ expanded: 0, minutes: 0, hours: 0 });
  });
});
