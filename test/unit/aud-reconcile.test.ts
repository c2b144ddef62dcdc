import { describe, expect, it } from 'vitest';
import { coverageOf, DEFAULT_TOLERANCES, inferInterval, meterVsIt, methodCheck, type FleetShape } from '../../server/src/reconcile/checks.js';
import { buildReconciliation } from '../../server/src/reconcile/reconcile.js';
import { emptyFigures, type Figures } from '../../server/src/rollup/figures.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 1);
const fig = (o: Partial<Figures>): Figures => ({ ...emptyFigures(), ...o });
/** Register energy as the rollups hold it: whole mWh counted from registers over `ms` of register time. */
const reg = (mwh: number, o: Partial<Figures> = {}) => fig({ register_mwh: mwh, register_ms: HOUR, ...o });

const FLEET: FleetShape = { pdus: new Map([['p1', 2], ['p2', 2], ['p3', 3], ['p4', 2]]), rigs: new Set(['r1', 'r2']), meters: new Set(['main']) };

/** One hour of a site: readings every second on the PDUs, every 10 s on the meter, every 30 s from the miners. */
const PDUS = new Map<string, Figures>([
  ['p1', fig({ series: 2, samples: 7200, covered_ms: 7_200_000, series_ms: 7_200_000 })],
  // Both outlets silent for 10 minutes: 600 readings each missing, and their time not covered.
  ['p2', fig({ series: 2, samples: 6000, covered_ms: 6_000_000, series_ms: 7_200_000, gaps: 2 })],
  // One of its two outlets never reported.
  ['p4', fig({ series: 1, samples: 3600, covered_ms: 3_600_000, series_ms: 3_600_000 })],
]);
const METERS = new Map([['main', fig({ series: 1, samples: 360, covered_ms: 3_600_000, series_ms: 3_600_000 })]]);
const RIGS = new Map([
  ['r1', fig({ miner_samples: 120, hash_covered_ms: 3_600_000, miner_series_ms: 3_600_000 })],
  ['r2', fig({ miner_samples: 60, hash_covered_ms: 1_800_000, miner_series_ms: 3_600_000 })],
]);

describe('coverage per device: expected vs received readings', () => {
  const coverage = coverageOf({ pdus: PDUS, meters: METERS, rigs: RIGS }, HOUR, FLEET, DEFAULT_TOLERANCES);
  const row = (id: string) => coverage.find((c) => c.id === id)!;

  it('infers each device\'s interval from covered time per reading, snapped to a usual interval', () => {
    expect(inferInterval({ kind: 'pdu', f: PDUS.get('p1')! })).toBe(1000);
    // 3 597 000 ms over 3600 readings is 999.17 ms: within 5 % of 1 s.
    expect(inferInterval({ kind: 'pdu', f: fig({ samples: 3600, covered_ms: 3_597_000 }) })).toBe(1000);
    expect(inferInterval({ kind: 'pdu', f: fig({ samples: 100, covered_ms: 4_444_400 }) })).toBe(44_444);
    expect(inferInterval({ kind: 'miner', f: RIGS.get('r1')! })).toBe(30_000);
    expect(inferInterval({ kind: 'pdu', f: fig({ samples: 1, covered_ms: 0 }) })).toBeNull();
  });

  it('counts a complete PDU as complete', () => {
    expect(row('p1')).toEqual({
      kind: 'pdu', id: 'p1', in_fleet: true, series_expected: 2, series_seen: 2, interval_ms: 1000, interval_from: 'inferred', expected: 7200, received: 7200, coverage: 1, completeness: 1,
      gaps: 0, resets: 0, spikes_rejected: 0, glitches: 0, recoveries: 0, rollovers: 0, flagged: false, note: null,
    });
  });

  it('flags a PDU silent for 10 minutes', () => {
    expect(row('p2')).toMatchObject({ expected: 7200, received: 6000, coverage: 6000 / 7200, completeness: 6000 / 7200, gaps: 2, flagged: true, note: 'PDU p2 sent 83.33 % of the readings expected (below 99.00 %)' });
  });

  it('flags a PDU of the fleet file that sent nothing, expecting the site\'s usual interval', () => {
    expect(row('p3')).toMatchObject({ in_fleet: true, series_expected: 3, series_seen: 0, interval_ms: 1000, interval_from: 'site', expected: 10_800, received: 0, coverage: 0, flagged: true, note: 'PDU p3 sent no readings in the range (it is in the fleet file)' });
  });

  it('flags a PDU that reports only some of its outlets', () => {
    expect(row('p4')).toMatchObject({ series_expected: 2, series_seen: 1, expected: 7200, received: 3600, coverage: 0.5, completeness: 0.5, flagged: true, note: 'PDU p4 sent 50.00 % of the readings expected (below 99.00 %)' });
  });

  it('checks the meter and the miners at their own intervals', () => {
    expect(row('main')).toMatchObject({ kind: 'meter', interval_ms: 10_000, expected: 360, received: 360, coverage: 1, flagged: false });
    expect(row('r1')).toMatchObject({ kind: 'miner', interval_ms: 30_000, expected: 120, received: 120, coverage: 1, flagged: false });
    expect(row('r2')).toMatchObject({ kind: 'miner', interval_ms: 30_000, expected: 120, received: 60, coverage: 0.5, completeness: 0.5, flagged: true, note: 'miner r2 sent 50.00 % of the readings expected (below 99.00 %)' });
  });

  it('lists PDUs, then meters, then miners, each by id', () => {
    expect(coverage.map((c) => `${c.kind}/${c.id}`)).toEqual(['pdu/p1', 'pdu/p2', 'pdu/p3', 'pdu/p4', 'meter/main', 'miner/r1', 'miner/r2']);
  });

  it('uses the interval given, for every device', () => {
    const given = coverageOf({ pdus: PDUS, meters: METERS, rigs: RIGS }, HOUR, FLEET, { ...DEFAULT_TOLERANCES, interval_ms: 2000 });
    expect(given.find((c) => c.id === 'p1')).toMatchObject({ interval_ms: 2000, interval_from: 'given', expected: 3600, coverage: 2, flagged: false });
    expect(given.find((c) => c.id === 'main')).toMatchObject({ expected: 1800, received: 360, coverage: 0.2, flagged: true });
  });
});

