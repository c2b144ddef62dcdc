/**
 * Where and when faults happen: a seeded plan, a pure function of the fleet's PDUs, the request, the tick grid
 * and the seed. The same inputs give the same plan; the run's start time only shifts it.
 *
 * Faults are dealt round-robin to the PDUs in a seeded order, so with at least as many PDUs as faults each has a
 * PDU to itself. Faults sharing a PDU get consecutive, non-overlapping slots of the window, so every fault plays
 * out (the readings it needs after it included) before the next one on that PDU starts, and each keeps a truth
 * of its own. `clock-skew` lasts to the end of the run, so it takes its PDU's last slot.
 */
import { streamFor, type Random } from '../prng.js';
import { FAULT_DEFAULTS, REGISTER_FAULTS, type FaultKind, type FaultRequest, type PlannedFault } from './types.js';

export interface FaultTarget {
  site: string;
  pdu: string;
  /** The outlet numbers in use on this PDU. */
  outlets: readonly number[];
}

/** The run's tick grid: ticks at from, from + intervalMs, … before `to`. */
export interface PlanWindow {
  from: number;
  to: number;
  intervalMs: number;
}

/** The server compares a fault with readings before it: the first ticks of a run stay clean, … */
export const LEAD_TICKS = 2;
/** … and so do the last ones, so that a fault at the end is still confirmed (a reset needs 2 readings after it). */
export const TAIL_TICKS = 3;
/** A register fault takes its tick and the two after it: the return (glitch, spike) or the confirmations (reset). */
const REGISTER_AFTER_TICKS = 2;

export function tickCount(window: PlanWindow): number {
  return Math.max(0, Math.ceil((window.to - window.from) / window.intervalMs));
}

/** Throws a RangeError when the window is too short for the faults asked. */
export function planFaults(targets: readonly FaultTarget[], request: FaultRequest, window: PlanWindow, seed: number): PlannedFault[] {
  if (targets.length === 0) throw new RangeError('no PDU to put faults on');
  const rand = streamFor(seed, 'faults/plan');
  const faults = shuffle(rand, faultList(request, window));
  const order = shuffle(rand, targets.map((_, i) => i));
  const perPdu = deal(faults, order, targets);
  const usable = tickCount(window) - LEAD_TICKS - TAIL_TICKS;
  const planned: PlannedFault[] = [];
  for (const [index, kinds] of [...perPdu].sort((a, b) => a[0] - b[0])) {
    const target = targets[index] as FaultTarget;
    // A skewed clock stays skewed: nothing may follow it on its PDU.
    const ordered = [...kinds.filter((k) => k !== 'clock-skew'), ...kinds.filter((k) => k === 'clock-skew')];
    const slot = Math.floor(usable / ordered.length);
    const needed = Math.max(...ordered.map((k) => minTicks(k)));
    if (slot < needed) throw tooShort(window, ordered.length, needed);
    const pick = outletPicker(shuffle(rand, [...target.outlets]));
    ordered.forEach((kind, s) => {
      const span = spanTicks(kind, request, window.intervalMs, slot);
      const offset = Math.floor(rand() * (slot - span.needed + 1));
      const at = window.from + (LEAD_TICKS + s * slot + offset) * window.intervalMs;
      const fault: PlannedFault = { kind, at, site: target.site, pdu: target.pdu };
      if (REGISTER_FAULTS.has(kind)) fault.outlet = pick(kind);
      if (span.withheld > 0) fault.until = at + span.withheld * window.intervalMs;
      if (kind === 'clock-skew') fault.skewMs = request.skewMs ?? FAULT_DEFAULTS.skewMs;
      if (kind === 'spike') fault.spikeWh = request.spikeWh ?? FAULT_DEFAULTS.spikeWh;
      planned.push(fault);
    });
  }
  return planned.sort((a, b) => a.at - b.at || a.site.localeCompare(b.site) || a.pdu.localeCompare(b.pdu));
}

