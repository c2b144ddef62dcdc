import { describe, expect, it } from 'vitest';
import { demandOfGrid } from '../../server/src/comparison/demand.js';
import { QuarterGrid } from '../../server/src/comparison/grid.js';
import type { MeterReading, OutletReading } from '../../server/src/domain/reading.js';
import { localDayStart, nextLocalDayStart } from '../../server/src/energy/time.js';
import type { SeriesOptions } from '../../server/src/energy/types.js';

const MIN = 60_000;
const Q = 15 * MIN;

interface MeterPoint {
  meter: string;
  ts: number;
  power_w: number;
  energy_wh: number;
}

/**
 * A facility meter read every 5 minutes whose register advances at `kwOf(ts)` over the 5 minutes after `ts`.
 * kW values are multiples of 12 so that 5 minutes is a whole number of Wh (P kW × 5/60 h = P/12 kWh).
 */
function meter(from: number, to: number, kwOf: (ts: number) => number): MeterPoint[] {
  const points: MeterPoint[] = [];
  let wh = 1_000_000;
  for (let ts = from; ts <= to; ts += 5 * MIN) {
    const kw = kwOf(ts);
    points.push({ meter: 'm1', ts, power_w: kw * 1000, energy_wh: wh });
    wh += (kw * 1000) / 12;
  }
  return points;
}

const byMeter = 'meter';

/** Demand as GET /api/demand computes it: the quarter grid filled by the minute accounting of the readings. */
function demandOf(req: { readings: ReadonlyArray<{ meter?: string; k?: string; ts: number; power_w: number; energy_wh?: number }>; keyOf: 'meter' | 'outlet'; range: { from: number; to: number }; tz: string; options?: Partial<SeriesOptions> }) {
  const grid = new QuarterGrid(req.range.from, req.range.to, req.tz);
  const meters: MeterReading[] = [];
  const outlets: OutletReading[] = [];
  for (const r of req.readings) {
    const register = r.energy_wh !== undefined ? { energy_wh: r.energy_wh } : {};
    if (req.keyOf === 'meter') meters.push({ kind: 'meter', site: 's', meter: r.meter!, ts: r.ts, power_w: r.power_w, ...register });
    else outlets.push({ kind: 'outlet', site: 's', pdu: 'p1', outlet: 1, ts: r.ts, power_w: r.power_w, ...register });
  }
  grid.fillFromReadings({ meters, outlets, miners: [], ...(req.options && { options: req.options }) }, req.range.from, req.range.to);
  return demandOfGrid(grid, req.keyOf === 'meter' ? 'meter' : 'it');
}

