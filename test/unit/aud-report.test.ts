import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reading } from '../../server/src/domain/reading.js';
import { fleetSchema } from '../../server/src/fleet/schema.js';
import { loadAsicCatalog } from '../../server/src/reports/catalog.js';
import { gatherMonthly, monthRange } from '../../server/src/reports/gather.js';
import { buildMonthlyReport, type MonthlyReport } from '../../server/src/reports/monthly.js';
import { reportCsv, reportCsp, reportHtml, reportJson } from '../../server/src/reports/render.js';
import { RollupEngine } from '../../server/src/rollup/engine.js';
import { DirtyLedger } from '../../server/src/rollup/ledger.js';
import { SqliteStore } from '../../server/src/store/sqlite.js';

/**
 * A constructed month: New York's November 2024, which is 721 hours long (clocks go back on the 3rd). Every
 * 5 minutes from an hour before the month to an hour after it:
 * - outlet 1 feeds rig u01 (Antminer S19 Pro) at 3000 W, its register +250 Wh each time → 3000 W × 721 h = 2163 kWh;
 * - outlet 2 feeds rig u02 (Antminer S21) at 3600 W, +300 Wh → 2595.6 kWh;
 * - outlet 3 feeds a network switch (no rig) at 120 W with no register: integrated → 86.52 kWh;
 * - the facility meter at 7200 W, +600 Wh → 5191.2 kWh, plus 200 Wh more in each of the three readings of the
 *   quarter 12:00–12:15 local on 15 November (9600 W) → 5191.8 kWh, and that quarter is the peak: 2.4 kWh / 0.25 h;
 * - miners: u01 at 110 TH/s, u02 at 200 TH/s, but 230 TH/s at 12:30 and 12:35 local on 20 November → the
 *   minutes 12:30–12:34 hold 340 TH/s, the month's highest 1-minute mean.
 */
const SITE = 'ny-1';
const TZ = 'America/New_York';
const STEP = 300_000;
const { from: FROM, to: TO } = monthRange('2024-11', TZ);
const PEAK_START = Date.parse('2024-11-15T17:00:00Z');
const HASH_PEAK = Date.parse('2024-11-20T17:30:00Z');

const FLEET = fleetSchema.parse({
  version: 1,
  sites: [
    {
      id: SITE,
      name: 'Queens test hall',
      time_zone: TZ,
      suppliers: [{ name: 'Con Edison', account: '42-7' }],
      meters: [{ id: 'main', supplier: 'Con Edison' }],
      racks: [{ id: 'r01', pdus: [{ id: 'p1', rating_a: 30, voltage_v: 208, outlets: [{ outlet: 1, rig: 'u01', model: 'Antminer S19 Pro' }, { outlet: 2, rig: 'u02', model: 'Antminer S21' }, { outlet: 3 }] }] }],
    },
  ],
});

function month(): Reading[] {
  const out: Reading[] = [];
  const wh = { o1: 1_000_000, o2: 2_000_000, meter: 5_000_000 };
  for (let t = FROM - 3_600_000, k = 0; t <= TO + 3_600_000; t += STEP, k++) {
    const peak = t > PEAK_START && t <= PEAK_START + 15 * 60_000;
    if (k > 0) {
      wh.o1 += 250;
      wh.o2 += 300;
      wh.meter += peak ? 800 : 600;
    }
    out.push(
      { kind: 'outlet', site: SITE, pdu: 'p1', outlet: 1, rig: 'u01', ts: t, power_w: 3000, energy_wh: wh.o1 },
      { kind: 'outlet', site: SITE, pdu: 'p1', outlet: 2, rig: 'u02', ts: t, power_w: 3600, energy_wh: wh.o2 },
      { kind: 'outlet', site: SITE, pdu: 'p1', outlet: 3, ts: t, power_w: 120 },
      { kind: 'meter', site: SITE, meter: 'main', ts: t, power_w: peak ? 9600 : 7200, energy_wh: wh.meter },
      { kind: 'miner', site: SITE, rig: 'u01', ts: t, hashrate_ths: 110, model: 'Antminer S19 Pro' },
      { kind: 'miner', site: SITE, rig: 'u02', ts: t, hashrate_ths: t === HASH_PEAK || t === HASH_PEAK + STEP ? 230 : 200, model: 'Antminer S21' },
    );
  }
  return out;
}

