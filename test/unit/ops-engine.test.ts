import { describe, expect, it } from 'vitest';
import type { OutletReading } from '../../server/src/domain/reading.js';
import { FleetRegistry } from '../../server/src/fleet/registry.js';
import { fleetSchema } from '../../server/src/fleet/schema.js';
import { detect } from '../../server/src/operations/detectors.js';
import { AlertEngine, type Signal } from '../../server/src/operations/engine.js';
import { DEFAULT_RULES, resolveRules } from '../../server/src/operations/rules.js';
import { buildSnapshot } from '../../server/src/operations/snapshot.js';
import { OpsTelemetry } from '../../server/src/operations/telemetry.js';
import { Topology } from '../../server/src/operations/topology.js';

const T0 = Date.UTC(2026, 0, 1, 12);
const S = 1000;

/** A condition with a 60 s raise time and a 30 s clear time; raise above 100, clear below 95. */
function sig(value: number, key = 'overload:x'): Signal {
  return {
    key, rule: 'overload', severity: 'critical', site: 's', node: 'pdu:s/p', subject: 's › p › bank-1', message: `at ${value}`,
    value, threshold: 100, unit: 'A', raise: value > 100, clear: value < 95, forMs: 60 * S, clearForMs: 30 * S,
  };
}

/** Steps the engine once a second through `values`, from `start`; returns what happened at which second. */
function run(engine: AlertEngine, values: readonly (number | null)[], start = T0): string[] {
  const events: string[] = [];
  values.forEach((v, i) => {
    for (const t of engine.step(v === null ? [] : [sig(v)], start + i * S)) {
      events.push(t.type === 'raise' ? `raise@${i} since@${(t.since - T0) / S}` : `clear@${i} ${t.why}`);
    }
  });
  return events;
}

const repeat = (value: number, n: number): number[] => Array.from({ length: n }, () => value);

describe('alert engine', () => {
  it('raises only once the condition has held for its duration, dating it from the start', () => {
    const engine = new AlertEngine();
    expect(run(engine, repeat(120, 60))).toEqual([]); // seconds 0…59: pending
    expect(run(engine, [120], T0 + 60 * S)).toEqual(['raise@0 since@0']);
    expect(engine.isActive('overload:x')).toBe(true);
  });

  it('forgets a condition that stops before its duration', () => {
    const engine = new AlertEngine();
    // 59 s over, one second at 99 (in the band: not over the raise threshold), then over again: the clock restarts.
    expect(run(engine, [...repeat(120, 59), 99, ...repeat(120, 60)])).toEqual([]);
    expect(engine.tracked).toBe(1);
    expect(run(engine, [120], T0 + 120 * S)).toEqual(['raise@0 since@60']);
  });

  it('does not flap around the threshold (hysteresis) and clears after the clear time', () => {
    const engine = new AlertEngine();
    run(engine, repeat(120, 61));
    // Hovering around the raise threshold, inside the band [95, 100]: stays active, no transitions.
    const hover = [101, 99, 100.5, 96, 101, 95.5, 99.9];
    expect(run(engine, hover, T0 + 61 * S)).toEqual([]);
    expect(engine.isActive('overload:x')).toBe(true);
    // Below the clear threshold for 29 s, then back in the band: the clear time restarts.
    expect(run(engine, [...repeat(90, 29), 97], T0 + 68 * S)).toEqual([]);
    // Below it for 30 s: cleared exactly 30 s after the first low reading.
    expect(run(engine, repeat(90, 31), T0 + 98 * S)).toEqual(['clear@30 condition over']);
    expect(engine.tracked).toBe(0);
  });

  it('clears a condition that is no longer observed, after its clear time', () => {
    const engine = new AlertEngine();
    run(engine, repeat(120, 61));
    expect(run(engine, [null, null, null], T0 + 61 * S)).toEqual([]);
    expect(run(engine, [null], T0 + 91 * S)).toEqual(['clear@0 no longer observed']);
  });

  it('raises at once with a zero duration, and keeps restored alerts active until seen over', () => {
    const engine = new AlertEngine();
    expect(engine.step([{ ...sig(120), forMs: 0 }], T0)).toMatchObject([{ type: 'raise', since: T0, at: T0 }]);
    const restored = new AlertEngine();
    restored.restore([{ key: 'overload:x', clearForMs: 30 * S }], T0);
    expect(run(restored, repeat(120, 100))).toEqual([]); // never raised twice
    expect(run(restored, repeat(80, 31), T0 + 100 * S)).toEqual(['clear@30 condition over']);
  });
});