/**
 * Fault j goes to the j-th PDU of the seeded order, round-robin. A 32-bit register is what a device is for the
 * whole run, so an outlet takes one rollover at most: a rollover goes on to the next PDU with an outlet left.
 */
function deal(faults: readonly FaultKind[], order: readonly number[], targets: readonly FaultTarget[]): Map<number, FaultKind[]> {
  const perPdu = new Map<number, FaultKind[]>();
  const rollovers = new Map<number, number>();
  faults.forEach((kind, j) => {
    let k = j;
    const fits = (pdu: number): boolean => (rollovers.get(pdu) ?? 0) < (targets[pdu]?.outlets.length ?? 0);
    if (kind === 'rollover') {
      while (k < j + order.length && !fits(order[k % order.length] as number)) k++;
      if (k === j + order.length) throw new RangeError(`more rollovers than outlets: the fleet has ${targets.reduce((n, t) => n + t.outlets.length, 0)}`);
    }
    const pdu = order[k % order.length] as number;
    if (kind === 'rollover') rollovers.set(pdu, (rollovers.get(pdu) ?? 0) + 1);
    perPdu.set(pdu, [...(perPdu.get(pdu) ?? []), kind]);
  });
  return perPdu;
}

/** Outlets in the seeded order: an untouched one first; a rollover never shares its outlet with another rollover. */
function outletPicker(outlets: readonly number[]): (kind: FaultKind) => number {
  const used = new Set<number>();
  const wrapped = new Set<number>();
  let next = 0;
  return (kind) => {
    const outlet = outlets.find((o) => !used.has(o)) ?? outlets.find((o) => !wrapped.has(o)) ?? (outlets[next++ % outlets.length] as number);
    used.add(outlet);
    if (kind === 'rollover') wrapped.add(outlet);
    return outlet;
  };
}

/** Every kind asked, as many times as the rate says (once without one), in FAULT_KINDS order before shuffling. */
function faultList(request: FaultRequest, window: PlanWindow): FaultKind[] {
  const hours = (window.to - window.from) / 3_600_000;
  const each = request.ratePerHour === undefined ? 1 : Math.max(1, Math.round(request.ratePerHour * hours));
  return request.kinds.flatMap((kind) => Array.from({ length: each }, () => kind));
}

function minTicks(kind: FaultKind): number {
  if (REGISTER_FAULTS.has(kind)) return 1 + REGISTER_AFTER_TICKS;
  if (kind === 'gap' || kind === 'late' || kind === 'reorder') return 2;
  return 1;
}

/** Ticks withheld (gap, late: as asked, shortened to fit the slot) and ticks the fault needs in all. */
function spanTicks(kind: FaultKind, request: FaultRequest, intervalMs: number, slot: number): { withheld: number; needed: number } {
  if (kind !== 'gap' && kind !== 'late') return { withheld: 0, needed: minTicks(kind) };
  const ms = kind === 'gap' ? (request.gapMs ?? FAULT_DEFAULTS.gapMs) : (request.lateMs ?? FAULT_DEFAULTS.lateMs);
  // One tick after the span: the device's first reading again (gap) or the flush (late), inside the slot.
  const withheld = Math.max(1, Math.min(Math.ceil(ms / intervalMs), slot - 1));
  return { withheld, needed: withheld + 1 };
}

function tooShort(window: PlanWindow, faults: number, needed: number): RangeError {
  const ticks = tickCount(window);
  return new RangeError(
    `the run has ${ticks} ticks: too few for ${faults === 1 ? '1 fault' : `${faults} faults`} on one PDU (each needs ${needed} ticks, and the first ` +
      `${LEAD_TICKS} and last ${TAIL_TICKS} ticks stay clean); make the run longer, the interval shorter, ` +
      'the fleet larger or the fault list shorter',
  );
}

function shuffle<T>(rand: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}
