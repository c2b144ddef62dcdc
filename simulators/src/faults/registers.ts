/**
 * Register faults on one PDU's outlets: what the published `energy_wh` shows instead of the true register.
 *
 *   reset     from the faulted reading on, the register counts from 0 again: it restarted right after the
 *             previous reading, keeping its sub-Wh remainder, so the first reading after the restart is exactly
 *             the true delta of that interval (energy since the restart, what the server's reset branch counts).
 *   glitch    one reading of 0; the next one is the true register again.
 *   spike     one reading of true + spikeWh; the next one is the true register again (a one-reading spike:
 *             the server ignores it and counts across it, docs/energy.md "glitch (spike)").
 *   rollover  a 32-bit register: it reads (true − offset) mod 2^32, started at the first tick so close to 2^32
 *             that, at the power the outlet drew then, it wraps at the planned time (give or take the power's
 *             drift; the event records when it did).
 * The true register (the device model's EnergyRegister) is never touched: faults only change what is published.
 */
import type { OutletSample } from '../devices/pdu.js';
import { DW_MS_PER_WH } from '../energy.js';
import { REGISTER_WRAP_WH, SERVER_MAX_GAP_MS, type FaultEvent, type PlannedFault } from './types.js';

export interface PduRef {
  site: string;
  pdu: string;
  topic: string;
  /** The outlets in message order. */
  outlets: ReadonlyArray<{ outlet: number; rig: string }>;
}

type Emit = (event: FaultEvent) => void;

/** A glitch or spike waiting for the next reading, which shows the register back in line. */
interface Pending {
  fault: PlannedFault;
  index: number;
  fromTs: number | undefined;
  before: number | undefined;
  cleanBefore: number | undefined;
  value: number;
  at: number;
}

/** If the rollover outlet's rig is off at the first tick, its wrap time cannot be aimed: assume a 3 kW rig. */
const FALLBACK_POWER_DW = 30_000;
/**
 * The wrap is aimed at 97 % of the energy the outlet would draw until the planned time at its first reading's
 * power: the power drifts by about 1 % and rigs switch off now and then, and a wrap a little early still falls
 * inside the run, while one a little late may not.
 */
const AIM = 0.97;

export class RegisterFaults {
  private readonly offsets: number[];
  private readonly wraps: boolean[];
  private lastClean: number[] | undefined;
  private lastPublished: number[] | undefined;
  private lastTs: number | undefined;
  private pending: Pending[] = [];
  private watching: Array<{ fault: PlannedFault; index: number }> = [];

  constructor(
    private readonly ref: PduRef,
    /** Every register fault planned on this PDU (rollovers are armed from them at the first tick). */
    private readonly planned: readonly PlannedFault[],
    private readonly emit: Emit,
  ) {
    this.offsets = ref.outlets.map(() => 0);
    this.wraps = ref.outlets.map(() => false);
  }

  /** The registers to publish at `ts`, given the true samples and the register faults due now. */
  apply(ts: number, outlets: readonly OutletSample[], due: readonly PlannedFault[]): OutletSample[] {
    if (this.lastClean === undefined) this.arm(ts, outlets);
    const values = outlets.map((o, i) => this.shown(o.energyWh, i));
    this.settlePending(ts, outlets, values);
    this.detectWraps(ts, outlets, values);
    for (const fault of due) this.start(fault, ts, outlets, values);
    this.lastClean = outlets.map((o) => o.energyWh);
    this.lastPublished = values;
    this.lastTs = ts;
    if (values.every((v, i) => v === outlets[i]?.energyWh)) return outlets as OutletSample[];
    return outlets.map((o, i) => (values[i] === o.energyWh ? o : { ...o, energyWh: values[i] as number }));
  }

  /** The run ended: glitches and spikes still waiting for their next reading, rollovers that never wrapped. */
  flush(): void {
    for (const p of this.pending) this.emitOneReading(p, undefined, undefined, false);
    this.pending = [];
    for (const { fault, index } of this.watching) {
      this.emit({
        ...this.base(fault, index, fault.at),
        server_branch: 'rollover',
        wrap_wh: REGISTER_WRAP_WH,
        complete: false,
        note: `the 32-bit register had not wrapped when the run ended (it reads ${this.lastPublished?.[index]} Wh): nothing to count differently`,
      });
    }
    this.watching = [];
  }

  private shown(clean: number, i: number): number {
    const v = clean - (this.offsets[i] as number);
    return this.wraps[i] ? mod(v, REGISTER_WRAP_WH) : v;
  }

  /** First tick: each rollover outlet starts close enough to 2^32 to wrap at its planned time. */
  private arm(ts: number, outlets: readonly OutletSample[]): void {
    // Every outlet a register fault is planned on, so that a rollover that moves does not land on one of them.
    const taken = new Set(this.planned.map((f) => this.indexOf(f)));
    for (const fault of this.planned.filter((f) => f.kind === 'rollover')) {
      taken.delete(this.indexOf(fault));
      const index = this.drawingOutlet(this.indexOf(fault), outlets, taken);
      taken.add(index);
      fault.outlet = this.ref.outlets[index]?.outlet;
      const powerDw = outlets[index]?.powerDw || FALLBACK_POWER_DW;
      const headroom = Math.max(1, Math.floor((AIM * powerDw * Math.max(0, fault.at - ts)) / DW_MS_PER_WH));
      this.offsets[index] = (outlets[index]?.energyWh ?? 0) - (REGISTER_WRAP_WH - headroom);
      this.wraps[index] = true;
      this.watching.push({ fault, index });
    }
  }

