import { describe, expect, it } from 'vitest';
import type { OutletReading } from '../../server/src/domain/reading.js';
import { LiveState } from '../../server/src/live/state.js';
import { OpsTelemetry } from '../../server/src/operations/telemetry.js';

const DAY = 86_400_000;
const T = 20_000 * DAY + 3_600_000; // 01:00 UTC on some day
const o = (outlet: number, ts: number, power_w: number, extra: Partial<OutletReading> = {}): OutletReading => ({ kind: 'outlet', site: 's', pdu: 'p1', outlet, ts, power_w, ...extra });

describe('LiveState', () => {
  it('builds a site frame from the latest fresh readings', () => {
    const live = new LiveState(30_000);
    live.observe([
      o(1, T, 3000, { rig: 'r1', energy_wh: 100 }),
      o(2, T, 1500, { rig: 'r2', energy_wh: 50 }),
      o(3, T - 60_000, 999, { rig: 'r3' }), // stale: not in the load
      { kind: 'miner', site: 's', rig: 'r1', ts: T, hashrate_ths: 100 },
      { kind: 'miner', site: 's', rig: 'r2', ts: T, hashrate_ths: 0 },
      { kind: 'meter', site: 's', meter: 'm', ts: T, power_w: 5400 },
    ]);
    live.observeStatus({ kind: 'status', site: 's', pdu: 'p2', online: false });
    const f = live.frame('s', T + 1000);
    expect(f).toEqual({
      site: 's', ts: T + 1000, power_w: 4500, meter_power_w: 5400, pue: 1.2, kwh_today: 0, hashrate_ths: 100, j_per_th: 30,
      rigs_online: 1, rigs_offline: 2, pdus_online: 1, pdus_offline: 1,
    });
  });

  it('counts kWh today from register increases, ignoring late readings and resets', () => {
    const live = new LiveState(30_000);
    live.observe([o(1, T, 1000, { energy_wh: 100 })]);
    live.observe([o(1, T + 1000, 1000, { energy_wh: 150 })]);
    live.observe([o(1, T + 500, 1000, { energy_wh: 120 })]); // late: already counted through the register
    live.observe([o(1, T + 2000, 1000, { energy_wh: 3 })]); // reset
    live.observe([o(1, T + 3000, 1000, { energy_wh: 10 })]);
    expect(live.frame('s', T + 3000).kwh_today).toBeCloseTo(0.057, 12);
  });

  it('starts a new day at UTC midnight', () => {
    const live = new LiveState(30_000);
    const beforeMidnight = 20_001 * DAY - 1000;
    live.observe([o(1, beforeMidnight - 1000, 1000, { energy_wh: 0 }), o(1, beforeMidnight, 1000, { energy_wh: 500 })]);
    live.observe([o(1, beforeMidnight + 2000, 1000, { energy_wh: 600 })]);
    expect(live.frame('s', beforeMidnight + 3000).kwh_today).toBe(0);
    live.observe([o(1, beforeMidnight + 4000, 1000, { energy_wh: 650 })]);
    expect(live.frame('s', beforeMidnight + 4000).kwh_today).toBe(0.05);
  });

  it('adds the energy used before this process started, seeded from the store once', () => {
    const live = new LiveState(30_000);
    const day = Math.floor(T / DAY) * DAY;
    live.observe([o(1, T, 1000, { energy_wh: 1000 }), o(1, T + 1000, 1000, { energy_wh: 1010 })]);
    const first = [{ site: 's', pdu: 'p1', outlet: 1, ts: day + 5, energy_wh: 400 }, { site: 's', pdu: 'p1', outlet: 2, ts: day, energy_wh: 70 }];
    live.seedToday(first, day);
    live.seedToday(first, day);
    live.observe([o(2, T + 1000, 10, { energy_wh: 75 })]);
    expect(live.frame('s', T + 1000).kwh_today).toBe(0.615);
  });

  it('integrates power for outlets without a register', () => {
    const live = new LiveState(30_000);
    live.observe([o(1, T, 3600), o(1, T + 10_000, 3600)]);
    expect(live.frame('s', T + 10_000).kwh_today).toBe(0.01);
  });

  it('lists rigs with their latest figures', () => {
    const live = new LiveState(30_000);
    live.observe([o(4, T, 3250, { rig: 'r9' }), { kind: 'miner', site: 's', rig: 'r9', ts: T, hashrate_ths: 110, model: 'S19 Pro', temp_c: 70 }]);
    expect(live.rigs('s', T + 1)).toEqual([
      { rig: 'r9', pdu: 'p1', outlet: 4, power_w: 3250, hashrate_ths: 110, j_per_th: 3250 / 110, model: 'S19 Pro', temp_c: 70, online: true, last_ts: T },
    ]);
    expect(live.rigs('s', T + 60_000)[0]).toMatchObject({ power_w: null, hashrate_ths: null, online: false });
    expect(live.rigs('unknown', T)).toEqual([]);
  });

  it('adds up the facility meters that report now (a site fed through two transformers)', () => {
    const live = new LiveState(30_000);
    const T = Date.UTC(2026, 0, 15, 12);
    live.observe([
      { kind: 'outlet', site: 's', pdu: 'p', outlet: 1, ts: T, power_w: 4000 },
      { kind: 'meter', site: 's', meter: 'm1', ts: T, power_w: 3000 },
      { kind: 'meter', site: 's', meter: 'm2', ts: T, power_w: 2000 },
      { kind: 'meter', site: 's', meter: 'm3', ts: T - 60_000, power_w: 9000 }, // stale: left out
    ]);
    expect(live.frame('s', T + 1000)).toMatchObject({ meter_power_w: 5000, pue: 1.25 });
  });

  it("follows the site's local day, not UTC's", () => {
    // New York is UTC−5 in January: the local day starts at 05:00 UTC.
    const live = new LiveState(30_000, (site) => (site === 'ny' ? 'America/New_York' : 'UTC'));
    const utcMidnight = Date.UTC(2026, 0, 15);
    const ny = (ts: number, energy_wh: number): OutletReading => ({ kind: 'outlet', site: 'ny', pdu: 'p', outlet: 1, ts, power_w: 1000, energy_wh });
    live.observe([ny(utcMidnight - 60_000, 100), ny(utcMidnight + 60_000, 110)]); // both on Jan 14 in New York
    expect(live.frame('ny', utcMidnight + 60_000).kwh_today).toBe(0.01);
    live.observe([ny(utcMidnight + 5 * 3_600_000 + 1000, 200), ny(utcMidnight + 5 * 3_600_000 + 2000, 203)]); // Jan 15, 00:00:01 local
    expect(live.frame('ny', utcMidnight + 5 * 3_600_000 + 2000).kwh_today).toBe(0.003);
    expect(live.dayStart('ny', utcMidnight + 6 * 3_600_000)).toBe(utcMidnight + 5 * 3_600_000);
  });
});

