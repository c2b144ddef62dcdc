import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKilowatch, waitFor, type RunningKilowatch } from '../support/kilowatch.js';

/**
 * The whole path, on the embedded broker and SQLite: native PDU and meter messages → spool → drainer (which
 * marks the rollups' minutes) → store → rollup worker → GET /api/energy. A gateway's backlog arrives after the
 * rollups of its hour were built. The site keeps New York time, so its 3 November 2024 is 25 hours long.
 */
const SITE = 'ny-1';
const START = Date.parse('2024-11-03T03:30:00Z');
const END = Date.parse('2024-11-03T08:30:00Z');
const LATE_FROM = Date.parse('2024-11-03T05:10:00Z');
const LATE_TO = Date.parse('2024-11-03T05:40:00Z');

interface Message {
  topic: string;
  payload: string;
  late: boolean;
}

function messages(): Message[] {
  const out: Message[] = [];
  const wh = [1000, 2000, 3000, 4000];
  for (let t = START; t < END; t += 20_000) {
    for (const pdu of ['p1', 'p2']) {
      const outlets = [1, 2].map((n) => {
        const i = (pdu === 'p1' ? 0 : 2) + n - 1;
        const power = 2900 + 100 * i + ((t / 20_000) % 5) * 10;
        wh[i]! += (power * 20_000) / 3_600_000;
        // p2/2 reports no register: its energy is integrated.
        return { outlet: n, rig: `${pdu}-r${n}`, power_w: power, ...(!(pdu === 'p2' && n === 2) && { energy_wh: Math.round(wh[i]! * 1000) / 1000 }) };
      });
      out.push({ topic: `kilowatch/${SITE}/pdu/${pdu}`, payload: JSON.stringify({ ts: t, outlets }), late: pdu === 'p1' && t >= LATE_FROM && t < LATE_TO });
    }
    out.push({ topic: `kilowatch/${SITE}/meter/main`, payload: JSON.stringify({ ts: t + 5000, power_w: 12_500 }), late: false });
  }
  return out;
}