describe('rules on a snapshot', () => {
  /** 208 V 3-phase 30 A PDU, three 20 A banks (one per phase pair, two outlets each), S19 Pros. */
  const fleet = new FleetRegistry(
    fleetSchema.parse({
      version: 1,
      sites: [{
        id: 's', capacity_kw: 20, continuous_load_pct: 80,
        racks: [{ id: 'r01', pdus: [{
          id: 'p1', rating_a: 30, voltage_v: 208, phases: 3,
          breakers: [
            { id: 'bank-1', rating_a: 20, outlets: [1, 2], phase: 'L1-L2' },
            { id: 'bank-2', rating_a: 20, outlets: [3, 4], phase: 'L2-L3' },
            { id: 'bank-3', rating_a: 20, outlets: [5, 6], phase: 'L3-L1' },
          ],
          outlets: [1, 2, 3, 4, 5, 6].map((n) => ({ outlet: n, rig: `rig-${n}`, model: 'Antminer S19 Pro' })),
        }] }],
      }],
      alerts: { overload: { for_s: 5, clear_for_s: 3 } },
    }),
  );
  const reading = (outlet: number, ts: number, current_a: number): OutletReading => ({ kind: 'outlet', site: 's', pdu: 'p1', outlet, ts, power_w: current_a * 208, current_a, voltage_v: 208 });

  function snapshotAt(amps: readonly number[], now: number) {
    const telemetry = new OpsTelemetry();
    telemetry.observe(amps.map((a, i) => reading(i + 1, now, a)));
    const topology = new Topology(fleet, telemetry);
    return buildSnapshot({ topology, telemetry, rigs: () => [], nameplate: () => null, staleMs: 30 * S, startedAt: now, now });
  }

  it('raises overload on one phase of a 3-phase PDU whose banks and total are within their limits', () => {
    // 7.75 A on each outlet of banks 1 and 2: each bank carries 15.5 A of its 16 A limit (80 % of 20 A): 96.9 %,
    // in the band (not over 100 %, not under 95 %). Lines: L1 = |I12 − I31| = 15.5 A, L3 = |I31 − I23| = 15.5 A,
    // L2 = |I23 − I12| = 15.5·√3 = 26.85 A of 24 A (80 % of 30 A): 111.9 % — over.
    const snap = snapshotAt([7.75, 7.75, 7.75, 7.75, 0, 0], T0);
    const overloads = detect(snap, resolveRules(fleet.fleet.alerts)).filter((s) => s.rule === 'overload');
    const raising = overloads.filter((s) => s.raise).map((s) => s.key);
    expect(raising).toEqual(['overload:pdu:s/p1#line/L2']);
    const l2 = overloads.find((s) => s.key === 'overload:pdu:s/p1#line/L2')!;
    expect(l2.value).toBeCloseTo(15.5 * Math.sqrt(3), 9);
    expect(l2.threshold).toBe(24);
    expect(l2).toMatchObject({ node: 'pdu:s/p1', subject: 's › p1 › L2', unit: 'A', forMs: 5 * S, clearForMs: 3 * S });
    expect(l2.message).toBe('L2 at 26.8 A = 112 % of its 24.0 A continuous limit (80 % of 30.0 A); current measured');
    const bank1 = overloads.find((s) => s.key === 'overload:pdu:s/p1#bank/bank-1')!;
    expect([bank1.value, bank1.raise, bank1.clear]).toEqual([15.5, false, false]); // 96.9 %: in the band
    const total = overloads.find((s) => s.key === 'overload:pdu:s/p1#total')!;
    // 4 × 7.75 A × 208 V = 6.448 kVA of √3 × 208 × 30 × 0.8 = 8.646 kVA: 74.6 %, clear.
    expect(total.value).toBeCloseTo(6.448, 9);
    expect([total.raise, total.clear]).toEqual([false, true]);
  });

  it('raises after for_s and clears after clear_for_s once the phase load drops', () => {
    const engine = new AlertEngine();
    const rules = resolveRules(fleet.fleet.alerts);
    const events: string[] = [];
    const at = (i: number, amps: readonly number[]) => {
      for (const t of engine.step(detect(snapshotAt(amps, T0 + i * S), rules), T0 + i * S)) {
        if (t.type === 'raise') events.push(`${i}: raise ${t.signal.key}`);
        else events.push(`${i}: clear ${t.key}`);
      }
    };
    const high = [7.75, 7.75, 7.75, 7.75, 0, 0];
    const low = [4, 4, 4, 4, 4, 4]; // balanced 8 A per pair: lines 13.86 A, 57.7 %
    for (let i = 0; i <= 5; i++) at(i, high);
    for (let i = 6; i <= 9; i++) at(i, low);
    expect(events).toEqual(['5: raise overload:pdu:s/p1#line/L2', '9: clear overload:pdu:s/p1#line/L2']);
  });

  it('uses the defaults where the fleet file says nothing, and checks the bands', () => {
    expect(resolveRules(undefined)).toEqual(DEFAULT_RULES);
    expect(resolveRules({ voltage: { raise_pct: 8 } }).voltage).toEqual({ ...DEFAULT_RULES.voltage, raise_pct: 8 });
    const bad = fleetSchema.safeParse({ version: 1, alerts: { overload: { raise_pct: 90 }, rig_offline: { for_s: -1 } } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).sort()).toEqual([
      'alerts.overload: clear_pct (95) must not be above raise_pct (90)',
      'alerts.rig_offline.for_s: Too small: expected number to be >=0',
    ].sort());
  });
});
