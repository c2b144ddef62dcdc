import type { DeviceStatus, OutletReading, Reading } from '../domain/reading.js';
import { countToday, LocalDays, seedToday, startToday, type TodayEnergy } from '../live/today.js';
import type { FirstRegister } from '../store/store.js';

/**
 * The latest electrical figures of every outlet (power, voltage, current, pf), each PDU's announced status
 * and each site's meters, kept from readings as they arrive. LiveState keeps power and rigs for the
 * overview; the operations page also needs the volts and amps behind them, per outlet.
 *
 * kWh today per outlet is counted as LiveState counts it (live/today.ts), so the sum over a site's outlets
 * equals its `site:frame`. Pure: the clock is passed in.
 */
export interface OutletLive extends TodayEnergy {
  site: string;
  pdu: string;
  outlet: number;
  rig: string | null;
  voltage_v: number | null;
  current_a: number | null;
  pf: number | null;
}

export interface PduStatus {
  online: boolean;
  /** When this process heard the status (server clock). */
  at: number;
}

export class OpsTelemetry {
  private readonly outlets = new Map<string, OutletLive>();
  private readonly statuses = new Map<string, PduStatus>();
  private readonly meters = new Map<string, Map<string, { power_w: number; ts: number }>>();
  private readonly days: LocalDays;
  /** Goes up whenever an outlet or a PDU is seen for the first time: the topology may need rebuilding. */
  version = 0;

  constructor(
    timeZoneOf: (site: string) => string = () => 'UTC',
    private readonly clock: () => number = Date.now,
  ) {
    this.days = new LocalDays(timeZoneOf);
  }

  observe(readings: readonly Reading[]): void {
    for (const r of readings) {
      if (r.kind === 'outlet') this.observeOutlet(r);
      else if (r.kind === 'meter') {
        let site = this.meters.get(r.site);
        if (!site) this.meters.set(r.site, (site = new Map()));
        const m = site.get(r.meter);
        if (!m || r.ts >= m.ts) site.set(r.meter, { power_w: r.power_w, ts: r.ts });
      }
    }
  }

  observeStatus(s: DeviceStatus): void {
    const key = `${s.site}/${s.pdu}`;
    if (!this.statuses.has(key)) this.version += 1;
    this.statuses.set(key, { online: s.online, at: this.clock() });
  }

  outlet(site: string, pdu: string, outlet: number): OutletLive | undefined {
    return this.outlets.get(`${site}/${pdu}/${outlet}`);
  }

  allOutlets(): IterableIterator<OutletLive> {
    return this.outlets.values();
  }

  status(site: string, pdu: string): PduStatus | undefined {
    return this.statuses.get(`${site}/${pdu}`);
  }

  /** Every PDU that announced a status, as [site, pdu]. */
  statusPdus(): [string, string][] {
    return [...this.statuses.keys()].map((k) => k.split('/') as [string, string]);
  }

  /** Σ of the site's meters that reported within `staleMs`; null when none did. */
  meterPower(site: string, now: number, staleMs: number): number | null {
    let sum: number | null = null;
    for (const m of this.meters.get(site)?.values() ?? []) if (now - m.ts <= staleMs) sum = (sum ?? 0) + m.power_w;
    return sum;
  }

  sites(): string[] {
    const all = new Set<string>([...this.meters.keys(), ...this.statusPdus().map(([s]) => s)]);
    for (const o of this.outlets.values()) all.add(o.site);
    return [...all].sort();
  }

  /** Start of the site's local day holding `ts`. */
  dayStart(site: string, ts: number): number {
    return this.days.dayStart(site, ts);
  }

  /** Wh counted today by an outlet, 0 when its figures belong to an earlier day. */
  todayWh(o: OutletLive, now: number): number {
    return o.day === this.dayStart(o.site, now) ? o.todayWh : 0;
  }

  /** Registers read from the store since the local midnight: energy used before this process saw the outlet. */
  seedToday(first: readonly FirstRegister[], day: number): void {
    for (const f of first) {
      if (this.dayStart(f.site, f.ts) !== day) continue;
      const key = `${f.site}/${f.pdu}/${f.outlet}`;
      const created = seedToday(this.outlets.get(key), f, day);
      if (created) {
        this.outlets.set(key, { site: f.site, pdu: f.pdu, outlet: f.outlet, rig: null, voltage_v: null, current_a: null, pf: null, ...created });
        this.version += 1;
      }
    }
  }

  private observeOutlet(r: OutletReading): void {
    const key = `${r.site}/${r.pdu}/${r.outlet}`;
    const day = this.dayStart(r.site, r.ts);
    const o = this.outlets.get(key);
    if (!o) {
      this.outlets.set(key, fresh(r, day));
      this.version += 1;
      return;
    }
    const counted = countToday(o, r, day);
    if (counted === 'late') return;
    Object.assign(o, electrical(r), { rig: counted === 'new-day' ? (r.rig ?? null) : (r.rig ?? o.rig) });
  }
}

function electrical(r: OutletReading): Pick<OutletLive, 'power_w' | 'voltage_v' | 'current_a' | 'pf' | 'ts'> {
  return { power_w: r.power_w, voltage_v: r.voltage_v ?? null, current_a: r.current_a ?? null, pf: r.pf ?? null, ts: r.ts };
}

function fresh(r: OutletReading, day: number): OutletLive {
  return { site: r.site, pdu: r.pdu, outlet: r.outlet, rig: r.rig ?? null, ...startToday(r, day), ...electrical(r) };
}
