import { describe, expect, it } from 'vitest';
import type { PduPayloadV1 } from '../../simulators/src/encoders/native.js';
import type { FaultEvent, PlannedFault } from '../../simulators/src/faults/types.js';
import { createFleet, type Fleet, type SimMessage } from '../../simulators/src/fleet.js';
import { loadAsicSpecs } from '../../simulators/src/models.js';

/**
 * One test per fault: a PDU with 3 outlets (seed 7) over 8 one-minute ticks, the fault placed by hand on
 * outlet 2 or on the PDU's messages. Outlet 2's true register reads, tick by tick:
 *   25 809 142, …199, …257, …314, …373, …430, …487, …545   (403 Wh over the run)
 * The faults change only what is published: the truth is the clean run's, whatever the fault.
 */
const MODELS = loadAsicSpecs();
const T0 = Date.UTC(2026, 0, 1);
const IV = 60_000;
const t = (i: number): number => T0 + i * IV;
const TOPIC = 'kilowatch/site-1/pdu/r01-pdu1';
const TRUE_OUTLET_2 = [25_809_142, 25_809_199, 25_809_257, 25_809_314, 25_809_373, 25_809_430, 25_809_487, 25_809_545];

interface Run {
  fleet: Fleet;
  /** PDU messages in publishing order (the end-of-run flush included). */
  sent: PduPayloadV1[];
  events: readonly FaultEvent[];
}

function run(planned?: PlannedFault[]): Run {
  const fleet = createFleet(
    { sites: 1, rigsPerSite: 3, seed: 7, miners: false, ...(planned && { faults: { kinds: [], intervalMs: IV, planned } }) },
    MODELS,
  );
  const messages: SimMessage[] = [];
  for (let i = 0; i < 8; i++) messages.push(...fleet.tick(t(i)));
  messages.push(...fleet.flush());
  const sent = messages.filter((m) => m.topic === TOPIC).map((m) => JSON.parse(m.payload) as PduPayloadV1);
  return { fleet, sent, events: fleet.faultEvents() };
}

const outlet2 = (r: Run): number[] => r.sent.map((p) => p.outlets[1]?.energy_wh as number);
const times = (r: Run): number[] => r.sent.map((p) => (p.ts - T0) / IV);
const on = (kind: PlannedFault['kind'], at: number, extra: Partial<PlannedFault> = {}): PlannedFault[] => [
  { kind, at: t(at), site: 'site-1', pdu: 'r01-pdu1', ...(kind === 'reset' || kind === 'glitch' || kind === 'spike' || kind === 'rollover' ? { outlet: 2 } : {}), ...extra },
];
const where = { site: 'site-1', pdu: 'r01-pdu1', topic: TOPIC };
const outlet = { ...where, outlet: 2, rig: 'site-1-r01-u02' };
const clean = run();

