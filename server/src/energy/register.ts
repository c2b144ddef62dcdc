/**
 * Energy from a lifetime register, one explicit branch at a time (after Home Assistant's utility_meter
 * `calculate_adjustment`). Every delta that is not simply `next − previous` is reported with its reason.
 * See docs/energy.md for each rule with a worked example, and test/fixtures/energy/ for the cases.
 *
 *   normal    next ≥ previous and plausible            → count next − previous
 *   rollover  next < previous, width known, wrap plausible → count (width − previous) + next
 *   drop      next < previous otherwise               → hold it: a reset or a glitch, decided by what follows
 *     glitch    the register comes back to the old level plausibly before the drop is confirmed
 *               → the low reading(s) are ignored; count (back − previous) across them
 *     recovery  it comes back after the drop persisted (a device that read 0 while restarting)
 *               → same: the jump from 0 to the lifetime total is never consumption
 *     reset     it stays down for `resetConfirmations` readings and counts on
 *               → count the new value (energy since the restart) if it could be that, then count on
 *   jump      next − previous implausibly large       → hold it: a spike or a glitch
 *     glitch    the next reading is back in line with the old level → ignore the high one
 *     spike     the new level persists (or the data ends) → reject the delta, take that interval
 *               from integrated power; a jump back to the level before a reset is a recovery
 */
import { mwhToWh } from './exact.js';
import type { Adjustment, AdjustmentKind, SeriesOptions } from './types.js';

/** A register reading in integer units: `mwh` is the register, `mw` the power reported with it. */
export interface RegisterPoint {
  ts: number;
  mwh: number;
  mw: number;
}

export interface RegisterContext {
  options: SeriesOptions;
  /** Counts `mwh` from the register over [a.ts, b.ts]. */
  register(a: RegisterPoint, b: RegisterPoint, mwh: number): void;
  /** Counts [from, to] from integrated power instead (never across a gap); returns the mWh counted. */
  integrate(from: number, to: number): number;
  adjust(a: Adjustment): void;
}

/** Walks one series' register readings (sorted by ts, one per ts) and reports everything to `ctx`. */
export function walkRegister(points: Iterable<RegisterPoint>, ctx: RegisterContext): void {
  const walker = new RegisterWalker(ctx);
  for (const p of points) walker.next(p);
  walker.finish();
}

class RegisterWalker {
  private base: RegisterPoint | null = null;
  /** Readings after `base` that are not yet explained: a drop (reset or glitch) or a jump (spike or glitch). */
  private held: RegisterPoint[] = [];
  private heldKind: 'drop' | 'jump' = 'drop';
  /** The register before the last reset: a jump back up to it is a restored total, not consumption. */
  private levelBeforeReset: number | null = null;
  private readonly o: SeriesOptions;

  constructor(private readonly ctx: RegisterContext) {
    this.o = ctx.options;
  }

  next(p: RegisterPoint): void {
    if (this.base === null) this.base = p;
    else if (this.held.length === 0) this.step(this.base, p);
    else if (this.heldKind === 'drop') this.afterDrop(this.base, p);
    else this.afterJump(this.base, p);
  }

  finish(): void {
    if (this.held.length === 0 || this.base === null) return;
    if (this.heldKind === 'jump') this.commitJump(this.base, ' The data ended before it could be confirmed; rejected all the same.');
    else if (this.held.length >= this.o.resetConfirmations) this.commitReset(this.base);
    else this.unconfirmedDropAtEnd(this.base);
  }

  private step(base: RegisterPoint, p: RegisterPoint): void {
    const delta = p.mwh - base.mwh;
    if (delta >= 0 && this.plausible(base, p, delta)) {
      this.ctx.register(base, p, delta);
      this.base = p;
      return;
    }
    const wrap = this.o.registerWrapWh === undefined ? undefined : this.o.registerWrapWh * 1000;
    if (delta < 0 && wrap !== undefined && this.plausible(base, p, delta + wrap)) {
      this.rollover(base, p, delta + wrap, wrap);
      return;
    }
    this.held = [p];
    this.heldKind = delta < 0 ? 'drop' : 'jump';
  }

  private rollover(base: RegisterPoint, p: RegisterPoint, counted: number, wrap: number): void {
    this.ctx.register(base, p, counted);
    this.adjust('rollover', base, p, counted, 'register',
      `register went from ${wh(base.mwh)} to ${wh(p.mwh)} Wh; with a ${wh(wrap)} Wh register that is a wrap: counted (${wh(wrap)} − ${wh(base.mwh)}) + ${wh(p.mwh)} = ${wh(counted)} Wh.`);
    this.base = p;
  }