describe('register-based vs integrated energy', () => {
  const tol = DEFAULT_TOLERANCES;

  it('passes a register within 1 % of its power integral', () => {
    expect(methodCheck('pdu', 'p1', reg(7_000_000, { series: 2, power_mwh: 7_000_400 }), tol)).toEqual({
      subject: 'pdu', id: 'p1', method: 'register', kwh: 7, kwh_from_registers: 7, kwh_integrated: 0, kwh_power_integral: 7.0004, difference_kwh: -0.0004, difference_pct: -0.0057, gaps: 0, flagged: false, note: null,
    });
  });

  it('flags registers ahead of the power integral, and says gaps explain it when there are gaps', () => {
    expect(methodCheck('pdu', 'p2', reg(7_000_000, { series: 2, power_mwh: 6_000_000, gaps: 2 }), tol)).toMatchObject({
      difference_kwh: 1,
      difference_pct: 16.6667,
      flagged: true,
      note: 'registers of PDU p2 counted 1.000 kWh more than its power implies; 2 gap(s) over 5 min: registers bridge them, integration cannot — the difference is at most the energy across the gaps',
    });
  });

  it('flags a register behind its power', () => {
    expect(methodCheck('meter', 'main', reg(15_000_000, { series: 1, power_mwh: 15_300_000 }), tol)).toMatchObject({
      difference_kwh: -0.3,
      flagged: true,
      note: 'registers of meter main counted 0.300 kWh less than its reported power implies: a register lags or lost counts, or power reads high',
    });
  });

  it('allows one register step (1 Wh) per series however small the energy', () => {
    expect(methodCheck('pdu', 'p9', reg(3000, { series: 2, power_mwh: 1500 }), tol).flagged).toBe(false);
    expect(methodCheck('pdu', 'p9', reg(3000, { series: 1, power_mwh: 1500 }), tol).flagged).toBe(true);
  });

  it('never flags energy that is integrated power throughout', () => {
    const f = fig({ integrated: { whole: 5_000_000, frac: 0 }, integrated_ms: HOUR, series: 1, power_mwh: 5_000_000 });
    expect(methodCheck('pdu', 'p5', f, tol)).toMatchObject({ method: 'integrated', kwh: 5, kwh_integrated: 5, kwh_power_integral: 5, difference_kwh: 0, flagged: false });
  });
});