describe('GET /api/energy: rollups built from ingested data, late data included', () => {
  let kw: RunningKilowatch;
  let fleetDir = '';
  const all = messages();

  const energy = async (query: string) => {
    const res = await fetch(`${kw.url}/api/energy?site=${SITE}&${query}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as Record<string, unknown> & { kwh: number; answered_from: { hours_1h: number; minutes_1m: number; raw_ms: number } };
  };
  const same = (x: Record<string, unknown>) => ({ kwh: x.kwh, method: x.method, wh_from_registers: x.wh_from_registers, wh_integrated: x.wh_integrated, readings: x.readings, series: x.series, completeness: x.completeness, gaps_total: x.gaps_total, meter_kwh: x.meter_kwh });

  beforeAll(async () => {
    fleetDir = mkdtempSync(join(tmpdir(), 'kw-fleet-'));
    const fleet = join(fleetDir, 'fleet.yaml');
    writeFileSync(fleet, `version: 1\nsites:\n  - id: ${SITE}\n    time_zone: America/New_York\n`);
    kw = await startKilowatch({ FLEET_FILE: fleet });
    const client = await mqtt.connectAsync(kw.app.mqttUrl, { clientId: 'kw-rollup-api', protocolVersion: 4 });
    const publish = async (list: Message[]) => {
      for (const m of list) await client.publishAsync(m.topic, m.payload, { qos: 1 });
    };
    const settled = async (n: number) =>
      waitFor(async () => (await kw.health()).counters.readings_stored >= n && kw.app.rollups.ledger.backlog().fresh + kw.app.rollups.ledger.backlog().minutes + kw.app.rollups.ledger.backlog().hours === 0, async () => JSON.stringify({ health: (await kw.health()).counters, backlog: kw.app.rollups.ledger.backlog() }));
    const onTime = all.filter((m) => !m.late);
    await publish(onTime);
    const count = (list: Message[]) => list.reduce((n, m) => n + (m.topic.includes('/pdu/') ? 2 : 1), 0);
    await settled(count(onTime));
    await publish(all.filter((m) => m.late));
    await settled(count(all));
    await client.endAsync();
  });
  afterAll(async () => {
    await kw?.stop();
    rmSync(fleetDir, { recursive: true, force: true });
  });

  it('answers the site\'s local day (25 hours on the fall-back) from rollups, equal to the raw computation', async () => {
    const day = await energy('day=2024-11-03');
    expect(day.from).toBe(Date.parse('2024-11-03T04:00:00Z'));
    expect(day.to).toBe(Date.parse('2024-11-04T05:00:00Z'));
    expect(day.tz).toBe('America/New_York');
    expect(day.source).toBe('rollups');
    expect(day.answered_from).toEqual({ hours_1h: 25, minutes_1m: 0, raw_ms: 0 });
    const raw = await energy('day=2024-11-03&source=raw');
    expect(raw.source).toBe('raw');
    expect(same(day)).toEqual(same(raw));
    expect(day.resets).toBe(0);
    expect(day.method).toBe('mixed');
    expect(day.series).toBe(4);
    expect(day.meter_kwh).toBe(raw.meter_kwh);
    expect(raw.per_series).toHaveLength(4);
  });

  it('cuts a range anywhere: whole hours from 1 h buckets, edge minutes from 1 m buckets, partial minutes raw', async () => {
    const from = Date.parse('2024-11-03T04:17:31.250Z');
    const to = Date.parse('2024-11-03T07:02:10.500Z');
    const planned = await energy(`from=${from}&to=${to}&source=rollups`);
    expect(planned.answered_from).toEqual({ hours_1h: 2, minutes_1m: 42 + 2, raw_ms: 28_750 + 10_500 });
    expect(same(planned)).toEqual(same(await energy(`from=${from}&to=${to}&source=raw`)));
    // A short range is read raw by default, with its adjustments and gaps itemized.
    const short = await energy(`from=${from}&to=${from + 600_000}`);
    expect(short.source).toBe('raw');
    expect(Array.isArray(short.adjustments)).toBe(true);
  });

  it('breaks a month into the site\'s local days, each as exact as the whole', async () => {
    const month = await energy('month=2024-11&by=day');
    const periods = month.periods as Array<{ local_start: string; kwh: number; start: number; end: number }>;
    expect(periods).toHaveLength(30);
    expect(periods[2]!.local_start).toBe('2024-11-03T00:00:00-04:00');
    expect(periods[3]!.local_start).toBe('2024-11-04T00:00:00-05:00');
    expect(periods[2]!.end - periods[2]!.start).toBe(25 * 3_600_000);
    expect(periods[2]!.kwh).toBe((await energy('day=2024-11-03')).kwh);
    // The data begins at 23:30 on 2 November, New York time.
    expect(periods.filter((p) => p.kwh > 0).map((p) => p.local_start)).toEqual(['2024-11-02T00:00:00-04:00', '2024-11-03T00:00:00-04:00']);
    // Registers add up exactly; integrated energy is rounded to the mWh once per answer.
    expect(Math.abs(periods[1]!.kwh + periods[2]!.kwh - month.kwh)).toBeLessThanOrEqual(0.000_001);
  });

  it('answers 503 with the reason while the rollups of a long range are still being computed', async () => {
    // Ten months of minutes marked to be recomputed, as after a fleet-file change of register widths. They lie
    // ahead of now, which the worker leaves for later, so the marks stay while the questions are asked.
    const from = Math.floor(Date.now() / 3_600_000) * 3_600_000 + 86_400_000;
    const to = from + 300 * 86_400_000;
    kw.app.rollups.ledger.markDirty(SITE, from, to);
    for (const path of ['energy', 'efficiency']) {
      const res = await fetch(`${kw.url}/api/${path}?site=${SITE}&from=${from}&to=${to}`);
      expect(res.status, path).toBe(503);
      expect(((await res.json()) as { error: string }).error, path).toMatch(/still being computed/);
    }
  });

  it('says what is wrong with the question', async () => {
    for (const q of ['day=2024-11-03&from=1&to=2', 'from=2&to=1', 'month=2024-13-01', 'from=0&to=40000000000', 'from=0&to=3000000000&source=raw', 'day=2024-11-03&rig=a&pdu=b', 'day=2024-11-03&tz=Mars/Olympus']) {
      const res = await fetch(`${kw.url}/api/energy?site=${SITE}&${q}`);
      expect(res.status, q).toBe(400);
    }
  });
});