describe('monthly facility report of a constructed month', () => {
  const store = new SqliteStore(':memory:');
  const catalog = loadAsicCatalog();
  let raw: MonthlyReport;
  let fromRollups: MonthlyReport;
  let engine: RollupEngine;

  beforeAll(async () => {
    await store.start();
    await store.write(month());
    raw = buildMonthlyReport(await gatherMonthly({ store, rollups: null, catalog }, { site: SITE, month: '2024-11', tz: TZ, fleetSite: FLEET.sites[0] }));
    engine = new RollupEngine(store, new DirtyLedger(':memory:'), pino({ level: 'silent' }));
    engine.open();
    await engine.runUntilIdle();
    fromRollups = buildMonthlyReport(await gatherMonthly({ store, rollups: engine, catalog }, { site: SITE, month: '2024-11', tz: TZ, fleetSite: FLEET.sites[0] }));
  });
  afterAll(async () => {
    engine?.close();
    await store.stop();
  });

  it('covers the local month, 721 hours across the fall-back', () => {
    expect(raw.period).toEqual({ from: Date.parse('2024-11-01T04:00:00Z'), to: Date.parse('2024-12-01T05:00:00Z'), local_from: '2024-11-01T00:00:00-04:00', local_to: '2024-12-01T00:00:00-05:00', hours: 721 });
  });

  it('gives the consumption from the facility meter, and the PDUs beside it', () => {
    expect(raw.consumption).toEqual({ mwh: 5.1918, kwh: 5191.8, source: 'meter', meter_kwh: 5191.8, it_kwh: 4845.12, meter_completeness: 1, it_completeness: 1 });
  });

  it('counts the outlets feeding rigs as mining, and the rest as other IT and overhead', () => {
    expect(raw.mining).toEqual({ mwh: 4.7586, kwh: 4758.6, share: 4758.6 / 5191.8, other_it_kwh: 86.52, overhead_kwh: 346.68 });
  });

  it('attributes the meter to its supplier', () => {
    expect(raw.suppliers).toEqual([{ name: 'Con Edison', account: '42-7', meters: ['main'], mwh: 5.1918, kwh: 5191.8, share: 1 }]);
  });

  it('finds the peak 15-minute load on the facility meter', () => {
    expect(raw.peak_load).toEqual({ start: PEAK_START, end: PEAK_START + 900_000, local_start: '2024-11-15T12:00:00-05:00', kwh: 2.4, kw: 9.6, coverage: 1, source: 'meter', interval_minutes: 15 });
  });

  it('finds the highest 1-minute hashrate, and the nameplate of the fleet', () => {
    expect(raw.hashrate).toEqual({ max_ths: 340, max_at: HASH_PEAK, local_max_at: '2024-11-20T12:30:00-05:00', nameplate_ths: 310 });
  });

  it('lists the fleet by model and age', () => {
    expect(raw.fleet).toEqual({
      rigs: 2,
      rigs_active: 2,
      unknown_model: 0,
      models: [
        { model: 'Antminer S19 Pro', manufacturer: 'Bitmain', release_year: 2020, age_years: 4, rigs: 1, rigs_active: 1, nameplate_ths_each: 110, nameplate_w_each: 3250 },
        { model: 'Antminer S21', manufacturer: 'Bitmain', release_year: 2023, age_years: 1, rigs: 1, rigs_active: 1, nameplate_ths_each: 200, nameplate_w_each: 3500 },
      ],
    });
  });

  it('gives the same figures from rollups as from raw readings', () => {
    expect(fromRollups.answered_from).toEqual({ hours_1h: 721, minutes_1m: 0, raw_ms: 0 });
    expect({ ...fromRollups, answered_from: null }).toEqual({ ...raw, answered_from: null });
  });

  it('renders the same report as CSV, JSON and printable HTML, byte for byte the same each time', () => {
    const csv = reportCsv(raw).toString();
    expect(csv.split('\r\n').slice(0, 9)).toEqual([
      'section,field,value,unit,definition',
      'report,site,ny-1,,',
      'report,site_name,Queens test hall,,',
      'report,month,2024-11,,',
      'report,time_zone,America/New_York,,',
      'report,period_start,2024-11-01T00:00:00-04:00,,',
      'report,period_end,2024-12-01T00:00:00-05:00,,',
      'report,hours,721,h,',
      expect.stringMatching(/^consumption,total,5\.1918,MWh,"Electricity the facility took/),
    ]);
    expect(csv).toContain('\r\nsupplier:Con Edison,consumption,5.1918,MWh,');
    expect(csv).toContain('\r\npeak_load,demand,9.6,kW,');
    expect(csv).toContain('\r\nfleet:Antminer S21,age_years,1,years,');
    // How the figures were read is not in the CSV: raw readings and rollups give the same bytes.
    expect(reportCsv(raw).equals(reportCsv(fromRollups))).toBe(true);
    expect(JSON.parse(reportJson(raw).toString())).toEqual(JSON.parse(JSON.stringify(raw)));
    const html = reportHtml(raw).toString();
    expect(html).toContain('<div class="key" id="consumption-mwh">5.192</div>');
    expect(html).toContain('@media print');
    expect(reportHtml(raw).equals(reportHtml(raw))).toBe(true);
    expect(reportCsp()).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]{43}='; /);
  });
});