  private afterDrop(pre: RegisterPoint, p: RegisterPoint): void {
    const last = this.held[this.held.length - 1]!;
    if (p.mwh >= pre.mwh && this.plausible(pre, p, p.mwh - pre.mwh)) {
      this.returned(pre, p, this.held.length >= this.o.resetConfirmations ? 'recovery' : 'glitch');
    } else if (p.mwh >= last.mwh && this.plausible(last, p, p.mwh - last.mwh)) {
      this.held.push(p);
      // Flat readings at the new level could still be a device reading 0 while it restarts: wait until it counts.
      if (this.held.length >= this.o.resetConfirmations && p.mwh > last.mwh) this.commitReset(pre);
    } else {
      this.unsettled(pre, p);
    }
  }

  private afterJump(pre: RegisterPoint, p: RegisterPoint): void {
    const last = this.held[this.held.length - 1]!;
    if (p.mwh >= pre.mwh && this.plausible(pre, p, p.mwh - pre.mwh)) {
      this.returned(pre, p, 'glitch');
    } else if (p.mwh >= last.mwh && this.plausible(last, p, p.mwh - last.mwh)) {
      this.held.push(p);
      if (this.held.length >= this.o.resetConfirmations) this.commitJump(pre, '');
    } else {
      this.unsettled(pre, p);
    }
  }

  /** `p` fits neither the old level nor the held run: settle what is held, then take `p` afresh. */
  private unsettled(pre: RegisterPoint, p: RegisterPoint): void {
    if (this.held.length >= this.o.resetConfirmations) {
      if (this.heldKind === 'drop') this.commitReset(pre);
      else this.commitJump(pre, '');
    } else {
      const last = this.held[this.held.length - 1]!;
      this.adjust('glitch', pre, last, 0, 'none',
        `register read ${this.heldList()} Wh after ${wh(pre.mwh)} Wh, then ${wh(p.mwh)} Wh: in line neither with the old level nor with itself; ignored.`);
      this.held = [];
    }
    this.step(this.base!, p);
  }

  /** The register came back to (at least) where it was before the held readings: count straight across them. */
  private returned(pre: RegisterPoint, p: RegisterPoint, kind: 'glitch' | 'recovery'): void {
    const counted = p.mwh - pre.mwh;
    this.ctx.register(pre, p, counted);
    const what = this.heldKind === 'jump' ? 'above what the device could have counted' : 'below the previous value';
    const why = kind === 'recovery'
      ? `stayed down for ${this.held.length} readings, then came back: the device reported a low value while restarting and kept its lifetime total. The return to the total is not consumption;`
      : `is a ${this.held.length}-reading ${this.heldKind === 'jump' ? 'spike' : 'dip'}, not a ${this.heldKind === 'jump' ? 'new level' : `reset (that needs ${this.o.resetConfirmations} readings that stay down)`};`;
    this.adjust(kind, pre, p, counted, 'register',
      `register read ${this.heldList()} Wh (${what}) between ${wh(pre.mwh)} and ${wh(p.mwh)} Wh: that ${why} counted ${wh(p.mwh)} − ${wh(pre.mwh)} = ${wh(counted)} Wh across it.`);
    this.base = p;
    this.held = [];
  }

  private commitReset(pre: RegisterPoint): void {
    const first = this.held[0]!;
    const n = this.held.length;
    let counted: number;
    let from: 'register' | 'integrated';
    let tail: string;
    if (this.plausible(pre, first, first.mwh)) {
      this.ctx.register(pre, first, first.mwh);
      counted = first.mwh;
      from = 'register';
      tail = `Its new value ${wh(first.mwh)} Wh is energy since the restart: counted; nothing is subtracted.`;
    } else {
      counted = this.ctx.integrate(pre.ts, first.ts);
      from = 'integrated';
      tail = `But ${wh(first.mwh)} Wh is more than it could have counted since the previous reading (${this.limitText(pre, first, first.mwh)}), so it did not restart from 0 (a replacement with its own history?). ${this.integratedText(pre, first, counted)}`;
    }
    this.adjust('reset', pre, first, counted, from, `register fell from ${wh(pre.mwh)} to ${wh(first.mwh)} Wh and stayed down for ${n} readings: the device restarted or was replaced. ${tail}`);
    this.countHeldRun();
    this.levelBeforeReset = pre.mwh;
  }