describe('the clean run', () => {
  it('publishes the true registers, and its truth is their delta', () => {
    expect(outlet2(clean)).toEqual(TRUE_OUTLET_2);
    expect(times(clean)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const truth = clean.fleet.truth();
    expect(truth.outlets[1]).toEqual({
      site: 'site-1', pdu: 'r01-pdu1', outlet: 2, rig: 'site-1-r01-u02', from_ts: t(0), to_ts: t(7), first_wh: 25_809_142, last_wh: 25_809_545, wh: 403,
    });
    expect(truth).toMatchObject({ from: t(0), to: t(7), wh: 391 + 403 + 394, meter_wh: 1253, sites: [{ site: 'site-1', wh: 1188, outlets: 3, meter_wh: 1253 }] });
    expect(clean.events).toEqual([]);
  });
});

describe('register faults', () => {
  it('reset: the register restarts from 0 after the previous reading and counts on; the server counts the new value', () => {
    const r = run(on('reset', 3));
    // From tick 3 on it shows the true register − 25 809 257 (the true register at tick 2).
    expect(outlet2(r)).toEqual([25_809_142, 25_809_199, 25_809_257, 57, 116, 173, 230, 288]);
    expect(r.events).toEqual([
      { fault: 'reset', at: t(3), ...outlet, from_ts: t(2), to_ts: t(3), register_before: 25_809_257, register_fault: 57, counted_wh: 57,
        server_branch: 'reset', complete: true, note: expect.stringContaining('restarted from 0 after 25809257 Wh') },
    ]);
    expect(r.fleet.truth()).toEqual(clean.fleet.truth());
  });

  it('glitch: one reading of 0, then the true register again; the server counts across it', () => {
    const r = run(on('glitch', 3));
    expect(outlet2(r)).toEqual([25_809_142, 25_809_199, 25_809_257, 0, 25_809_373, 25_809_430, 25_809_487, 25_809_545]);
    expect(r.events).toEqual([
      { fault: 'glitch', at: t(3), ...outlet, from_ts: t(2), to_ts: t(4), register_before: 25_809_257, register_fault: 0, register_after: 25_809_373,
        counted_wh: 116, server_branch: 'glitch (dip)', complete: true, note: expect.stringContaining('counts 25809373 − 25809257 = 116 Wh across it') },
    ]);
    expect(r.fleet.truth()).toEqual(clean.fleet.truth());
  });

  it('spike: one reading 1 MWh too high, and the next one is the true register again', () => {
    const r = run(on('spike', 3, { spikeWh: 1_000_000 }));
    expect(outlet2(r)).toEqual([25_809_142, 25_809_199, 25_809_257, 26_809_314, 25_809_373, 25_809_430, 25_809_487, 25_809_545]);
    expect(r.events).toEqual([
      { fault: 'spike', at: t(3), ...outlet, from_ts: t(2), to_ts: t(4), register_before: 25_809_257, register_fault: 26_809_314, register_after: 25_809_373,
        counted_wh: 116, server_branch: 'glitch (spike)', complete: true, note: expect.stringContaining('one reading 1000000 Wh too high') },
    ]);
    expect(r.fleet.truth()).toEqual(clean.fleet.truth());
  });

  it('rollover: a 32-bit register started just below 2^32 wraps near the planned tick; the truth marks its width', () => {
    const r = run(on('rollover', 5));
    // At 3435.0 W for the 5 minutes to tick 5: 286.25 Wh, aimed at 97 % of it → it starts 277 Wh below 2^32.
    const start = 2 ** 32 - 277;
    expect(outlet2(r)).toEqual([start, start + 57, start + 115, start + 172, start + 231, 11, 68, 126]);
    expect(r.events).toEqual([
      { fault: 'rollover', at: t(5), ...outlet, from_ts: t(4), to_ts: t(5), register_before: start + 231, register_fault: 11, counted_wh: 57,
        server_branch: 'rollover', wrap_wh: 2 ** 32, counted_without_wrap_wh: 11, complete: true,
        note: expect.stringContaining('(2^32 − 4294967250) + 11 = 57 Wh') },
    ]);
    const truth = r.fleet.truth();
    expect(truth.outlets[1]).toEqual({ ...clean.fleet.truth().outlets[1], register_wrap_wh: 2 ** 32 });
    expect(truth.wh).toBe(clean.fleet.truth().wh);
  });

  it('rollover: logged as incomplete when the register has not wrapped by the end of the run', () => {
    const fleet = createFleet({ sites: 1, rigsPerSite: 3, seed: 7, miners: false, faults: { kinds: [], intervalMs: IV, planned: on('rollover', 60) } }, MODELS);
    for (let i = 0; i < 3; i++) fleet.tick(t(i));
    fleet.flush();
    expect(fleet.faultEvents()).toEqual([
      { fault: 'rollover', at: t(60), ...outlet, server_branch: 'rollover', wrap_wh: 2 ** 32, complete: false, note: expect.stringContaining('had not wrapped') },
    ]);
  });
});

describe('message faults', () => {
  it('gap: readings in [at, until) are never sent; the registers go on counting', () => {
    const r = run(on('gap', 3, { until: t(5) }));
    expect(times(r)).toEqual([0, 1, 2, 5, 6, 7]);
    expect(outlet2(r)).toEqual([25_809_142, 25_809_199, 25_809_257, 25_809_430, 25_809_487, 25_809_545]);
    // Σ over the 3 outlets of the true delta from tick 2 to tick 5: 168 + 173 + 169.
    expect(r.events).toEqual([
      { fault: 'gap', at: t(3), ...where, from_ts: t(2), to_ts: t(5), until: t(5), counted_wh: 510, messages: 2, readings: 6,
        server_branch: 'gap, register', complete: true, note: expect.stringContaining('silent for 180 s between readings') },
    ]);
    expect(r.fleet.truth()).toEqual(clean.fleet.truth());
  });

  it('late: readings in [at, until) are held back, then sent oldest first with their own timestamps', () => {
    const r = run(on('late', 2, { until: t(5) }));
    expect(times(r)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(r.sent.map((p) => p.outlets[1]?.energy_wh)).toEqual(TRUE_OUTLET_2);
    expect(r.events).toEqual([
      { fault: 'late', at: t(2), ...where, until: t(5), messages: 3, readings: 9, server_branch: 'out of order / duplicates', complete: true,
        note: expect.stringContaining('3 messages held back, then sent at 2026-01-01T00:05:00.000Z') },
    ]);
  });

  it('late: the held messages are published at tick 5, before that tick’s own reading', () => {
    const fleet = createFleet({ sites: 1, rigsPerSite: 3, seed: 7, miners: false, faults: { kinds: [], intervalMs: IV, planned: on('late', 2, { until: t(5) }) } }, MODELS);
    const perTick = [0, 1, 2, 3, 4, 5].map((i) => fleet.tick(t(i)).filter((m) => m.topic === TOPIC).map((m) => ((JSON.parse(m.payload) as PduPayloadV1).ts - T0) / IV));
    expect(perTick).toEqual([[0], [1], [], [], [], [2, 3, 4, 5]]);
  });

  it('duplicate: the same message twice in a row', () => {
    const r = run(on('duplicate', 3));
    expect(times(r)).toEqual([0, 1, 2, 3, 3, 4, 5, 6, 7]);
    expect(r.sent[3]).toEqual(r.sent[4]);
    expect(r.events).toEqual([
      { fault: 'duplicate', at: t(3), ...where, messages: 2, readings: 6, server_branch: 'out of order / duplicates', complete: true, note: expect.any(String) },
    ]);
  });

  it('reorder: the reading at `at` is sent after the next one', () => {
    const r = run(on('reorder', 3));
    expect(times(r)).toEqual([0, 1, 2, 4, 3, 5, 6, 7]);
    expect(r.events).toEqual([
      { fault: 'reorder', at: t(3), ...where, to_ts: t(4), messages: 2, server_branch: 'out of order / duplicates', complete: true, note: expect.any(String) },
    ]);
  });

  it('reorder on the last tick: the held reading goes out with the end-of-run flush', () => {
    const r = run(on('reorder', 7));
    expect(times(r)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(r.events).toMatchObject([{ fault: 'reorder', at: t(7), messages: 1, complete: false }]);
  });

  it('clock-skew: from `at` on, ts runs 90 s ahead; registers unchanged; the truth says what was before the jump', () => {
    const r = run(on('clock-skew', 5, { skewMs: 90_000 }));
    expect(r.sent.map((p) => p.ts - T0)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => i * IV + (i >= 5 ? 90_000 : 0)));
    expect(outlet2(r)).toEqual(TRUE_OUTLET_2);
    expect(r.events).toEqual([
      { fault: 'clock-skew', at: t(5), ...where, from_ts: t(4), skew_ms: 90_000, beyond_future_limit: false, server_branch: 'normal', complete: true,
        note: expect.stringContaining('within the server') },
    ]);
    // What the server counts for outlet 2 if it rejects the skewed readings: up to tick 4, 25 809 373 − 25 809 142.
    expect(r.fleet.truth().outlets[1]).toEqual({ ...clean.fleet.truth().outlets[1], skew_ms: 90_000, wh_before_skew: 231 });
  });

  it('clock-skew beyond the server’s 5-minute future limit is flagged: live, every later reading is rejected', () => {
    const r = run(on('clock-skew', 5, { skewMs: 600_000 }));
    expect(r.events).toMatchObject([{ fault: 'clock-skew', skew_ms: 600_000, beyond_future_limit: true, server_branch: 'rejected (future_ts)' }]);
  });
});

describe('faults leave the rest of the fleet alone', () => {
  it('miners and meters publish exactly as without faults', () => {
    const withMiners = (planned?: PlannedFault[]): SimMessage[] => {
      const fleet = createFleet({ sites: 1, rigsPerSite: 3, seed: 7, ...(planned && { faults: { kinds: [], intervalMs: IV, planned } }) }, MODELS);
      return [0, 1, 2, 3, 4].flatMap((i) => fleet.tick(t(i))).filter((m) => !m.topic.includes('/pdu/'));
    };
    expect(withMiners([...on('reset', 2), ...on('gap', 3, { until: t(4) })])).toEqual(withMiners());
  });

  it('refuses a planned fault on a PDU or outlet the fleet does not have', () => {
    const make = (planned: PlannedFault[]) => () => createFleet({ sites: 1, rigsPerSite: 3, seed: 7, faults: { kinds: [], intervalMs: IV, planned } }, MODELS);
    expect(make([{ kind: 'gap', at: t(1), site: 'site-1', pdu: 'r09-pdu1', until: t(2) }])).toThrow('gap fault: the fleet has no PDU site-1/r09-pdu1');
    expect(make([{ kind: 'reset', at: t(1), site: 'site-1', pdu: 'r01-pdu1', outlet: 4 }])).toThrow('reset fault: site-1/r01-pdu1 has no outlet 4');
  });
});
