import type { OpsPoint } from './contract.js';

/**
 * The last few minutes of power per node (facility, sites, racks, PDUs — not outlets), so a chart opened on
 * any level starts with a line instead of empty. One shared ring of tick times and a fixed array per node:
 * 300 points × 8 bytes per node, about 3 MB for a 10,000-rig fleet's 1,300 nodes. Bounded by construction.
 */
export class NodeHistory {
  private readonly times: Float64Array;
  private readonly series = new Map<string, Float64Array>();
  private head = 0;
  private count = 0;

  constructor(readonly capacity = 300) {
    this.times = new Float64Array(capacity);
  }

  /** One tick: each node's power; nodes missing from `values` get a gap at this time. */
  record(ts: number, values: Iterable<readonly [string, number]>): void {
    const slot = (this.head + this.count) % this.capacity;
    if (this.count < this.capacity) this.count += 1;
    else this.head = (this.head + 1) % this.capacity;
    this.times[slot] = ts;
    for (const arr of this.series.values()) arr[slot] = Number.NaN;
    for (const [id, value] of values) {
      let arr = this.series.get(id);
      if (!arr) this.series.set(id, (arr = new Float64Array(this.capacity).fill(Number.NaN)));
      arr[slot] = value;
    }
  }

  /** Oldest first, gaps left out. */
  points(id: string): OpsPoint[] {
    const arr = this.series.get(id);
    if (!arr) return [];
    const out: OpsPoint[] = [];
    for (let i = 0; i < this.count; i++) {
      const slot = (this.head + i) % this.capacity;
      const v = arr[slot]!;
      if (!Number.isNaN(v)) out.push({ ts: this.times[slot]!, power_w: v });
    }
    return out;
  }

  /** Drop nodes that left the drill-down (a fleet reload). */
  retain(keep: (id: string) => boolean): void {
    for (const id of this.series.keys()) if (!keep(id)) this.series.delete(id);
  }
}
