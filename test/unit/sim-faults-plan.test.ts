import { describe, expect, it } from 'vitest';
import { parseDurationMs, parseFaultList } from '../../simulators/src/faults/parse.js';
import { LEAD_TICKS, TAIL_TICKS, planFaults, type FaultTarget } from '../../simulators/src/faults/plan.js';
import { FAULT_KINDS, type PlannedFault } from '../../simulators/src/faults/types.js';
import { createFleet } from '../../simulators/src/fleet.js';
import { loadAsicSpecs } from '../../simulators/src/models.js';

const MODELS = loadAsicSpecs();
const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
const targets = (pdus: number, outlets = 12): FaultTarget[] =>
  Array.from({ length: pdus }, (_, i) => ({ site: 'site-1', pdu: `r${String(Math.floor(i / 2) + 1).padStart(2, '0')}-pdu${(i % 2) + 1}`, outlets: Array.from({ length: outlets }, (_, o) => o + 1) }));
const all = { kinds: FAULT_KINDS };

describe('--faults', () => {
  it('reads kinds, all, and the parameters of gap, late, clock-skew and spike', () => {
    expect(parseFaultList('glitch,reset')).toEqual({ kinds: ['reset', 'glitch'] });
    expect(parseFaultList('all').kinds).toEqual([...FAULT_KINDS]);
    expect(parseFaultList('all,gap=15m,late=90s,clock-skew=-2m,spike=5000')).toEqual({
      kinds: [...FAULT_KINDS], gapMs: 900_000, lateMs: 90_000, skewMs: -120_000, spikeWh: 5000,
    });
    expect(parseFaultList(' reset , clock-skew=400000 ')).toEqual({ kinds: ['reset', 'clock-skew'], skewMs: 400_000 });
  });

  it.each([
    ['nope', 'unknown fault "nope": use reset, glitch, rollover, spike, gap, late, duplicate, reorder, clock-skew or all'],
    ['', 'no fault named'],
    ['reset=1', 'reset=1: this fault takes no parameter (gap, late, clock-skew and spike do)'],
    ['gap=-5m', 'gap=-5m: "-5m" is not a duration such as 90s, 10m, 1h or 1500 (ms)'],
    ['gap=0', 'gap=0: must be longer than 0'],
    ['late=2d', 'late=2d: "2d" is not a duration'],
    ['gap=25h', 'gap=25h: "25h" is longer than a day'],
    ['clock-skew=0s', 'clock-skew=0s: an offset of 0 is no fault'],
    ['spike=1.5', 'spike=1.5: must be whole Wh from 1 to 10^12'],
  ])('refuses %j', (text, message) => {
    expect(() => parseFaultList(text)).toThrow(message);
  });

  it('reads durations in ms, s, m and h', () => {
    expect([parseDurationMs('1500', false), parseDurationMs('90s', false), parseDurationMs('10m', false), parseDurationMs('1h', false)]).toEqual([1500, 90_000, 600_000, HOUR]);
    expect(parseDurationMs('+90s', true)).toBe(90_000);
    expect(() => parseDurationMs('+90s', false)).toThrow('is not a duration');
  });
});

