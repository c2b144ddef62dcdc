import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComparisonAnswer, DailyAnswer, SiteComparison } from '../../server/src/comparison/types.js';
import { runHistory } from '../../simulators/src/history.js';
import { startInfluxd, type InfluxdHandle } from '../harness/index.js';
import { startKilowatch, waitFor, type RunningKilowatch } from '../support/kilowatch.js';

/**
 * The comparison through the real server (embedded broker, rollups), on SQLite and on a real InfluxDB with the
 * same assertions: three and a half days of a simulated site in Chicago published with runHistory, and a
 * hand-built site in New York (native payloads, registers) that runs a flat 6 kW of IT load and 7.8 kW at the
 * meter for four and a half days, curtailed on Monday 4 November 14:00–16:00. Both zones fall back on Sunday
 * 3 November. The fleet file gives both a time-of-use tariff, a demand charge and carbon factors. The
 * comparison's energies must equal GET /api/energy's for the same ranges, day by day and time-of-use span by span.
 */
const FROM = Date.parse('2024-11-01T00:00:00Z');
const SIM_FROM = Date.parse('2024-11-02T00:00:00Z');
const TO = Date.parse('2024-11-05T12:00:00Z');
const STEP = 300_000;
const CURTAIL_FROM = Date.parse('2024-11-04T14:00:00-05:00');
const CURTAIL_TO = Date.parse('2024-11-04T16:00:00-05:00');
const HOUR = 3_600_000;

const FLEET = `version: 1
sites:
  - id: site-1
    name: Big Spring, TX
    time_zone: America/Chicago
    tariff:
      currency: USD
      periods:
        - { name: on-peak, price_per_kwh: 0.18, days: [mon, tue, wed, thu, fri], hours: [{ from: 13, to: 19 }] }
        - { name: off-peak, price_per_kwh: 0.06 }
      demand_charge_per_kw: 9.5
    carbon: { kg_per_kwh: 0.42, by_month: { "2024-10": 0.45 }, source: eGRID ERCT }
  - id: ny-1
    name: Massena, NY
    time_zone: America/New_York
    tariff:
      periods:
        - { name: on-peak, price_per_kwh: 0.25, days: [mon, tue, wed, thu, fri], hours: [{ from: 14, to: 20 }] }
      price_per_kwh: 0.08
      demand_charge_per_kw: 12
    carbon: { kg_per_kwh: 0.35, by_month: { "11": 0.3 } }
    curtailment: { threshold_pct: 50, baseline_days: 2 }
`;

/** ny-1: outlets at 3 600 W and 2 400 W (300 and 200 Wh per 5 min), the meter at 1.3 × that; curtailed to a fifth. */
function nyMessages(): Array<{ topic: string; payload: string }> {
  const out: Array<{ topic: string; payload: string }> = [];
  const wh = [1_000_000, 2_000_000, 5_000_000];
  for (let t = FROM; t <= TO; t += STEP) {
    const curtailed = t >= CURTAIL_FROM && t < CURTAIL_TO;
    const watts = [3600, 2400].map((w) => (curtailed ? w / 5 : w));
    const meterW = (watts[0]! + watts[1]!) * 1.3;
    out.push({ topic: 'kilowatch/ny-1/pdu/p1', payload: JSON.stringify({ ts: t, outlets: watts.map((w, i) => ({ outlet: i + 1, rig: `ny-1-r${i + 1}`, power_w: w, energy_wh: wh[i] })) }) });
    out.push({ topic: 'kilowatch/ny-1/meter/main', payload: JSON.stringify({ ts: t, power_w: meterW, energy_wh: wh[2] }) });
    // The power published at t is the power of [t, t + 5 min): the registers count it.
    watts.forEach((w, i) => (wh[i]! += (w * STEP) / HOUR));
    wh[2]! += (meterW * STEP) / HOUR;
  }
  return out;
}

const mwh = (kwh: number | null) => (kwh === null ? null : Math.round(kwh * 1_000_000));

