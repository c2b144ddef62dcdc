/**
 * Capacity maths for PDUs, breaker banks, phases and sites. Pure: numbers in, checks out.
 *
 * - NEC 210.20(A) / 215.3: a continuous load (ASIC miners run 24/7) may use `continuous_load_pct` (80 %) of a
 *   breaker's rating; the site's fleet entry sets the percentage (pdu-facts.md §1).
 * - A bank's current is the sum of its outlets' currents (one circuit, loads in phase).
 * - A 3-phase PDU's line currents are phasor sums: a line-to-line load on L1-L2 draws I∠30° out of L1 and
 *   back through L2, so line L1 carries |I₁₂ − I₃₁| (pdu-facts.md §2). The kVA formula assumes balance and
 *   under-reports imbalance, so every line is checked against the PDU rating, not only the total.
 * - Currents come from the outlets' `current_a` where reported, else power / (voltage × pf): the outlet's own
 *   voltage when reported, else the nominal one for its wiring (line-to-line, or line-to-neutral = V/√3),
 *   pf 1 when not reported. Every check says which (`source`).
 */
import type { CapacityCheck, CapacityLevel, CurrentSource } from './contract.js';

/** Amber from 80 % of the continuous limit; red above the limit itself. */
export const WARN_AT = 0.8;
export const OVER_AT = 1;

const SQRT3 = Math.sqrt(3);

export interface OutletElectrical {
  outlet: number;
  power_w: number;
  voltage_v: number | null;
  current_a: number | null;
  pf: number | null;
}

export interface BreakerSpec {
  id: string;
  rating_a: number;
  outlets: readonly number[];
  phase?: string | undefined;
}

export interface PduSpec {
  rating_a: number;
  /** Line-to-line for a 3-phase PDU. */
  voltage_v: number;
  phases: 1 | 3;
  breakers: readonly BreakerSpec[];
}

/** Lines are 0, 1, 2 (L1, L2, L3). A load sits across two lines, or between one line and neutral. */
export type PhaseRef = { kind: 'pair'; from: number; to: number } | { kind: 'line'; line: number };

export function level(utilisation: number | null): CapacityLevel {
  if (utilisation === null || !Number.isFinite(utilisation)) return 'unknown';
  if (utilisation > OVER_AT) return 'over';
  return utilisation >= WARN_AT ? 'warn' : 'ok';
}

/** "L1-L2", "L2-L3", "L3-L1", "L1", "A-B", "B", "L1L2" … ; null for anything else. */
export function parsePhase(text: string | undefined): PhaseRef | null {
  if (text === undefined) return null;
  const m = /^\s*(?:L?([123])|([ABC]))\s*(?:-?\s*(?:L?([123])|([ABC])))?\s*$/i.exec(text);
  if (!m) return null;
  const line = (digit: string | undefined, letter: string | undefined): number | null =>
    digit !== undefined ? Number(digit) - 1 : letter !== undefined ? letter.toUpperCase().charCodeAt(0) - 65 : null;
  const a = line(m[1], m[2]);
  const b = line(m[3], m[4]);
  if (a === null) return null;
  if (b === null) return { kind: 'line', line: a };
  return a === b ? null : { kind: 'pair', from: a, to: b };
}

/** The current an outlet draws, and whether it was measured or computed from power. */
export function outletCurrent(o: OutletElectrical, nominalV: number): { amps: number; source: 'measured' | 'computed' } {
  if (o.current_a !== null) return { amps: o.current_a, source: 'measured' };
  const volts = o.voltage_v !== null && o.voltage_v > 0 ? o.voltage_v : nominalV;
  const pf = o.pf !== null && o.pf > 0 ? o.pf : 1;
  return { amps: volts > 0 ? o.power_w / (volts * pf) : 0, source: 'computed' };
}

/** Line voltages at 0°, −120°, +120° (unit phasors); a pair's voltage is their difference. */
const LINES = [0, -120, 120].map((deg) => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)] as const);

function angleOf(p: PhaseRef): number {
  if (p.kind === 'line') return Math.atan2(LINES[p.line]![1], LINES[p.line]![0]);
  const [ax, ay] = LINES[p.from]!;
  const [bx, by] = LINES[p.to]!;
  return Math.atan2(ay - by, ax - bx);
}

/**
 * Line currents (A) of a 3-phase supply from its loads, each in phase with its own voltage (pf ≈ 1, as ASIC
 * PSUs with active PFC are): a pair load adds I∠θ to its first line and −I∠θ to its second.
 */
export function lineCurrents(loads: readonly { phase: PhaseRef; amps: number }[]): [number, number, number] {
  const re = [0, 0, 0];
  const im = [0, 0, 0];
  for (const { phase, amps } of loads) {
    const theta = angleOf(phase);
    const x = amps * Math.cos(theta);
    const y = amps * Math.sin(theta);
    const into = phase.kind === 'line' ? phase.line : phase.from;
    re[into]! += x;
    im[into]! += y;
    if (phase.kind === 'pair') {
      re[phase.to]! -= x;
      im[phase.to]! -= y;
    }
  }
  return [0, 1, 2].map((i) => Math.hypot(re[i]!, im[i]!)) as [number, number, number];
}

function sourceOf(measured: number, computed: number): CurrentSource {
  if (measured > 0 && computed > 0) return 'mixed';
  if (measured > 0) return 'measured';
  return computed > 0 ? 'computed' : 'none';
}

function check(id: string, kind: CapacityCheck['kind'], label: string, unit: CapacityCheck['unit'], load: number | null, rating: number, limit: number, source: CurrentSource): CapacityCheck {
  const utilisation = load === null || limit <= 0 ? null : load / limit;
  return { id, kind, label, unit, load, rating, limit, utilisation, level: level(utilisation), source };
}

