import { describe, expect, it } from 'vitest';
import { comparisonCsv, dailyCsv } from '../../server/src/comparison/csv.js';
import { daysIncluded, PeriodError, resolvePeriod } from '../../server/src/comparison/period.js';
import { compare, meterReadings, MIN } from './cmp-support.js';

const at = (iso: string) => Date.parse(iso);

describe('periods in each site\'s own zone', () => {
  // Wednesday 6 November 2024, 03:30 UTC: Tuesday 21:30 in Chicago (CST since the 3rd), Wednesday 09:15 in Kathmandu.
  const now = at('2024-11-06T03:30:00Z');
  const chicago = (period: Parameters<typeof resolvePeriod>[0]['period'], from?: string, to?: string) =>
    resolvePeriod({ period, ...(from && { from }), ...(to && { to }) }, 'America/Chicago', now);

  it('today, yesterday, weeks from Monday and months, cut at now while they run', () => {
    expect(chicago('today')).toEqual({ from: at('2024-11-05T06:00:00Z'), to: now, periodEnd: at('2024-11-06T06:00:00Z') });
    expect(chicago('yesterday')).toEqual({ from: at('2024-11-04T06:00:00Z'), to: at('2024-11-05T06:00:00Z'), periodEnd: at('2024-11-05T06:00:00Z') });
    expect(chicago('this-week')).toEqual({ from: at('2024-11-04T06:00:00Z'), to: now, periodEnd: at('2024-11-11T06:00:00Z') });
    // Monday 28 October 00:00 CDT to Monday 4 November 00:00 CST: 169 hours, the fall-back hour included.
    const lastWeek = chicago('last-week');
    expect(lastWeek).toEqual({ from: at('2024-10-28T05:00:00Z'), to: at('2024-11-04T06:00:00Z'), periodEnd: at('2024-11-04T06:00:00Z') });
    expect(lastWeek.to - lastWeek.from).toBe(169 * 3_600_000);
    expect(chicago('this-month')).toEqual({ from: at('2024-11-01T05:00:00Z'), to: now, periodEnd: at('2024-12-01T06:00:00Z') });
    expect(chicago('last-month')).toEqual({ from: at('2024-10-01T05:00:00Z'), to: at('2024-11-01T05:00:00Z'), periodEnd: at('2024-11-01T05:00:00Z') });
  });

  it('is a different instant in each zone', () => {
    expect(resolvePeriod({ period: 'today' }, 'Asia/Kathmandu', now).from).toBe(at('2024-11-05T18:15:00Z'));
    expect(resolvePeriod({ period: 'today' }, 'UTC', now).from).toBe(at('2024-11-06T00:00:00Z'));
  });

  it('custom: local dates, both days included, cut at now; a period that has not begun is refused', () => {
    expect(chicago('custom', '2024-11-01', '2024-11-03')).toEqual({ from: at('2024-11-01T05:00:00Z'), to: at('2024-11-04T06:00:00Z'), periodEnd: at('2024-11-04T06:00:00Z') });
    expect(chicago('custom', '2024-11-05', '2024-11-30').to).toBe(now);
    expect(() => chicago('custom', '2024-11-06', '2024-11-07')).toThrow(PeriodError);
    expect(daysIncluded('2024-11-01', '2024-11-30')).toBe(30);
    expect(daysIncluded('2024-03-10', '2024-03-10')).toBe(1);
  });
});

describe('CSV', () => {
  it('writes the table and the days with a header row, CRLF, and quotes where a field needs them', () => {
    const t0 = at('2024-07-16T13:57:00-05:00');
    const result = compare({
      tz: 'America/Chicago',
      period: { period: 'custom', from: '2024-07-16', to: '2024-07-16' },
      now: at('2024-07-20T00:00:00Z'),
      meters: meterReadings(t0, t0 + 10 * MIN, 5 * MIN, (t) => (t < t0 + 5 * MIN ? 600 : 300)),
      tariff: { periods: [{ name: 'on-peak', price_per_kwh: 0.2, hours: [{ from: 14, to: 20 }] }], price_per_kwh: 0.05 },
    });
    const table = comparisonCsv([{ ...result.site, name: 'Big Spring, "TX"' }]).split('\r\n');
    expect(table).toHaveLength(3);
    expect(table[2]).toBe('');
    const header = table[0]!.split(',');
    expect(header.slice(0, 9)).toEqual(['site', 'name', 'time_zone', 'from_local', 'to_local', 'it_kwh', 'meter_kwh', 'billed_source', 'billed_kwh']);
    expect(table[1]!.startsWith('s,"Big Spring, ""TX""",America/Chicago,2024-07-16T00:00:00-05:00,2024-07-17T00:00:00-05:00,0,75,meter,75,')).toBe(true);
    expect(table[1]).toContain(',USD,10.5,0,10.5,0.14,on-peak: 45 kWh × 0.2 = 9; standard: 30 kWh × 0.05 = 1.5,');
    const daily = dailyCsv([result.days]).split('\r\n');
    expect(daily[0]).toBe('site,date,start_local,it_kwh,meter_kwh,billed_source,billed_kwh,peak_kw,th,j_per_th,currency,energy_cost,demand_cost,total_cost,carbon_kg');
    expect(daily[1]).toBe('s,2024-07-16,2024-07-16T00:00:00-05:00,0,75,meter,75,180,0,,USD,10.5,0,10.5,');
  });
});
