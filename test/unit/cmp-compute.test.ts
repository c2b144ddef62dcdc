import { describe, expect, it } from 'vitest';
import { hourLoads } from '../../server/src/comparison/compute.js';
import { curtailment, median } from '../../server/src/comparison/curtailment.js';
import { QuarterGrid } from '../../server/src/comparison/grid.js';
import { DEFAULT_CURTAILMENT } from '../../server/src/comparison/settings.js';
import { compare, DAY, HOUR, meterReadings, MIN, minerReadings } from './cmp-support.js';

const UTC = 'UTC';

describe('15-minute demand, load factor and the demand charge', () => {
  // June 2024, UTC, the meter read every minute. 500 kW throughout, except the quarter 5 June 12:00–12:15 at
  // 2 000 kW, and on 10 June 250 kW from noon on.
  const peakAt = Date.parse('2024-06-05T12:00:00Z');
  const tenthNoon = Date.parse('2024-06-10T12:00:00Z');
  const kwAt = (t: number) => (t >= peakAt && t < peakAt + 15 * MIN ? 2000 : t >= tenthNoon ? 250 : 500);
  const meters = meterReadings(Date.parse('2024-05-31T23:00:00Z'), Date.parse('2024-06-11T01:00:00Z'), MIN, kwAt);
  const tariff = { price_per_kwh: 0.1, demand_charge_per_kw: 15 };
  const now = Date.parse('2024-06-20T00:00:00Z');

  it('charges a day its share of the month\'s peak so far, and gives its load factor', () => {
    const { site, days } = compare({ tz: UTC, period: { period: 'custom', from: '2024-06-10', to: '2024-06-10' }, now, meters, tariff });
    // The day: 12 h × 500 kW + 12 h × 250 kW = 9 000 kWh; average 375 kW; its own peak 500 kW.
    expect(site.billed_kwh).toBe(9000);
    expect(site.avg_kw).toBe(375);
    expect(site.peak_kw).toBe(500);
    expect(site.peak_local).toBe('2024-06-10T00:00:00+00:00');
    expect(site.load_factor).toBe(0.75);
    // June's peak so far is the 2 000 kW quarter of the 5th; the day is 1/30 of June: 15 × 2 000 / 30 = 1 000.
    expect(site.cost!.months).toEqual([{ month: '2024-06', peak_kw: 2000, peak_at: peakAt, peak_local: '2024-06-05T12:00:00+00:00', share: 1 / 30, charge: 1000 }]);
    expect(site.cost!.demand).toBe(1000);
    expect(site.cost!.energy).toBe(900);
    expect(site.cost!.total).toBe(1900);
    expect(site.cost!.per_kwh).toBe(1900 / 9000);
    expect(days.days.map((d) => [d.date, d.peak_kw, d.energy_cost, d.demand_cost, d.cost])).toEqual([['2024-06-10', 500, 900, 1000, 1900]]);
  });

  it('over ten days: the peak of the period is the month\'s, charged for 10/30 of the month', () => {
    const { site, days } = compare({ tz: UTC, period: { period: 'custom', from: '2024-06-01', to: '2024-06-10' }, now, meters, tariff });
    // 9 days × 12 000 kWh + 9 000 kWh, plus the peak quarter's extra (2 000 − 500) kW × 0.25 h = 375 kWh.
    expect(site.billed_kwh).toBe(117_375);
    expect(site.peak_kw).toBe(2000);
    expect(site.avg_kw).toBe(117_375 / 240);
    expect(site.load_factor).toBe(117_375 / 240 / 2000);
    expect(site.cost!.demand).toBe(10_000);
    expect(days.days).toHaveLength(10);
    expect(days.days.reduce((s, d) => s + d.demand_cost!, 0)).toBeCloseTo(10_000, 9);
    expect(days.days[4]!.peak_kw).toBe(2000);
  });

  it('bills the facility meter when it reported, the IT load when told to', () => {
    const { site } = compare({ tz: UTC, period: { period: 'custom', from: '2024-06-10', to: '2024-06-10' }, now, meters, tariff: { ...tariff, billed: 'it' } });
    expect(site.billed_source).toBe('it');
    expect(site.billed_kwh).toBe(0);
    expect(site.meter_kwh).toBe(9000);
    expect(site.peak_kw).toBeNull();
    expect(site.load_factor).toBeNull();
  });
});

describe('carbon', () => {
  it('uses each local month\'s factor: YYYY-MM before the month of the year before the default', () => {
    // 100 kW for 31 October and 1 November 2024 (UTC): 2 400 kWh a day. October: 0.4 kg/kWh (month 10);
    // November: 0.3 (2024-11 wins over month 11's 0.9). 2 400 × 0.4 + 2 400 × 0.3 = 1 680 kg.
    const from = Date.parse('2024-10-30T23:00:00Z');
    const to = Date.parse('2024-11-02T01:00:00Z');
    const meters = meterReadings(from, to, MIN, () => 100);
    const miners = minerReadings(from, to, MIN, 100);
    const carbon = { kg_per_kwh: 0.5, by_month: { '10': 0.4, '11': 0.9, '2024-11': 0.3 }, source: 'test grid' };
    const { site, days } = compare({ tz: UTC, period: { period: 'custom', from: '2024-10-31', to: '2024-11-01' }, now: Date.parse('2024-12-01T00:00:00Z'), meters, miners, carbon });
    expect(days.days.map((d) => [d.date, d.billed_kwh, d.carbon_kg])).toEqual([['2024-10-31', 2400, 960], ['2024-11-01', 2400, 720]]);
    expect(site.carbon).toEqual({ kg: 1680, tonnes: 1.68, kg_per_th: 1680 / (100 * 2 * 86_400), kg_per_kwh: 0.35, source: 'test grid' });
    // Hash-work: 100 TH/s for two days.
    expect(site.th).toBe(100 * 2 * 86_400);
    expect(site.hashrate_ths).toBe(100);
  });
});