describe('15-minute demand', () => {
  it('UTC: each quarter is its energy over 15 minutes; the peak is the highest, with its time', () => {
    const t0 = Date.UTC(2024, 5, 1, 0, 0);
    const kw = [480, 600, 720, 540];
    const readings = meter(t0, t0 + 60 * MIN, (ts) => kw[Math.floor((ts - t0) / Q)] ?? 0);
    const d = demandOf({ readings, keyOf: byMeter, range: { from: t0, to: t0 + 65 * MIN }, tz: 'UTC' });
    // 480 kW for 15 min = 120 kWh; 600 → 150; 720 → 180; 540 → 135. The 5th quarter holds no energy yet.
    expect(d.intervals.map((i) => i.kwh)).toEqual([120, 150, 180, 135, 0]);
    expect(d.intervals.map((i) => i.kw)).toEqual([480, 600, 720, 540, 0]);
    expect(d.intervals.map((i) => i.coverage)).toEqual([1, 1, 1, 1, 0]);
    expect(d.peak).toMatchObject({ kw: 720, start: Date.UTC(2024, 5, 1, 0, 30), end: Date.UTC(2024, 5, 1, 0, 45), local_start: '2024-06-01T00:30:00+00:00' });
  });

  it('New York on the fall-back day: 100 quarters, the peak in the second 01:15 (EST)', () => {
    const tz = 'America/New_York';
    const from = localDayStart(Date.UTC(2024, 10, 3, 12), tz);
    const to = nextLocalDayStart(Date.UTC(2024, 10, 3, 12), tz);
    const peakAt = Date.UTC(2024, 10, 3, 6, 15); // 01:15 EST, the second 01:15 of the night
    const readings = meter(from, to - 5 * MIN, (ts) => (ts >= peakAt && ts < peakAt + Q ? 720 : 480));
    const d = demandOf({ readings, keyOf: byMeter, range: { from, to }, tz });
    expect(d.intervals).toHaveLength(100);
    expect(d.intervals[5]).toMatchObject({ local_start: '2024-11-03T01:15:00-04:00', kw: 480 });
    expect(d.intervals[9]).toMatchObject({ local_start: '2024-11-03T01:15:00-05:00', kw: 720 });
    expect(d.peak).toMatchObject({ kw: 720, start: peakAt, local_start: '2024-11-03T01:15:00-05:00' });
    // The last quarter: readings at 23:45 and 23:50 only (the 00:00 one belongs to the next day), so 10 of
    // its 15 minutes are counted — nothing is extrapolated — and its coverage says so.
    expect(d.intervals[99]).toMatchObject({ local_start: '2024-11-03T23:45:00-05:00', kwh: 80, coverage: (10 * MIN) / Q });
  });

  it('Kathmandu (+05:45): quarters on the local clock, the peak at 14:30 local', () => {
    const tz = 'Asia/Kathmandu';
    const from = Date.UTC(2024, 5, 1, 8, 15); // 14:00 local
    const readings = meter(from, from + 60 * MIN, (ts) => (ts >= Date.UTC(2024, 5, 1, 8, 45) && ts < Date.UTC(2024, 5, 1, 9) ? 600 : 360));
    const d = demandOf({ readings, keyOf: byMeter, range: { from, to: from + 60 * MIN + 1 }, tz });
    expect(d.intervals.map((i) => i.local_start)).toEqual([
      '2024-06-01T14:00:00+05:45',
      '2024-06-01T14:15:00+05:45',
      '2024-06-01T14:30:00+05:45',
      '2024-06-01T14:45:00+05:45',
      '2024-06-01T15:00:00+05:45',
    ]);
    expect(d.intervals.map((i) => i.kw)).toEqual([360, 360, 600, 360, 0]);
    expect(d.peak).toMatchObject({ kw: 600, start: Date.UTC(2024, 5, 1, 8, 45), local_start: '2024-06-01T14:30:00+05:45' });
  });

  it('splits a register delta across a quarter boundary by time, and a trapezoid along its line', () => {
    const t0 = Date.UTC(2024, 5, 1);
    const opts = { maxGapMs: 15 * MIN };
    // Register: 10 kWh between 00:10 and 00:20 → 5 kWh in each quarter (the power between is unknown: constant).
    const reg = demandOf({
      readings: [{ meter: 'm', ts: t0 + 10 * MIN, power_w: 60_000, energy_wh: 0 }, { meter: 'm', ts: t0 + 20 * MIN, power_w: 60_000, energy_wh: 10_000 }],
      keyOf: 'meter', range: { from: t0, to: t0 + 30 * MIN }, tz: 'UTC', options: opts,
    });
    expect(reg.intervals.map((i) => i.kwh)).toEqual([5, 5]);
    // Power only, 0 W at 00:10 rising to 1200 W at 00:20: 600 W at 00:15. First half (0 + 600)/2 W × 5 min = 25 Wh,
    // second half (600 + 1200)/2 W × 5 min = 75 Wh; 100 Wh in all = (0 + 1200)/2 W × 10 min.
    const lin = demandOf({
      readings: [{ k: 'o', ts: t0 + 10 * MIN, power_w: 0 }, { k: 'o', ts: t0 + 20 * MIN, power_w: 1200 }],
      keyOf: 'outlet', range: { from: t0, to: t0 + 30 * MIN }, tz: 'UTC', options: opts,
    });
    expect(lin.intervals.map((i) => i.kwh)).toEqual([0.025, 0.075]);
  });

  it('sums series (a site\'s outlets) and has no peak without data', () => {
    const t0 = Date.UTC(2024, 5, 1);
    const readings = ['a', 'b'].flatMap((meterId) => meter(t0, t0 + Q, () => 12).map((p) => ({ ...p, meter: meterId })));
    // The range runs 1 ms past the quarter so that the reading at its end is inside.
    const d = demandOf({ readings, keyOf: byMeter, range: { from: t0, to: t0 + Q + 1 }, tz: 'UTC' });
    expect([d.series, d.intervals[0]!.kw, d.intervals[0]!.coverage]).toEqual([2, 24, 1]);
    expect(demandOf({ readings: [], keyOf: byMeter, range: { from: t0, to: t0 + Q }, tz: 'UTC' }).peak).toBeNull();
  });
});
