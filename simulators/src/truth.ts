/**
 * The truth the server's energy accounting must reproduce: per outlet (and per facility meter) the **true
 * register delta** between the first and the last tick of a range — the integer Wh the device's register would
 * have shown without faults (energy.ts: floor of the exact integral). It is exactly what docs/energy.md counts
 * for clean data ("last − first") and what it must still count when every fault is handled as documented.
 *
 * Memory stays flat: two numbers per series, plus — only when asked (`stepMs`) — one snapshot per step boundary
 * so that ranges between boundaries can be asked for afterwards.
 */

export interface OutletRef {
  site: string;
  pdu: string;
  outlet: number;
  rig: string;
}

export interface OutletTruth extends OutletRef {
  /** True tick times of the first and last readings in the range. */
  from_ts: number;
  to_ts: number;
  /** True registers then (not necessarily what was published: a reset or a 32-bit register shows less). */
  first_wh: number;
  last_wh: number;
  /** last_wh − first_wh: what the server must count for this outlet. */
  wh: number;
  /** A 32-bit register (rollover fault): the server matches `wh` only with `registerWrapWh` = this. */
  register_wrap_wh?: number;
  /** The PDU's clock jumped in the range; what the server counts if it rejects the skewed readings. */
  skew_ms?: number;
  wh_before_skew?: number;
}

export interface SiteTruth {
  site: string;
  /** Σ outlets: the site's IT energy (/api/energy `kwh` × 1000). */
  wh: number;
  outlets: number;
  /** The facility meter's register delta (/api/energy `meter_kwh` × 1000). */
  meter_wh: number;
}

export interface FleetTruth {
  /** True times of the first and last ticks counted; null before the first tick. */
  from: number | null;
  to: number | null;
  wh: number;
  meter_wh: number;
  sites: SiteTruth[];
  outlets: OutletTruth[];
}

export interface TruthRange {
  from: number;
  to: number;
}

interface Checkpoint {
  /** The last tick before the boundary and the first at or after it, with every series' register. */
  beforeTs: number;
  before: Float64Array;
  afterTs: number;
  after: Float64Array;
}

/** Series 0..n−1 are the outlets (fleet order), then one facility meter per site. */
export class TruthLedger {
  private readonly first: Float64Array;
  private readonly last: Float64Array;
  private firstTs: number | undefined;
  private lastTs: number | undefined;
  private readonly checkpoints = new Map<number, Checkpoint>();
  private crossing: { boundaries: number[]; beforeTs: number; before: Float64Array } | undefined;

  constructor(
    private readonly outlets: readonly OutletRef[],
    private readonly sites: readonly string[],
    private readonly stepMs?: number,
  ) {
    if (stepMs !== undefined && !(Number.isSafeInteger(stepMs) && stepMs > 0)) throw new RangeError(`truthStepMs must be whole ms > 0, got ${stepMs}`);
    this.first = new Float64Array(outlets.length + sites.length);
    this.last = new Float64Array(outlets.length + sites.length);
  }

  meterSeries(siteIndex: number): number {
    return this.outlets.length + siteIndex;
  }

  /** Before the tick's registers are set: snapshots the previous tick if a step boundary lies in (last, ts]. */
  begin(ts: number): void {
    if (this.stepMs === undefined || this.lastTs === undefined) return;
    const boundaries: number[] = [];
    for (let b = (Math.floor(this.lastTs / this.stepMs) + 1) * this.stepMs; b <= ts; b += this.stepMs) boundaries.push(b);
    if (boundaries.length > 0) this.crossing = { boundaries, beforeTs: this.lastTs, before: this.last.slice() };
  }

  set(series: number, wh: number): void {
    this.last[series] = wh;
  }

  end(ts: number): void {
    if (this.firstTs === undefined) {
      this.first.set(this.last);
      this.firstTs = ts;
    }
    this.lastTs = ts;
    if (this.crossing === undefined) return;
    const { boundaries, beforeTs, before } = this.crossing;
    const checkpoint: Checkpoint = { beforeTs, before, afterTs: ts, after: this.last.slice() };
    for (const b of boundaries) this.checkpoints.set(b, checkpoint);
    this.crossing = undefined;
  }

  /**
   * The truth over the whole run so far, or over [from, to): from the first tick at or after `from` to the last
   * tick before `to`, as the server counts a range. Inside the run, `from` and `to` must be step boundaries.
   */
  truth(range?: TruthRange): FleetTruth {
    if (this.firstTs === undefined || this.lastTs === undefined) return emptyTruth(this.sites);
    if (range !== undefined && !(range.to > range.from)) throw new RangeError(`truth range must end after it starts, got [${range.from}, ${range.to})`);
    const start = range === undefined || range.from <= this.firstTs ? { ts: this.firstTs, wh: this.first } : this.at(range.from, 'after');
    const end = range === undefined || range.to > this.lastTs ? { ts: this.lastTs, wh: this.last } : this.at(range.to, 'before');
    if (start.ts > end.ts) return emptyTruth(this.sites);
    const outlets = this.outlets.map((ref, i): OutletTruth => {
      const first = start.wh[i] as number;
      const last = end.wh[i] as number;
      return { ...ref, from_ts: start.ts, to_ts: end.ts, first_wh: first, last_wh: last, wh: last - first };
    });
    const sites = this.sites.map((site, s): SiteTruth => {
      const meter = this.meterSeries(s);
      return { site, wh: 0, outlets: 0, meter_wh: (end.wh[meter] as number) - (start.wh[meter] as number) };
    });
    const bySite = new Map(sites.map((s) => [s.site, s]));
    for (const o of outlets) {
      const site = bySite.get(o.site) as SiteTruth;
      site.wh += o.wh;
      site.outlets += 1;
    }
    return { from: start.ts, to: end.ts, wh: sum(sites.map((s) => s.wh)), meter_wh: sum(sites.map((s) => s.meter_wh)), sites, outlets };
  }

  private at(boundary: number, side: 'before' | 'after'): { ts: number; wh: Float64Array } {
    const c = this.checkpoints.get(boundary);
    if (c === undefined) {
      const why = this.stepMs === undefined
        ? 'only the whole run is kept (set truthStepMs to ask for ranges)'
        : `ranges must start and end on multiples of ${this.stepMs} ms inside the run`;
      throw new RangeError(`no truth at ${new Date(boundary).toISOString()}: ${why}`);
    }
    return side === 'before' ? { ts: c.beforeTs, wh: c.before } : { ts: c.afterTs, wh: c.after };
  }
}

function emptyTruth(sites: readonly string[]): FleetTruth {
  return { from: null, to: null, wh: 0, meter_wh: 0, sites: sites.map((site) => ({ site, wh: 0, outlets: 0, meter_wh: 0 })), outlets: [] };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
