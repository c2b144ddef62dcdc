/**
 * The fleet's faults: plans them at the first tick (or takes the plan given), hands each faulted PDU its
 * PduFaults, and keeps the fault log. Pure like the fleet: it sees tick times, never a clock.
 */
import type { SimMessage } from '../fleet.js';
import type { FleetTruth } from '../truth.js';
import { PduFaults } from './pdu-faults.js';
import { planFaults, type FaultTarget, type PlanWindow } from './plan.js';
import type { PduRef } from './registers.js';
import { FAULT_DEFAULTS, REGISTER_FAULTS, REGISTER_WRAP_WH, type FaultEvent, type FaultOptions, type PlannedFault } from './types.js';

export class FaultInjector {
  private plan: PlannedFault[] | undefined;
  private byPdu: Array<PduFaults | undefined> = [];
  private readonly log: FaultEvent[] = [];

  constructor(
    private readonly refs: readonly PduRef[],
    private readonly options: FaultOptions,
    private readonly seed: number,
  ) {
    checkOptions(options);
    if (options.planned !== undefined) this.build(options.planned.map((f) => ({ ...f })));
    else if (options.from !== undefined) this.build(this.planFrom(options.from));
    // Without a start time the plan waits for the first tick; its feasibility does not depend on when that is.
    else this.planFrom(0);
  }

  /** Called at every tick before the PDUs: the first one fixes the plan. */
  beginTick(ts: number): void {
    if (this.plan === undefined) this.build(this.planFrom(ts));
  }

  pdu(index: number): PduFaults | undefined {
    return this.byPdu[index];
  }

  /** Every fault placed so far (empty before the first tick unless the run's start was given). */
  planned(): readonly PlannedFault[] {
    return this.plan ?? [];
  }

  events(): readonly FaultEvent[] {
    return this.log;
  }

  /** Messages still held (late, reorder) at the end of the run; unfinished faults are logged. */
  flush(): SimMessage[] {
    return this.byPdu.flatMap((p) => p?.flush() ?? []);
  }

  /** Marks the outlets whose truth needs a word: 32-bit registers, and clocks that jumped within the range. */
  annotate(truth: FleetTruth): void {
    const byKey = new Map(truth.outlets.map((o) => [`${o.site}/${o.pdu}/${o.outlet}`, o]));
    for (const f of this.plan ?? []) {
      if (f.kind !== 'rollover') continue;
      const outlet = byKey.get(`${f.site}/${f.pdu}/${f.outlet}`);
      if (outlet) outlet.register_wrap_wh = REGISTER_WRAP_WH;
    }
    for (const p of this.byPdu) {
      const base = p?.skewBase;
      if (p === undefined || base === undefined) continue;
      p.ref.outlets.forEach(({ outlet }, i) => {
        const o = byKey.get(`${p.ref.site}/${p.ref.pdu}/${outlet}`);
        if (o === undefined || base.ts >= o.to_ts) return;
        o.skew_ms = base.skewMs;
        o.wh_before_skew = base.ts < o.from_ts ? 0 : (base.registers[i] ?? o.first_wh) - o.first_wh;
      });
    }
  }

  private planFrom(from: number): PlannedFault[] {
    const { intervalMs, to, durationMs, ratePerHour } = this.options;
    if (to === undefined && durationMs === undefined && ratePerHour !== undefined) {
      throw new RangeError('a fault rate needs a run with a known end (a duration, or historical mode)');
    }
    const window: PlanWindow = { from, to: to ?? from + (durationMs ?? FAULT_DEFAULTS.openWindowMs), intervalMs };
    const targets: FaultTarget[] = this.refs.map((r) => ({ site: r.site, pdu: r.pdu, outlets: r.outlets.map((o) => o.outlet) }));
    return planFaults(targets, this.options, window, this.seed);
  }

  private build(plan: PlannedFault[]): void {
    const index = new Map(this.refs.map((r, i) => [`${r.site}/${r.pdu}`, i]));
    const perPdu = new Map<number, PlannedFault[]>();
    for (const fault of plan) {
      const i = index.get(`${fault.site}/${fault.pdu}`);
      if (i === undefined) throw new RangeError(`${fault.kind} fault: the fleet has no PDU ${fault.site}/${fault.pdu}`);
      if (REGISTER_FAULTS.has(fault.kind) && !this.refs[i]?.outlets.some((o) => o.outlet === fault.outlet)) {
        throw new RangeError(`${fault.kind} fault: ${fault.site}/${fault.pdu} has no outlet ${fault.outlet}`);
      }
      perPdu.set(i, [...(perPdu.get(i) ?? []), fault]);
    }
    this.byPdu = this.refs.map((ref, i) => {
      const faults = perPdu.get(i);
      return faults === undefined ? undefined : new PduFaults(ref, faults, (e) => this.log.push(e));
    });
    this.plan = plan;
  }
}

function checkOptions(o: FaultOptions): void {
  if (!Number.isSafeInteger(o.intervalMs) || o.intervalMs <= 0) throw new RangeError(`faults need the tick interval in whole ms, got ${o.intervalMs}`);
  if (o.kinds.length === 0 && o.planned === undefined) throw new RangeError('no fault kinds given');
  if (o.from !== undefined && o.to !== undefined && !(o.to > o.from)) throw new RangeError('the fault window must end after it starts');
  if (o.ratePerHour !== undefined && !(o.ratePerHour > 0 && Number.isFinite(o.ratePerHour))) {
    throw new RangeError(`the fault rate must be a positive number per hour, got ${o.ratePerHour}`);
  }
}