describe('facility meter vs Σ PDUs', () => {
  const tol = DEFAULT_TOLERANCES;
  const it14 = reg(14_000_000, { series: 20, covered_ms: 72_000_000, series_ms: 72_000_000 });
  const meter = (mwh: number, covered = HOUR) => reg(mwh, { series: 1, covered_ms: covered, series_ms: HOUR });

  it('passes a meter that counted the PDUs plus a plausible overhead', () => {
    expect(meterVsIt(meter(15_000_000), it14, tol)).toEqual({ meter_kwh: 15, it_kwh: 14, difference_kwh: 1, ratio: 1.071429, meter_completeness: 1, it_completeness: 1, flagged: false, note: null });
  });

  it('flags a meter that counted less than the PDUs behind it', () => {
    expect(meterVsIt(meter(13_800_000), it14, tol)).toMatchObject({ difference_kwh: -0.2, flagged: true, note: 'the facility meter counted 0.200 kWh (1.43 %) less than the PDUs behind it' });
    // Within the tolerance: 0.5 % less is a meter and PDUs that disagree by their accuracy class.
    expect(meterVsIt(meter(13_930_000), it14, tol).flagged).toBe(false);
  });

  it('flags an overhead above the limit', () => {
    expect(meterVsIt(meter(30_000_000), it14, tol)).toMatchObject({ ratio: 2.142857, flagged: true, note: 'the facility meter counted 2.143 × what the PDUs delivered, above the 2 allowed' });
  });

  it('flags a site without meter readings, and notes unequal completeness', () => {
    expect(meterVsIt(null, it14, tol)).toMatchObject({ meter_kwh: null, ratio: null, flagged: true, note: 'no facility meter readings: the PDUs cannot be checked against the meter' });
    expect(meterVsIt(meter(15_000_000, 3_000_000), it14, tol)).toMatchObject({ flagged: false, note: 'completeness differs (meter 83.33 %, PDUs 100.00 %): the two energies do not cover the same time equally' });
  });
});

describe('a reconciliation put together', () => {
  const groups = new Map<string, Figures>([
    ['site/', reg(14_000_000, { series: 6, power_mwh: 14_000_000, covered_ms: 20_400_000, series_ms: 21_600_000, gaps: 2, resets: 1, spikes: 1 })],
    ['pdu/p1', fig({ ...PDUS.get('p1')!, register_mwh: 7_000_000, register_ms: HOUR, power_mwh: 7_000_000 })],
    ['pdu/p2', fig({ ...PDUS.get('p2')!, register_mwh: 7_000_000, register_ms: HOUR, power_mwh: 7_000_000, resets: 1, spikes: 1 })],
    ['meter/main', fig({ ...METERS.get('main')!, register_mwh: 13_000_000, register_ms: HOUR, power_mwh: 13_000_000 })],
  ]);
  const r = buildReconciliation({
    site: 's1',
    from: T0,
    to: T0 + HOUR,
    tz: 'UTC',
    groups,
    fleet: { pdus: new Map([['p1', 2], ['p2', 2]]), rigs: new Set(), meters: new Set(['main']) },
    itemized: { adjustments: [], gaps: [], hours_with_events: 1, hours_read: 1, complete: true },
    days: [{ start: T0, end: T0 + HOUR, it: groups.get('site/')!, meter: groups.get('meter/main')! }],
    tolerances: DEFAULT_TOLERANCES,
    answered_from: { hours_1h: 1, minutes_1m: 0, raw_ms: 0 },
  });

  it('flags each difference beyond tolerance, once per check and subject', () => {
    expect(r.flags).toEqual([
      { check: 'coverage', subject: 'pdu/p2', message: 'PDU p2 sent 83.33 % of the readings expected (below 99.00 %)' },
      { check: 'meter_vs_it', subject: 'site/s1', message: 'the facility meter counted 1.000 kWh (7.14 %) less than the PDUs behind it' },
      { check: 'meter_vs_it', subject: 'day/2026-01-01', message: 'the facility meter counted 1.000 kWh (7.14 %) less than the PDUs behind it' },
    ]);
    expect(r.summary).toEqual({ devices: 3, devices_flagged: 1, flags: 3, ok: false });
  });

  it('counts events of the outlets and of the meters apart', () => {
    expect(r.events.outlets).toEqual({ gaps: 2, resets: 1, spikes_rejected: 1, glitches: 0, recoveries: 0, rollovers: 0 });
    expect(r.events.meters).toEqual({ gaps: 0, resets: 0, spikes_rejected: 0, glitches: 0, recoveries: 0, rollovers: 0 });
  });

  it('checks registers against power for the site, each PDU and each meter', () => {
    expect(r.energy_methods.map((m) => `${m.subject}/${m.id}:${m.flagged}`)).toEqual(['site/s1:false', 'pdu/p1:false', 'pdu/p2:false', 'meter/main:false']);
    expect(r.meter_vs_it.days).toEqual([expect.objectContaining({ local_start: '2026-01-01T00:00:00+00:00', meter_kwh: 13, it_kwh: 14, flagged: true })]);
  });
});
