/**
 * A site's energy on its local 15-minute grid: the figures (rollup/figures.ts: exact energy, coverage,
 * hash-work) of each local clock quarter, for the IT load (Σ PDU outlets) and the facility meters. Everything the
 * comparison shows — TOU periods, days, months, hours, 15-minute demand — is a sum of these quarters, so it all
 * adds up to the same exact total. Pure: no I/O, no clock.
 *
 * Quarters are filled with pieces of UTC minutes (1-minute rollup buckets, or the minute accounting of raw
 * readings). Every offset in use today is a whole number of quarters, so a minute never straddles two quarters;
 * for a historic odd offset a minute goes to the quarter holding its start.
 */
import { MinuteAccounting, minutePieces, type AccountingInput } from '../rollup/accounting.js';
import { combine, emptyFigures, type Figures } from '../rollup/figures.js';
import { HALF_MW_MS_PER_MWH } from '../rollup/split.js';
import { localQuarters, wallMs } from '../energy/time.js';

export type Group = 'it' | 'meter';

export interface Quarter {
  /** The part of the local quarter inside the grid (the last one may end early, at now). */
  start: number;
  end: number;
  /** The quarter's full length, ms: 15 minutes (kW is energy over it, as a demand register does). */
  length: number;
  /** Local wall time of `start` (energy/time.ts): gives the local date, weekday and hour without Intl. */
  wall: number;
  it: Figures;
  meter: Figures;
}

export class QuarterGrid {
  readonly quarters: Quarter[];

  constructor(
    readonly from: number,
    readonly to: number,
    readonly tz: string,
  ) {
    this.quarters = localQuarters(from, to, tz).map((q) => ({
      start: Math.max(q.start, from),
      end: Math.min(q.end, to),
      length: q.end - q.start,
      wall: wallMs(q.start, tz) + (Math.max(q.start, from) - q.start),
      it: emptyFigures(),
      meter: emptyFigures(),
    }));
  }

  /** Index of the quarter holding `ts` (the first for earlier times, the last for later ones). */
  indexOf(ts: number): number {
    let lo = 0;
    let hi = this.quarters.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.quarters[mid]!.start <= ts) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Adds the figures of a piece of time starting at `ts` to the quarter holding it. */
  add(group: Group, ts: number, f: Readonly<Figures>): void {
    if (ts < this.from || ts >= this.to || this.quarters.length === 0) return;
    combine(this.quarters[this.indexOf(ts)]![group], f, 'time');
  }

  /** The quarters lying in [from, to) (by their start). */
  slice(from: number, to: number): Quarter[] {
    if (this.quarters.length === 0) return [];
    let i = this.indexOf(from);
    if (this.quarters[i]!.start < from) i += 1;
    const out: Quarter[] = [];
    for (; i < this.quarters.length && this.quarters[i]!.start < to; i++) out.push(this.quarters[i]!);
    return out;
  }

  /** Empties the quarters of [from, to), before they are filled again from raw readings. */
  clear(from: number, to: number): void {
    for (const q of this.slice(from, to)) {
      q.it = emptyFigures();
      q.meter = emptyFigures();
    }
  }

  /** The figures of [from, to) (quarter edges), both groups. */
  sum(from: number, to: number): { it: Figures; meter: Figures } {
    return sumQuarters(this.slice(from, to));
  }

  /** Fills [from, to) with the minute accounting of raw readings (the readings of its minutes and their context). */
  fillFromReadings(input: AccountingInput, from: number, to: number): void {
    const accounting = new MinuteAccounting(input);
    for (const piece of minutePieces(Math.max(from, this.from), Math.min(to, this.to))) {
      const meters = emptyFigures();
      for (const [group, f] of accounting.piece(piece)) {
        if (group === 'site/') this.add('it', piece.from, f);
        else if (group.startsWith('meter/')) combine(meters, f, 'series');
      }
      if (meters.series > 0) this.add('meter', piece.from, meters);
    }
  }
}

export function sumQuarters(quarters: readonly Quarter[]): { it: Figures; meter: Figures } {
  const it = emptyFigures();
  const meter = emptyFigures();
  for (const q of quarters) {
    combine(it, q.it, 'time');
    combine(meter, q.meter, 'time');
  }
  return { it, meter };
}

/** The exact energy of figures as one comparable value: whole mWh and the half-mW·ms remainder. */
export function sameEnergy(a: Readonly<Figures>, b: Readonly<Figures>): boolean {
  return a.register_mwh + a.integrated.whole === b.register_mwh + b.integrated.whole && a.integrated.frac === b.integrated.frac;
}

/** The exact energy in mWh as a float (for sums that are rounded once, at the end). */
export function exactMwh(f: Readonly<Figures>): number {
  return f.register_mwh + f.integrated.whole + f.integrated.frac / HALF_MW_MS_PER_MWH;
}