/** Tallies currents of a set of outlets (amps, VA, and how many were measured vs computed). */
class Tally {
  amps = 0;
  va = 0;
  measured = 0;
  computed = 0;
  add(amps: number, source: 'measured' | 'computed', volts: number): void {
    this.amps += amps;
    this.va += amps * volts;
    if (source === 'measured') this.measured += 1;
    else this.computed += 1;
  }
  get source(): CurrentSource {
    return sourceOf(this.measured, this.computed);
  }
  get load(): number | null {
    return this.measured + this.computed > 0 ? this.amps : null;
  }
}

/**
 * Every check of one PDU from its fresh outlets: each breaker bank, each line (3-phase) and the whole PDU
 * (1-phase: its current; 3-phase: its apparent power against √3 · V · I). Outlets outside every phased bank
 * of a 3-phase PDU are taken as spread evenly over the three pairs (the balanced assumption of the kVA
 * formula: the best that can be said without knowing their wiring).
 */
export function pduChecks(idPrefix: string, pdu: PduSpec, outlets: readonly OutletElectrical[], continuousPct: number): CapacityCheck[] {
  const share = continuousPct / 100;
  const { phaseOf, banks } = layoutOf(idPrefix, pdu);
  const nominal = (n: number): number => (phaseOf.get(n)?.kind === 'line' ? pdu.voltage_v / SQRT3 : pdu.voltage_v);
  const byOutlet = new Map<number, { amps: number; source: 'measured' | 'computed'; volts: number }>();
  const total = new Tally();
  for (const o of outlets) {
    const volts = o.voltage_v !== null && o.voltage_v > 0 ? o.voltage_v : nominal(o.outlet);
    const c = outletCurrent(o, volts);
    byOutlet.set(o.outlet, { amps: c.amps, source: c.source, volts });
    total.add(c.amps, c.source, volts);
  }
  const checks: CapacityCheck[] = [];
  if (pdu.phases === 3) {
    const kva = (SQRT3 * pdu.voltage_v * pdu.rating_a) / 1000;
    checks.push(check(`${idPrefix}#total`, 'pdu', 'PDU total', 'kVA', total.load === null ? null : total.va / 1000, kva, kva * share, total.source));
    checks.push(...lineChecks(idPrefix, pdu, byOutlet, phaseOf, share, total.source));
  } else {
    checks.push(check(`${idPrefix}#total`, 'pdu', 'PDU total', 'A', total.load, pdu.rating_a, pdu.rating_a * share, total.source));
  }
  for (const b of banks) {
    const t = new Tally();
    for (const n of b.spec.outlets) {
      const c = byOutlet.get(n);
      if (c) t.add(c.amps, c.source, c.volts);
    }
    checks.push(check(b.id, 'bank', b.label, 'A', t.load, b.spec.rating_a, b.spec.rating_a * share, t.source));
  }
  return checks;
}

interface Layout {
  prefix: string;
  phaseOf: Map<number, PhaseRef>;
  banks: { spec: BreakerSpec; id: string; label: string }[];
}

/** What does not change between ticks (the wiring, ids, labels), worked out once per PDU spec. */
const layouts = new WeakMap<PduSpec, Layout>();

function layoutOf(prefix: string, pdu: PduSpec): Layout {
  const cached = layouts.get(pdu);
  if (cached?.prefix === prefix) return cached;
  const phaseOf = new Map<number, PhaseRef>();
  for (const b of pdu.breakers) {
    const p = pdu.phases === 3 ? parsePhase(b.phase) : null;
    if (p) for (const n of b.outlets) phaseOf.set(n, p);
  }
  const banks = pdu.breakers.map((spec) => ({ spec, id: `${prefix}#bank/${spec.id}`, label: spec.phase ? `${spec.id} (${spec.phase})` : spec.id }));
  const layout = { prefix, phaseOf, banks };
  layouts.set(pdu, layout);
  return layout;
}

function lineChecks(
  idPrefix: string,
  pdu: PduSpec,
  byOutlet: ReadonlyMap<number, { amps: number; source: 'measured' | 'computed' }>,
  phaseOf: ReadonlyMap<number, PhaseRef>,
  share: number,
  source: CurrentSource,
): CapacityCheck[] {
  const loads: { phase: PhaseRef; amps: number }[] = [];
  let unplaced = 0;
  for (const [n, c] of byOutlet) {
    const p = phaseOf.get(n);
    if (p) loads.push({ phase: p, amps: c.amps });
    else unplaced += c.amps;
  }
  if (unplaced > 0) {
    for (const [from, to] of [[0, 1], [1, 2], [2, 0]] as const) loads.push({ phase: { kind: 'pair', from, to }, amps: unplaced / 3 });
  }
  const lines = lineCurrents(loads);
  const known = byOutlet.size > 0;
  return lines.map((amps, i) => check(`${idPrefix}#line/L${i + 1}`, 'phase', `L${i + 1}`, 'A', known ? amps : null, pdu.rating_a, pdu.rating_a * share, source));
}

/** A site's load (facility meter when it reports, else the IT load) against its contracted capacity_kw. */
export function siteCheck(idPrefix: string, loadW: number | null, capacityKw: number, label = 'site'): CapacityCheck {
  return check(`${idPrefix}#capacity`, 'site', label, 'kW', loadW === null ? null : loadW / 1000, capacityKw, capacityKw, 'none');
}

/** The worst (highest) utilisation among checks, with its level; unknown when none is known. */
export function worst(checks: Iterable<CapacityCheck>): { utilisation: number | null; level: CapacityLevel } {
  let u: number | null = null;
  for (const c of checks) if (c.utilisation !== null && (u === null || c.utilisation > u)) u = c.utilisation;
  return { utilisation: u, level: level(u) };
}
