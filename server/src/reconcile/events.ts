/**
 * The gaps, resets, rejected spikes and other register adjustments of a range, itemized with their reasons.
 * Rollups hold only their counts, per bucket; the items come from re-reading raw readings — but only the hours
 * whose buckets count something (and whatever the plan reads raw anyway), so a clean month costs nothing and a
 * month with a few faults costs a few hours of raw readings.
 */
import { HOUR_MS } from '../rollup/accounting.js';
import type { Plan } from '../rollup/plan.js';
import type { RollupFields } from '../store/store.js';
import { floorHour } from '../rollup/ledger.js';
import { bucketRows, rawPieces, type CollectingSink, type GroupSource, type ItemizedAdjustment, type ItemizedGap } from './groups.js';

export interface ItemizeLimits {
  /** Most hours of raw readings read to itemize. */
  maxHours: number;
  /** Most items listed, of adjustments and of gaps each. */
  maxItems: number;
}

export const DEFAULT_ITEMIZE_LIMITS: ItemizeLimits = { maxHours: 48, maxItems: 500 };

export interface Itemized {
  adjustments: ItemizedAdjustment[];
  gaps: ItemizedGap[];
  /** Hours (within the rollup runs) whose buckets count an event, and how many of them were read raw to list them. */
  hours_with_events: number;
  hours_read: number;
  /** Every hour with events was read and nothing was cut: the lists hold every event the counts count. */
  complete: boolean;
}

export function eventCount(f: Readonly<Pick<RollupFields, 'resets' | 'rollovers' | 'spikes' | 'glitches' | 'recoveries' | 'gaps'>>): number {
  return f.resets + f.rollovers + f.spikes + f.glitches + f.recoveries + f.gaps;
}

/**
 * Lists each event of [from, to) in time order: those `sink` already heard (the parts the plan read raw, see
 * groupFigures), and those of the hours whose buckets count one, read raw now.
 */
export async function itemizeEvents(src: GroupSource, site: string, from: number, to: number, plan: Plan, sink: CollectingSink, limits: ItemizeLimits = DEFAULT_ITEMIZE_LIMITS): Promise<Itemized> {
  const hours = await eventHours(src, site, plan);
  const read = hours.slice(0, limits.maxHours);
  for (const span of read) await rawPieces(src, site, Math.max(from, span.from), Math.min(to, span.to), () => undefined, sink);
  const adjustments = sink.adjustments.sort((a, b) => a.to - b.to || cmp(a.series, b.series));
  const gaps = sink.gaps.sort((a, b) => a.end - b.end || cmp(a.series, b.series));
  return {
    adjustments: adjustments.slice(0, limits.maxItems),
    gaps: gaps.slice(0, limits.maxItems),
    hours_with_events: hours.length,
    hours_read: read.length,
    complete: read.length === hours.length && adjustments.length <= limits.maxItems && gaps.length <= limits.maxItems,
  };
}

/**
 * UTC hours whose PDU or meter buckets (in the plan's rollup runs) count an event. A 1-minute run can share its
 * hour with a raw run; reading the hour clipped to the rollup runs keeps each event listed once.
 */
async function eventHours(src: GroupSource, site: string, plan: Plan): Promise<Array<{ from: number; to: number }>> {
  const hours = new Set<number>();
  const rows = (await Promise.all([bucketRows(src, site, 'pdu', plan), bucketRows(src, site, 'meter', plan)])).flat();
  for (const row of rows) if (eventCount(row.fields) > 0) hours.add(floorHour(row.ts));
  const runs = [...plan.hours, ...plan.minutes];
  const spans: Array<{ from: number; to: number }> = [];
  for (const h of [...hours].sort((a, b) => a - b)) {
    for (const r of runs) {
      const a = Math.max(h, r.from);
      const b = Math.min(h + HOUR_MS, r.to);
      if (a < b) spans.push({ from: a, to: b });
    }
  }
  return spans.sort((x, y) => x.from - y.from);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