describe("the two live views' kWh today", () => {
  it('agree: the operations page sums its outlets to the site frame, through a seed, a reset, a gap and midnight', () => {
    const tz = () => 'America/Chicago';
    const live = new LiveState(30_000, tz);
    const ops = new OpsTelemetry(tz, () => 0);
    const day = Date.UTC(2026, 2, 8, 6); // 00:00 in Chicago on the day clocks spring forward
    const o = (outlet: number, ts: number, power_w: number, energy_wh?: number): OutletReading => ({
      kind: 'outlet', site: 's', pdu: 'p', outlet, ts, power_w, ...(energy_wh !== undefined && { energy_wh }),
    });
    const batches: OutletReading[][] = [
      [o(1, day - 60_000, 3000, 9_000), o(2, day - 60_000, 1200)], // yesterday, local
      [o(1, day + 60_000, 3000, 9_100), o(2, day + 60_000, 1200)],
      [o(1, day + 120_000, 3000, 9_150), o(2, day + 120_000, 1800)],
      [o(1, day + 180_000, 3000, 20)], // the register was reset
      [o(1, day + 240_000, 3000, 70), o(2, day + 240_000 + 20 * 60_000, 1500)], // outlet 2 silent 20 min: no trapezoid
      [o(1, day + 120_000, 3000, 9_150)], // late: ignored
    ];
    const first = [{ site: 's', pdu: 'p', outlet: 1, ts: day + 5_000, energy_wh: 9_050 }];
    for (const [i, batch] of batches.entries()) {
      live.observe(batch);
      ops.observe(batch);
      if (i === 2) {
        live.seedToday(first, day);
        ops.seedToday(first, day);
      }
    }
    const now = day + 30 * 60_000;
    const opsWh = [...ops.allOutlets()].reduce((sum, x) => sum + ops.todayWh(x, now), 0);
    // Outlet 1: 9 050 (seeded) → 9 100 → 9 150 = 100 Wh, nothing across the reset, then 20 → 70 = 50 Wh.
    // Outlet 2: (1200 + 1800)/2 W × 1 min = 25 Wh; the 20-minute gap counts nothing.
    expect(opsWh).toBeCloseTo(175, 9);
    expect(live.frame('s', now).kwh_today).toBeCloseTo(opsWh / 1000, 12);
  });
});

