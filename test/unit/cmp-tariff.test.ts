import { describe, expect, it } from 'vitest';
import { priceAt, tariffSchema } from '../../server/src/comparison/settings.js';
import { compare, meterReadings, MIN } from './cmp-support.js';

const onPeakWeekdays = {
  currency: 'USD',
  periods: [{ name: 'on-peak', price_per_kwh: 0.2, days: ['mon', 'tue', 'wed', 'thu', 'fri'], hours: [{ from: 14, to: 20 }] }],
  price_per_kwh: 0.05,
};

describe('time-of-use tariffs', () => {
  it('splits an interval that crosses a period boundary exactly at the boundary', () => {
    // Chicago, Tuesday 16 July 2024 (CDT, UTC−5). The meter reads at 13:57, 14:02 and 14:07 local: 50 kWh over
    // the first 5 minutes (600 kW), 25 kWh over the next 5 (300 kW). On-peak starts at 14:00, 3 minutes into the
    // first interval: 3/5 × 50 = 30 kWh are off-peak, 2/5 × 50 + 25 = 45 kWh on-peak.
    const t0 = Date.parse('2024-07-16T13:57:00-05:00');
    const meters = meterReadings(t0, t0 + 10 * MIN, 5 * MIN, (t) => (t < t0 + 5 * MIN ? 600 : 300));
    const { site } = compare({ tz: 'America/Chicago', period: { period: 'custom', from: '2024-07-16', to: '2024-07-16' }, now: Date.parse('2024-07-20T00:00:00Z'), meters, tariff: onPeakWeekdays });
    expect(site.billed_source).toBe('meter');
    expect(site.billed_kwh).toBe(75);
    expect(site.cost!.periods).toEqual([
      { period: 'on-peak', price_per_kwh: 0.2, kwh: 45, cost: 9 },
      { period: 'standard', price_per_kwh: 0.05, kwh: 30, cost: 1.5 },
    ]);
    // 30 × 0.05 + 45 × 0.20
    expect(site.cost!.energy).toBe(10.5);
    expect(site.cost!.demand).toBe(0);
    // The quarter 14:00–14:15 holds 20 + 25 = 45 kWh: 180 kW; 13:45–14:00 holds 30 kWh: 120 kW.
    expect(site.peak_kw).toBe(180);
    expect(site.peak_local).toBe('2024-07-16T14:00:00-05:00');
  });

  it('prices both 01:00 hours of a fall-back night (a 25-hour day)', () => {
    // New York, Sunday 3 November 2024: 01:00–02:00 happens twice (EDT, then EST). 1 000 kW all day, read every
    // minute, no register (integrated): the day is 25 h = 25 000 kWh, of which the two 01:00 hours are 2 000 kWh.
    const from = Date.parse('2024-11-03T00:00:00Z');
    const meters = meterReadings(from, Date.parse('2024-11-04T09:00:00Z'), MIN, () => 1000, { register: false });
    const tariff = { periods: [{ name: 'night', price_per_kwh: 0.1, hours: [{ from: 1, to: 2 }] }], price_per_kwh: 0.05 };
    const { site, days } = compare({ tz: 'America/New_York', period: { period: 'custom', from: '2024-11-03', to: '2024-11-03' }, now: Date.parse('2024-11-10T00:00:00Z'), meters, tariff });
    expect(site.to - site.from).toBe(25 * 3_600_000);
    expect(site.billed_kwh).toBe(25_000);
    expect(site.cost!.periods).toEqual([
      { period: 'night', price_per_kwh: 0.1, kwh: 2000, cost: 200 },
      { period: 'standard', price_per_kwh: 0.05, kwh: 23_000, cost: 1150 },
    ]);
    expect(site.cost!.energy).toBe(1350);
    expect(days.days.map((d) => [d.date, d.local_start, d.billed_kwh, d.energy_cost])).toEqual([['2024-11-03', '2024-11-03T00:00:00-04:00', 25_000, 1350]]);
  });

  it('prices nothing in an hour a spring-forward night skips (a 23-hour day)', () => {
    // New York, Sunday 10 March 2024: 02:00 EST is followed by 03:00 EDT, so a 02:00 period never runs.
    const meters = meterReadings(Date.parse('2024-03-10T00:00:00Z'), Date.parse('2024-03-11T09:00:00Z'), MIN, () => 1000);
    const tariff = { periods: [{ name: 'two-am', price_per_kwh: 1, hours: [{ from: 2, to: 3 }] }], price_per_kwh: 0.05 };
    const { site } = compare({ tz: 'America/New_York', period: { period: 'custom', from: '2024-03-10', to: '2024-03-10' }, now: Date.parse('2024-03-20T00:00:00Z'), meters, tariff });
    expect(site.to - site.from).toBe(23 * 3_600_000);
    expect(site.cost!.periods).toEqual([{ period: 'standard', price_per_kwh: 0.05, kwh: 23_000, cost: 1150 }]);
  });

  it('matches the first period whose months, days and hours all fit; hours may wrap past midnight', () => {
    const t = tariffSchema.parse({
      periods: [
        { name: 'summer-peak', price_per_kwh: 0.3, months: [6, 7, 8], days: ['mon', 'tue', 'wed', 'thu', 'fri'], hours: [{ from: 16, to: 21 }] },
        { name: 'night', price_per_kwh: 0.04, hours: [{ from: 22, to: 6 }] },
        { name: 'day', price_per_kwh: 0.09 },
      ],
    });
    expect(priceAt(t, { month: 7, weekday: 'wed', hour: 16 })).toEqual({ period: 'summer-peak', price: 0.3 });
    expect(priceAt(t, { month: 7, weekday: 'sat', hour: 16 })).toEqual({ period: 'day', price: 0.09 });
    expect(priceAt(t, { month: 1, weekday: 'wed', hour: 16 })).toEqual({ period: 'day', price: 0.09 });
    expect(priceAt(t, { month: 1, weekday: 'wed', hour: 23 })).toEqual({ period: 'night', price: 0.04 });
    expect(priceAt(t, { month: 1, weekday: 'wed', hour: 5 })).toEqual({ period: 'night', price: 0.04 });
    expect(priceAt(t, { month: 1, weekday: 'wed', hour: 6 })).toEqual({ period: 'day', price: 0.09 });
  });

  it('names the first local hour no period prices, and other mistakes, by path', () => {
    const uncovered = tariffSchema.safeParse({ periods: [{ name: 'week', price_per_kwh: 0.1, days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'] }] });
    expect(uncovered.success).toBe(false);
    expect(uncovered.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'periods: no period prices sun 00:00 in month 1: add a period for it, or a price_per_kwh for hours no period matches',
    ]);
    const bad = tariffSchema.safeParse({ currency: 'dollars', periods: [{ name: 'a', price_per_kwh: -1 }, { name: 'a', price_per_kwh: 1, hours: [{ from: 5, to: 5 }] }], extra: 1 });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['currency', 'periods.0.price_per_kwh', 'periods.1.hours.0', '']));
    expect(tariffSchema.parse({})).toEqual({ currency: 'USD', billed: 'auto', periods: [], demand_charge_per_kw: 0 });
  });
});