describe('curtailment', () => {
  // A day in UTC, after a week at 1 000 kW: 10:00–12:00 at 300 kW (below 50 % of usual: curtailed), 12:00–13:00
  // at 600 kW (not below 500 kW), and no readings from 15:00 to 16:00 (a gap is not curtailment).
  const day = Date.parse('2024-06-20T00:00:00Z');
  const kwAt = (t: number) => (t >= day + 10 * HOUR && t < day + 12 * HOUR ? 300 : t >= day + 12 * HOUR && t < day + 13 * HOUR ? 600 : 1000);
  const meters = meterReadings(day - 8 * DAY, day + DAY + HOUR, MIN, kwAt, { skip: (t) => t > day + 14 * HOUR + 59 * MIN && t < day + 16 * HOUR });

  it('lists the hours below the threshold of the median of the week before, with the energy avoided', () => {
    const { site } = compare({ tz: UTC, period: { period: 'custom', from: '2024-06-20', to: '2024-06-20' }, now: day + 3 * DAY, meters });
    const c = site.curtailment;
    expect(c.threshold_pct).toBe(50);
    expect(c.baseline_days).toBe(7);
    // 24 hours less 15:00 (coverage 0: the readings are 61 min apart); 14:00 is covered 59/60 ≥ 90 %.
    expect(c.judged_hours).toBe(23);
    expect(c.curtailed_hours).toBe(2);
    expect(c.hours).toEqual([
      { start: day + 10 * HOUR, end: day + 11 * HOUR, local_start: '2024-06-20T10:00:00+00:00', kw: 300, usual_kw: 1000, avoided_kwh: 700 },
      { start: day + 11 * HOUR, end: day + 12 * HOUR, local_start: '2024-06-20T11:00:00+00:00', kw: 300, usual_kw: 1000, avoided_kwh: 700 },
    ]);
    expect(c.avoided_kwh).toBe(1400);
    expect(c.events).toEqual([{ start: day + 10 * HOUR, end: day + 12 * HOUR, local_start: '2024-06-20T10:00:00+00:00', hours: 2, avoided_kwh: 1400, kw: 300, usual_kw: 1000 }]);
  });

  it('takes a threshold and a baseline from the settings, and needs enough baseline hours', () => {
    const strict = compare({ tz: UTC, period: { period: 'custom', from: '2024-06-20', to: '2024-06-20' }, now: day + 3 * DAY, meters, curtailment: { threshold_pct: 70 } });
    // 600 kW < 70 % of 1 000 kW: 12:00 is curtailed too, avoiding 400 kWh.
    expect(strict.site.curtailment.curtailed_hours).toBe(3);
    expect(strict.site.curtailment.avoided_kwh).toBe(1800);
    // No readings before the day: the first 24 hours have no baseline of 24 hours, so none is judged.
    const fresh = meters.filter((m) => m.ts >= day);
    expect(compare({ tz: UTC, period: { period: 'custom', from: '2024-06-20', to: '2024-06-20' }, now: day + 3 * DAY, meters: fresh }).site.curtailment.judged_hours).toBe(0);
  });

  it('takes the median, so a few odd hours do not move the usual load', () => {
    expect(median([1000, 1000, 300, 1000, 5000])).toBe(1000);
    expect(median([1, 2, 3, 4])).toBe(2.5);
    const hours = [0, 1, 2, 3].map((h) => ({ start: h * HOUR, end: (h + 1) * HOUR, kw: [100, 100, 100, 10][h]!, coverage: 1 }));
    const r = curtailment(hours, { from: 3 * HOUR, to: 4 * HOUR }, { ...DEFAULT_CURTAILMENT, min_baseline_hours: 3 }, String);
    expect(r.hours).toEqual([{ start: 3 * HOUR, end: 4 * HOUR, local_start: String(3 * HOUR), kw: 10, usual_kw: 100, avoided_kwh: 90 }]);
  });

  it('counts 25 local hours on a fall-back day, two of them starting at 01:00', () => {
    const grid = new QuarterGrid(Date.parse('2024-11-03T04:00:00Z'), Date.parse('2024-11-04T05:00:00Z'), 'America/New_York');
    const hours = hourLoads(grid, 'meter');
    expect(hours).toHaveLength(25);
    expect(hours[1]!.start).toBe(Date.parse('2024-11-03T05:00:00Z'));
    expect(hours[2]!.start).toBe(Date.parse('2024-11-03T06:00:00Z'));
    expect(hours.every((h) => h.end - h.start === HOUR && h.coverage === 0)).toBe(true);
  });
});