/** The fields of a CSV line (RFC 4180 quoting). */
function fields(line: string): string[] {
  return [...line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map((m) => m[1]!.replace(/^"|"$/g, '').replace(/""/g, '"'));
}

describe.each(['sqlite', 'influxdb'] as const)('GET /api/comparison over real data (%s)', (backend) => {
  let influxd: InfluxdHandle | undefined;
  let kw: RunningKilowatch;
  let dir = '';

  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${kw.url}${path}`);
    expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
    return (await res.json()) as T;
  };
  const energy = (site: string, query: string) => get<{ kwh: number; meter_kwh: number | null; completeness: number; periods?: Array<{ start: number; kwh: number; meter_kwh: number | null }> }>(`/api/energy?site=${site}&${query}`);
  const compare = (query: string) => get<ComparisonAnswer>(`/api/comparison?${query}`);
  const siteOf = (a: ComparisonAnswer, id: string): SiteComparison => a.sites.find((s) => s.site === id)!;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kw-cmp-'));
    writeFileSync(join(dir, 'fleet.yaml'), FLEET);
    if (backend === 'influxdb') influxd = await startInfluxd();
    kw = await startKilowatch({ FLEET_FILE: join(dir, 'fleet.yaml'), ...(influxd && { INFLUX_URL: influxd.url, INFLUX_DB: 'comparison' }) });
    expect(kw.app.store.status().backend).toBe(backend);
    // A short window: the embedded broker (aedes) slows down sharply with thousands of QoS 1 messages queued.
    const history = await runHistory({ url: kw.app.mqttUrl, sites: 1, rigs: 3, intervalMs: STEP, seed: 11, from: SIM_FROM, to: TO, maxInFlight: 50, drainTimeoutMs: 120_000 });
    expect(history.drained).toBe(true);
    const client = await mqtt.connectAsync(kw.app.mqttUrl, { clientId: 'kw-cmp-ny', protocolVersion: 4 });
    const ny = nyMessages();
    for (const m of ny) await client.publishAsync(m.topic, m.payload, { qos: 1 });
    await client.endAsync();
    const expected = history.readings + ny.length * 1.5;
    // Every reading stored and rolled up. (Counted in-process: the answers under test come over HTTP.)
    const stored = () => kw.app.counters.snapshot().readings_stored;
    await waitFor(
      () => {
        const backlog = kw.app.rollups.ledger.backlog();
        return stored() >= expected && backlog.fresh + backlog.minutes + backlog.hours === 0;
      },
      () => JSON.stringify({ stored: stored(), expected, backlog: kw.app.rollups.ledger.backlog() }),
      600_000,
    );
  }, 900_000);
  afterAll(async () => {
    await kw?.stop();
    await influxd?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [label, from, to] of [['four days across the fall-back', '2024-11-01', '2024-11-04'], ['one weekday', '2024-11-04', '2024-11-04']] as const) {
    it(`${label}: every site's kWh and meter kWh equal /api/energy for its range, and its days /api/energy by=day`, async () => {
      const query = `period=custom&from=${from}&to=${to}`;
      const [table, daily] = await Promise.all([compare(query), get<DailyAnswer>(`/api/comparison/daily?${query}`)]);
      expect(table.sites.map((s) => s.site)).toEqual(['site-1', 'ny-1']);
      for (const s of table.sites) {
        const e = await energy(s.site, `from=${s.from}&to=${s.to}`);
        expect([s.kwh, s.meter_kwh, s.completeness], s.site).toEqual([e.kwh, e.meter_kwh, e.completeness]);
        expect(s.kwh).toBeGreaterThan(0);
        const byDay = await energy(s.site, `from=${s.from}&to=${s.to}&by=day`);
        const days = daily.sites.find((d) => d.site === s.site)!.days;
        expect(days.map((d) => [d.start, d.kwh, d.meter_kwh])).toEqual(byDay.periods!.map((p) => [p.start, p.kwh, p.meter_kwh]));
        // The days add up to the whole to the mWh (registers throughout).
        expect(days.reduce((t, d) => t + mwh(d.kwh)!, 0)).toBe(mwh(s.kwh));
        expect(days.reduce((t, d) => t + mwh(d.meter_kwh)!, 0)).toBe(mwh(s.meter_kwh));
      }
      expect(table.totals.kwh).toBe(Math.round((table.sites[0]!.kwh + table.sites[1]!.kwh) * 1e6) / 1e6);
    });
  }

  it('splits the billed energy into time-of-use periods exactly as /api/energy splits the same local hours', async () => {
    const days = await compare('period=custom&from=2024-11-01&to=2024-11-04');
    // The weekdays: Friday 1 November (before the fall-back) and Monday 4 November (after it).
    const offsets = { 'site-1': ['-05:00', '-06:00'], 'ny-1': ['-04:00', '-05:00'] } as const;
    for (const [site, fromHour, toHour] of [['site-1', 13, 19], ['ny-1', 14, 20]] as const) {
      const s = siteOf(days, site);
      expect(s.billed_source).toBe('meter');
      let onPeak = 0;
      for (const [i, date] of ['2024-11-01', '2024-11-04'].entries()) {
        const a = Date.parse(`${date}T${String(fromHour).padStart(2, '0')}:00:00${offsets[site][i]}`);
        const b = Date.parse(`${date}T${String(toHour).padStart(2, '0')}:00:00${offsets[site][i]}`);
        onPeak += mwh((await energy(site, `from=${a}&to=${b}`)).meter_kwh) ?? 0;
      }
      const parts = s.cost!.periods;
      expect(parts.map((p) => p.period)).toEqual(site === 'site-1' ? ['on-peak', 'off-peak'] : ['on-peak', 'standard']);
      expect(mwh(parts[0]!.kwh), site).toBe(onPeak);
      expect(onPeak).toBeGreaterThan(0);
      expect(mwh(parts[0]!.kwh)! + mwh(parts[1]!.kwh)!).toBe(mwh(s.meter_kwh));
    }
  });

  it('ny-1 over four days: energy, cost, demand charge, carbon and curtailment as computed by hand', async () => {
    const s = siteOf(await compare('period=custom&from=2024-11-01&to=2024-11-04'), 'ny-1');
    // 1 Nov 00:00 EDT to 5 Nov 00:00 EST: 97 h (the fall-back hour included) at 6 kW IT and 7.8 kW at the meter,
    // less 2 curtailed hours at 1.2 kW and 1.56 kW.
    expect(s.to - s.from).toBe(97 * HOUR);
    expect(s.kwh).toBe(572.4);
    expect(s.meter_kwh).toBe(744.12);
    expect(s.overhead).toBe(1.3);
    expect(s.peak_kw).toBe(7.8);
    expect(s.avg_kw).toBeCloseTo(744.12 / 97, 12);
    expect(s.load_factor).toBeCloseTo(744.12 / 97 / 7.8, 12);
    // On-peak: Friday 6 h × 7.8 kW + Monday 4 h × 7.8 kW + 2 h × 1.56 kW = 81.12 kWh at 0.25; the rest at 0.08.
    expect(s.cost!.periods).toEqual([
      { period: 'on-peak', price_per_kwh: 0.25, kwh: 81.12, cost: 20.28 },
      { period: 'standard', price_per_kwh: 0.08, kwh: 663, cost: 53.04 },
    ]);
    expect(s.cost!.energy).toBe(73.32);
    // Demand: 12 per kW × November's 7.8 kW peak × 97 h of November's 721.
    expect(s.cost!.months.map((m) => [m.month, m.peak_kw, m.share])).toEqual([['2024-11', 7.8, 97 / 721]]);
    expect(s.cost!.demand).toBeCloseTo((12 * 7.8 * 97) / 721, 6);
    // Carbon: November's 0.3 kg/kWh (month 11 in by_month) on the meter's 744.12 kWh.
    expect(s.carbon!.kg).toBe(223.236);
    // The usual load needs 24 hours of baseline: the data begins at 00:00 UTC on 1 November, so the hours
    // before 2 November 00:00 UTC are not judged; 77 of the 97 are.
    expect(s.curtailment.judged_hours).toBe(77);
    expect(s.curtailment.curtailed_hours).toBe(2);
    expect(s.rigs).toBe(2);
    expect(s.jth).toBeNull();
  });

  it('ny-1 on Monday 4 November: the two curtailed hours and the energy they avoided', async () => {
    const s = siteOf(await compare('period=custom&from=2024-11-04&to=2024-11-04&sites=ny-1'), 'ny-1');
    expect(s.curtailment.judged_hours).toBe(24);
    expect(s.curtailment.hours.map((h) => [h.local_start, h.kw, h.usual_kw])).toEqual([
      ['2024-11-04T14:00:00-05:00', 1.56, 7.8],
      ['2024-11-04T15:00:00-05:00', 1.56, 7.8],
    ]);
    expect(s.curtailment.avoided_kwh).toBeCloseTo(2 * (7.8 - 1.56), 9);
    expect(s.curtailment.events).toHaveLength(1);
    // The day's peak is the usual 7.8 kW, and so is November's so far; the day is 24 of November's 721 hours
    // in New York (the fall-back adds one): 12 × 7.8 × 24 / 721.
    expect(s.peak_kw).toBe(7.8);
    expect(s.cost!.demand).toBeCloseTo((12 * 7.8 * 24) / 721, 6);
  });

  it('site-1: 15-minute peak as /api/demand, hash-work and J/TH as /api/efficiency over the same day', async () => {
    const s = siteOf(await compare('period=custom&from=2024-11-04&to=2024-11-04&sites=site-1'), 'site-1');
    const demand = await get<{ peak_kw: number; peak_at: number }>(`/api/demand?site=site-1&from=${s.from}&to=${s.to}&source=meter`);
    expect([s.peak_kw, s.peak_at]).toEqual([demand.peak_kw, demand.peak_at]);
    expect(s.rigs).toBe(3);
    const eff = await get<{ total: { th: number; jth: number } }>(`/api/efficiency?site=site-1&from=${s.from}&to=${s.to}`);
    // /api/efficiency integrates only the readings inside the range; the comparison also counts the 5 minutes
    // before the first one (the interval across midnight), split at the edge: 1/288 of a day more, at most.
    expect(Math.abs(s.th - eff.total.th) / eff.total.th).toBeLessThan(1 / 250);
    expect(s.jth!).toBeGreaterThan(15);
    expect(s.hashrate_ths).toBeCloseTo(s.th / 86_400, 9);
  });

  it('exports the table and the daily series as CSV', async () => {
    const query = 'period=custom&from=2024-11-04&to=2024-11-05';
    const csv = await fetch(`${kw.url}/api/comparison.csv?${query}`);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="kilowatch-comparison-2024-11-04_2024-11-05.csv"');
    const body = await csv.text();
    expect(body).toBe(await (await fetch(`${kw.url}/api/comparison?${query}&format=csv`)).text());
    const rows = body.split('\r\n');
    expect(rows.map((r) => fields(r)[0])).toEqual(['site', 'site-1', 'ny-1', '']);
    const table = await compare(query);
    expect(fields(rows[2]!).slice(0, 2)).toEqual(['ny-1', 'Massena, NY']);
    expect(fields(rows[2]!)[5]).toBe(String(siteOf(table, 'ny-1').kwh));
    const daily = (await (await fetch(`${kw.url}/api/comparison/daily.csv?${query}`)).text()).split('\r\n');
    // Header, 2 sites × 2 days, and the final line break.
    expect(daily).toHaveLength(6);
    expect(daily[3]!.startsWith('ny-1,2024-11-04,2024-11-04T00:00:00-05:00,')).toBe(true);
  });

  it('answers the calendar periods, and 400 with a clear message for a bad question', async () => {
    for (const period of ['today', 'yesterday', 'this-week', 'last-week', 'this-month', 'last-month']) {
      const a = await compare(`period=${period}`);
      expect(a.period).toBe(period);
      expect(a.sites).toHaveLength(2);
    }
    const cases: Array<[string, RegExp]> = [
      ['period=fortnight', /^period: /],
      ['period=custom&from=2024-11-01', /period=custom needs from and to/],
      ['period=custom&from=2024-11-05&to=2024-11-01', /to must not be before from/],
      ['period=custom&from=2024-01-01&to=2024-06-30', /at most 62 days/],
      ['period=custom&from=2024-02-30&to=2024-03-01', /from: is not a calendar date/],
      ['period=today&from=2024-11-01', /go with period=custom only/],
      ['period=today&site=ny-1', /Unrecognized key/i],
      ['period=today&sites=mars-1', /no site mars-1/],
      ['period=custom&from=2999-01-01&to=2999-01-02', /after now/],
      ['period=today&format=xml', /^format: /],
    ];
    for (const [q, message] of cases) {
      const res = await fetch(`${kw.url}/api/comparison?${q}`);
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { error: string }).error, q).toMatch(message);
    }
  });
});