  /** The planned outlet, or the next one drawing power (a rig that is off would not wrap when planned). */
  private drawingOutlet(planned: number, outlets: readonly OutletSample[], taken: ReadonlySet<number>): number {
    for (let k = 0; k < outlets.length; k++) {
      const i = (planned + k) % outlets.length;
      if ((outlets[i]?.powerDw ?? 0) > 0 && !taken.has(i)) return i;
    }
    return planned;
  }

  private settlePending(ts: number, outlets: readonly OutletSample[], values: readonly number[]): void {
    for (const p of this.pending) this.emitOneReading(p, ts, { value: values[p.index] as number, clean: outlets[p.index]?.energyWh as number }, true);
    this.pending = [];
  }

  private detectWraps(ts: number, outlets: readonly OutletSample[], values: readonly number[]): void {
    if (this.lastClean === undefined) return;
    this.watching = this.watching.filter(({ fault, index }) => {
      const clean = outlets[index]?.energyWh as number;
      const before = this.lastClean?.[index] as number;
      const offset = this.offsets[index] as number;
      if (Math.floor((clean - offset) / REGISTER_WRAP_WH) === Math.floor((before - offset) / REGISTER_WRAP_WH)) return true;
      const published = values[index] as number;
      const lastPublished = this.lastPublished?.[index] as number;
      this.emit({
        ...this.base(fault, index, ts),
        from_ts: this.lastTs as number,
        to_ts: ts,
        register_before: lastPublished,
        register_fault: published,
        counted_wh: clean - before,
        server_branch: 'rollover',
        wrap_wh: REGISTER_WRAP_WH,
        counted_without_wrap_wh: published,
        complete: true,
        note: `32-bit register wrapped (planned for ${iso(fault.at)}): (2^32 − ${lastPublished}) + ${published} = ${clean - before} Wh; a server that does not know the width (registerWrapWh) takes it for a reset and counts ${published} Wh, ${clean - before - published} Wh short`,
      });
      return false;
    });
  }

  private start(fault: PlannedFault, ts: number, outlets: readonly OutletSample[], values: number[]): void {
    const index = this.indexOf(fault);
    const before = this.lastPublished?.[index];
    const cleanBefore = this.lastClean?.[index];
    if (fault.kind === 'reset') {
      // Counting from 0 since the previous reading: what it shows is the true delta since then.
      this.offsets[index] = cleanBefore ?? (outlets[index]?.energyWh as number);
      values[index] = this.shown(outlets[index]?.energyWh as number, index);
      this.emit({
        ...this.base(fault, index, ts),
        ...(this.lastTs !== undefined && { from_ts: this.lastTs }),
        to_ts: ts,
        ...(before !== undefined && { register_before: before }),
        register_fault: values[index],
        counted_wh: values[index],
        server_branch: 'reset',
        complete: true,
        note: `register restarted from 0 after ${before} Wh and counts on from ${values[index]} Wh; the server counts the new value (energy since the restart) once 2 readings stay down and count`,
      });
    } else if (fault.kind === 'glitch' || fault.kind === 'spike') {
      values[index] = fault.kind === 'glitch' ? 0 : (values[index] as number) + (fault.spikeWh ?? 0);
      this.pending.push({ fault, index, fromTs: this.lastTs, before, cleanBefore, value: values[index], at: ts });
    }
  }

  private emitOneReading(p: Pending, ts: number | undefined, after: { value: number; clean: number } | undefined, complete: boolean): void {
    const counted = after === undefined || p.cleanBefore === undefined ? undefined : after.clean - p.cleanBefore;
    const what = p.fault.kind === 'glitch' ? 'one reading of 0' : `one reading ${p.fault.spikeWh} Wh too high`;
    this.emit({
      ...this.base(p.fault, p.index, p.at),
      ...(p.fromTs !== undefined && { from_ts: p.fromTs }),
      ...(ts !== undefined && { to_ts: ts }),
      ...(p.before !== undefined && { register_before: p.before }),
      register_fault: p.value,
      ...(after !== undefined && { register_after: after.value }),
      ...(counted !== undefined && { counted_wh: counted }),
      server_branch: p.fault.kind === 'glitch' ? 'glitch (dip)' : 'glitch (spike)',
      complete,
      note: (complete
        ? `${what}, then back in line: the server ignores it and counts ${after?.value} − ${p.before} = ${counted} Wh across it`
        : `${what}; the run ended before the next reading (the server cannot confirm it)`) + this.longIntervalCaveat(p),
    });
  }

  /** Over an interval longer than the server's gap limit only the outlet's rating can show a spike (docs/energy.md). */
  private longIntervalCaveat(p: Pending): string {
    if (p.fault.kind !== 'spike' || p.fromTs === undefined || p.at - p.fromTs <= SERVER_MAX_GAP_MS) return '';
    return `. The interval is longer than the server's ${SERVER_MAX_GAP_MS / 1000} s gap limit: it rejects the spike only if it knows the outlet's rating (maxPowerW)`;
  }

  private base(fault: PlannedFault, index: number, at: number): Pick<FaultEvent, 'fault' | 'at' | 'site' | 'pdu' | 'topic' | 'outlet' | 'rig'> {
    const o = this.ref.outlets[index];
    return { fault: fault.kind, at, site: this.ref.site, pdu: this.ref.pdu, topic: this.ref.topic, outlet: o?.outlet as number, rig: o?.rig as string };
  }

  private indexOf(fault: PlannedFault): number {
    const index = this.ref.outlets.findIndex((o) => o.outlet === fault.outlet);
    if (index < 0) throw new RangeError(`${fault.kind} fault: ${this.ref.site}/${this.ref.pdu} has no outlet ${fault.outlet}`);
    return index;
  }
}

function mod(value: number, m: number): number {
  return ((value % m) + m) % m;
}

export function iso(ts: number): string {
  return new Date(ts).toISOString();
}