  private commitJump(pre: RegisterPoint, note: string): void {
    const first = this.held[0]!;
    const counted = this.ctx.integrate(pre.ts, first.ts);
    const recovery = this.levelBeforeReset !== null && first.mwh >= this.levelBeforeReset;
    const why = recovery
      ? ` It is back at or above the ${wh(this.levelBeforeReset!)} Wh the register read before its last reset: a restored lifetime total, not consumption.`
      : '';
    this.adjust(recovery ? 'recovery' : 'spike', pre, first, counted, 'integrated',
      `register rose from ${wh(pre.mwh)} to ${wh(first.mwh)} Wh: ${this.limitText(pre, first, first.mwh - pre.mwh)}.${why} Rejected. ${this.integratedText(pre, first, counted)}${note}`);
    if (recovery) this.levelBeforeReset = null;
    this.countHeldRun();
  }

  /** The held readings agree with each other: count their own deltas and make the last one the new base. */
  private countHeldRun(): void {
    for (let i = 1; i < this.held.length; i++) {
      const a = this.held[i - 1]!;
      const b = this.held[i]!;
      this.ctx.register(a, b, b.mwh - a.mwh);
    }
    this.base = this.held[this.held.length - 1]!;
    this.held = [];
  }

  private unconfirmedDropAtEnd(pre: RegisterPoint): void {
    const last = this.held[this.held.length - 1]!;
    const counted = this.ctx.integrate(pre.ts, last.ts);
    this.adjust('glitch', pre, last, counted, 'integrated',
      `register fell from ${wh(pre.mwh)} to ${this.heldList()} Wh in the last reading(s) of the data; a reset needs ${this.o.resetConfirmations} readings that stay down, so it is not confirmed. ${this.integratedText(pre, last, counted)}`);
    this.held = [];
  }

  /** Could the device have counted `mwh` between `a` and `b`? One register step is always allowed. */
  private plausible(a: RegisterPoint, b: RegisterPoint, mwh: number): boolean {
    return this.limit(a, b, mwh).ok;
  }

  private limit(a: RegisterPoint, b: RegisterPoint, mwh: number): { ok: boolean; avgW: number; limitW: number; by: string } {
    const dt = b.ts - a.ts;
    const excess = mwh - this.o.registerStepWh * 1000;
    const avgW = (mwh * 3600) / dt;
    if (excess <= 0) return { ok: true, avgW, limitW: Infinity, by: 'one register step' };
    const excessW = (excess * 3600) / dt; // mWh·3600/ms = W
    let limitW = this.o.maxPowerW ?? Infinity;
    let by = this.o.maxPowerW === undefined ? 'no limit' : `the ${this.o.maxPowerW} W rating`;
    if (dt <= this.o.maxGapMs) {
      const reported = (this.o.spikeFactor * Math.max(a.mw, b.mw)) / 1000;
      if (reported < limitW) {
        limitW = reported;
        by = `${this.o.spikeFactor} × the ${Math.max(a.mw, b.mw) / 1000} W reported around it`;
      }
    }
    return { ok: excessW <= limitW, avgW, limitW, by };
  }

  private limitText(a: RegisterPoint, b: RegisterPoint, mwh: number): string {
    const l = this.limit(a, b, mwh);
    return `${round(l.avgW)} W on average over ${(b.ts - a.ts) / 1000} s, above ${l.by} (plus one ${this.o.registerStepWh} Wh register step)`;
  }

  private integratedText(a: RegisterPoint, b: RegisterPoint, counted: number): string {
    const gap = b.ts - a.ts > this.o.maxGapMs ? ` (integration does not cross a gap over ${this.o.maxGapMs / 1000} s: that time counts as missing)` : '';
    return `The span is taken from integrated power: ${round3(counted / 1000)} Wh${gap}.`;
  }

  private heldList(): string {
    return this.held.map((h) => wh(h.mwh)).join(', ');
  }

  private adjust(kind: AdjustmentKind, a: RegisterPoint, b: RegisterPoint, counted: number, from: Adjustment['counted_from'], reason: string): void {
    this.ctx.adjust({ kind, from: a.ts, to: b.ts, register_from_wh: mwhToWh(a.mwh), register_to_wh: mwhToWh(b.mwh), counted_wh: round3(counted / 1000), counted_from: from, reason });
  }
}

function wh(mwh: number): string {
  return String(mwhToWh(mwh));
}

function round(x: number): number {
  return Math.round(x);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