describe('fault placement', () => {
  const window = { from: T0, to: T0 + 6 * HOUR, intervalMs: 60_000 };

  it('is the same for the same seed, and different for another', () => {
    const a = planFaults(targets(17), all, window, 42);
    expect(planFaults(targets(17), all, window, 42)).toEqual(a);
    expect(planFaults(targets(17), all, window, 43)).not.toEqual(a);
    expect(a.map((f) => f.kind).sort()).toEqual([...FAULT_KINDS].sort());
  });

  it('pins the plan for seed 42 on 2 PDUs of 12 outlets over 6 hours of 1-minute ticks', () => {
    const at = (h: number, m: number): number => T0 + h * HOUR + m * 60_000;
    const pdu1 = { site: 'site-1', pdu: 'r01-pdu1' };
    const pdu2 = { site: 'site-1', pdu: 'r01-pdu2' };
    expect(planFaults(targets(2), all, window, 42)).toEqual([
      { kind: 'reorder', at: at(0, 32), ...pdu1 },
      { kind: 'late', at: at(1, 5), ...pdu2, until: at(1, 10) },
      { kind: 'rollover', at: at(1, 37), ...pdu2, outlet: 2 },
      { kind: 'duplicate', at: at(1, 38), ...pdu1 },
      { kind: 'reset', at: at(2, 58), ...pdu2, outlet: 9 },
      { kind: 'spike', at: at(3, 16), ...pdu1, outlet: 5, spikeWh: 1_000_000 },
      { kind: 'gap', at: at(4, 21), ...pdu1, until: at(4, 31) },
      { kind: 'clock-skew', at: at(4, 52), ...pdu1, skewMs: 90_000 },
      { kind: 'glitch', at: at(5, 28), ...pdu2, outlet: 12 },
    ]);
  });

  it('gives each fault its own PDU when there are enough, and distinct outlets to register faults on one PDU', () => {
    const many = planFaults(targets(17), all, window, 7);
    expect(new Set(many.map((f) => f.pdu)).size).toBe(FAULT_KINDS.length);
    const crowded = planFaults(targets(1), { kinds: ['reset', 'glitch', 'spike', 'rollover'] }, window, 7);
    expect(new Set(crowded.map((f) => f.outlet)).size).toBe(4);
    // 24 rollovers on 2 PDUs of 4 and 12 outlets: one per outlet at most, so the small PDU takes only 4.
    const rollovers = planFaults([...targets(1, 4), ...targets(1, 12)].map((t, i) => ({ ...t, pdu: `p${i}` })), { kinds: ['rollover'], ratePerHour: 2.7 }, window, 7);
    expect(rollovers).toHaveLength(16);
    expect(new Set(rollovers.map((f) => `${f.pdu}/${f.outlet}`)).size).toBe(16);
    expect(rollovers.filter((f) => f.pdu === 'p0')).toHaveLength(4);
    expect(() => planFaults(targets(1, 4), { kinds: ['rollover'], ratePerHour: 1 }, window, 7)).toThrow('more rollovers than outlets: the fleet has 4');
  });

  it('keeps faults on one PDU apart, inside the run, clear of its first and last ticks, with clock-skew last', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const plan = planFaults(targets(2), { ...all, ratePerHour: 3 }, window, seed);
      expect(plan).toHaveLength(9 * 18);
      for (const pdu of ['r01-pdu1', 'r01-pdu2']) {
        const mine = plan.filter((f) => f.pdu === pdu);
        // Every fault ends (its span plus the readings that confirm it) before the next one on its PDU starts.
        mine.slice(1).forEach((f, i) => expect(f.at).toBeGreaterThan(end(mine[i] as PlannedFault)));
        const skews = mine.filter((f) => f.kind === 'clock-skew');
        expect(mine.slice(mine.length - skews.length).every((f) => f.kind === 'clock-skew')).toBe(true);
      }
      expect(Math.min(...plan.map((f) => f.at))).toBeGreaterThanOrEqual(window.from + LEAD_TICKS * window.intervalMs);
      expect(Math.max(...plan.map(end))).toBeLessThanOrEqual(window.to - TAIL_TICKS * window.intervalMs);
    }
  });

  it('shortens a gap or late hold to fit its slot, and refuses a run too short for the faults', () => {
    const short = { from: T0, to: T0 + 30_000, intervalMs: 1000 };
    const plan = planFaults(targets(2), all, short, 42);
    // 25 usable ticks: r01-pdu2 has 4 faults (slots of 6 ticks: late holds 5), r01-pdu1 has 5 (slots of 5: a 4-tick gap).
    expect(plan.filter((f) => f.kind === 'gap' || f.kind === 'late').map((f) => [f.kind, f.pdu, ((f.until as number) - f.at) / 1000])).toEqual([
      ['late', 'r01-pdu2', 5],
      ['gap', 'r01-pdu1', 4],
    ]);
    expect(() => planFaults(targets(1), all, short, 42)).toThrow(
      'the run has 30 ticks: too few for 9 faults on one PDU (each needs 3 ticks, and the first 2 and last 3 ticks stay clean)',
    );
  });

  it('places faults by rate: round(rate × hours) of each kind, at least one', () => {
    expect(planFaults(targets(20), { kinds: ['gap'], ratePerHour: 0.5 }, window, 1)).toHaveLength(3);
    expect(planFaults(targets(20), { kinds: ['gap'], ratePerHour: 0.01 }, window, 1)).toHaveLength(1);
  });
});

describe('faults in the fleet', () => {
  const fleetWith = (from?: number) =>
    createFleet({ sites: 1, rigsPerSite: 200, seed: 42, miners: false, faults: { kinds: FAULT_KINDS, intervalMs: 1000, durationMs: 600_000, ...(from !== undefined && { from }) } }, MODELS);

  it('plans at the first tick of a live run: the same pattern, shifted to when the run starts', () => {
    const early = fleetWith();
    const late = fleetWith();
    expect(early.faultPlan()).toEqual([]);
    early.tick(T0);
    late.tick(T0 + HOUR);
    expect(late.faultPlan()).toEqual(early.faultPlan().map((f) => ({ ...f, at: f.at + HOUR, ...(f.until !== undefined && { until: f.until + HOUR }) })));
    expect(fleetWith(T0).faultPlan()).toEqual(early.faultPlan());
  });

  it('gives byte-identical messages and fault logs for the same seed', () => {
    const messages = () => {
      const fleet = createFleet({ sites: 1, rigsPerSite: 24, seed: 9, faults: { kinds: FAULT_KINDS, intervalMs: 1000, from: T0, to: T0 + 60_000 } }, MODELS);
      const sent = Array.from({ length: 60 }, (_, i) => fleet.tick(T0 + i * 1000)).flat().concat(fleet.flush());
      return { sent, events: fleet.faultEvents() };
    };
    const a = messages();
    expect(messages()).toEqual(a);
    expect(a.events.map((e) => e.fault).sort()).toEqual([...FAULT_KINDS].sort());
  });

  it('needs a known end for a fault rate, and a window long enough, when the fleet is built', () => {
    expect(() => createFleet({ sites: 1, rigsPerSite: 24, seed: 1, faults: { kinds: ['gap'], intervalMs: 1000, ratePerHour: 2 } }, MODELS)).toThrow(
      'a fault rate needs a run with a known end (a duration, or historical mode)',
    );
    expect(() => createFleet({ sites: 1, rigsPerSite: 1, seed: 1, faults: { kinds: FAULT_KINDS, intervalMs: 1000, durationMs: 10_000 } }, MODELS)).toThrow(
      'the run has 10 ticks: too few for 9 faults on one PDU',
    );
  });
});

/** The last tick a fault occupies: its span, and the 2 readings after a register fault that settle it. */
function end(f: PlannedFault): number {
  if (f.until !== undefined) return f.until;
  if (f.kind === 'reorder') return f.at + 60_000;
  if (f.kind === 'reset' || f.kind === 'glitch' || f.kind === 'spike' || f.kind === 'rollover') return f.at + 2 * 60_000;
  return f.at;
}
