import { describe, expect, it } from 'vitest';
import type { SiteComparison } from '../../server/src/comparison/types.js';
import { COMPARISON, parseRoute, routeHash } from '../../web/src/lib/route.js';
import { COLUMNS, DEFAULT_SORT, nextSort, periodQuery, sortSites } from '../../web/src/views/comparison-model.js';

function site(id: string, kwh: number, cost: number | null, jth: number | null): SiteComparison {
  return {
    site: id, name: null, tz: 'UTC', from: 0, to: 1, period_end: 1, local_from: '', local_to: '', kwh, completeness: 1, meter_kwh: null,
    meter_completeness: null, billed_source: 'it', billed_kwh: kwh, avg_kw: 0, peak_kw: null, peak_at: null, peak_local: null, load_factor: null,
    th: 0, hashrate_ths: 0, jth, jth_facility: null, overhead: null, rigs: 0, rigs_configured: 0,
    cost: cost === null ? null : { currency: 'USD', demand_charge_per_kw: 0, energy: cost, demand: 0, total: cost, per_kwh: null, periods: [], months: [] },
    carbon: null,
    curtailment: { threshold_pct: 50, baseline_days: 7, judged_hours: 0, curtailed_hours: 0, avoided_kwh: 0, hours: [], events: [] },
  };
}

describe('comparison page model', () => {
  const sites = [site('b', 1200.04, 90.5, 29.3), site('a', 1200.04, null, 31.1), site('c', 98_765.4321, 1234.567, null)];

  it('sorts by a column, unknown figures last, ties by site id', () => {
    expect(sortSites(sites, DEFAULT_SORT).map((s) => s.site)).toEqual(['c', 'a', 'b']);
    expect(sortSites(sites, { key: 'cost', descending: true }).map((s) => s.site)).toEqual(['c', 'b', 'a']);
    expect(sortSites(sites, { key: 'cost', descending: false }).map((s) => s.site)).toEqual(['b', 'c', 'a']);
    expect(sortSites(sites, { key: 'jth', descending: false }).map((s) => s.site)).toEqual(['b', 'a', 'c']);
    expect(sortSites(sites, { key: 'site', descending: false }).map((s) => s.site)).toEqual(['a', 'b', 'c']);
  });

  it('turns a sorted column round, and starts another from the largest (names from A)', () => {
    expect(nextSort(DEFAULT_SORT, 'kwh')).toEqual({ key: 'kwh', descending: false });
    expect(nextSort(DEFAULT_SORT, 'cost')).toEqual({ key: 'cost', descending: true });
    expect(nextSort(DEFAULT_SORT, 'site')).toEqual({ key: 'site', descending: false });
  });

  it('prints the figures as the table shows them', () => {
    const col = (key: string) => COLUMNS.find((c) => c.key === key)!;
    expect(col('kwh').text(sites[2]!)).toBe('98,765.4');
    expect(col('cost').text(sites[2]!)).toBe('1,234.57');
    expect(col('cost').text(sites[1]!)).toBe('—');
    expect(col('jth').text(sites[2]!)).toBe('—');
    expect(col('load_factor').text({ ...sites[0]!, load_factor: 0.75 })).toBe('75.0');
  });

  it('asks both endpoints with the period, and reaches the page at #/comparison', () => {
    expect(periodQuery({ period: 'last-week' })).toBe('period=last-week');
    expect(periodQuery({ period: 'custom', from: '2024-11-01', to: '2024-11-30' })).toBe('period=custom&from=2024-11-01&to=2024-11-30');
    expect(parseRoute('#/comparison')).toBe(COMPARISON);
    expect(routeHash(COMPARISON)).toBe('#/comparison');
    expect(parseRoute('#/comparison/extra')).toEqual({ view: 'overview' });
  });
});
