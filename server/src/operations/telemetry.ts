import type { DeviceStatus, OutletReading, Reading } from '../domain/reading.js';
import { localDayStart, nextLocalDayStart } from '../energy/time.js';
import type { FirstRegister } from '../store/store.js';

/**
 * The latest electrical figures of every outlet (power, voltage, current, pf), each PDU's announced status
 * and each site's meters, kept from readings as they arrive. LiveState keeps power and rigs for the
 * overview; the operations page also needs the volts and amps behind them, per outlet.
 *
 * kWh today per outlet follows the rule of live/state.ts exactly (register deltas, a register that went
 * down counts nothing for that step, else trapezoids no longer than 15 min; the site's local day; seeded
 * once a day from the store's first register), so the sum over a site's outlets equals its `site:frame`.
 * Pure: the clock is passed in.
 */
export interface OutletLive {
  site: string;
  pdu: string;
  outlet: number;
  rig: string | null;
  power_w: number;
  voltage_v: number | null;
  current_a: number | null;
  pf: number | null;
  ts: number;
  todayWh: number;
  day: number;
  register: number | null;
  firstRegisterToday: number | null;
}

export interface PduStatus {
  online: boolean;
  /** When this process heard the status (server clock). */
  at: number;
}

const MAX_TRAPEZOID_H = 0.25;

export class OpsTelemetry {
  private readonly outlets = new Map<string, OutletLive>();
  private readonly statuses = new Map<string, PduStatus>();
  private readonly meters = new Map<string, Map<string, { power_w: number; ts: number }>>();
  private readonly days = new Map<string, { start: number; end: number }>();
  /** Goes up whenever an outlet or a PDU is seen for the first time: the topology may need rebuilding. */
  version = 0;

  constructor(
    private readonly timeZoneOf: (site: string) => string = () => 'UTC',
    private readonly clock: () => number = Date.now,
  ) {}

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
    const cached = this.days.get(site);
    if (cached && ts >= cached.start && ts < cached.end) return cached.start;
    const tz = this.timeZoneOf(site);
    const day = { start: localDayStart(ts, tz), end: nextLocalDayStart(ts, tz) };
    if (!cached || day.start >= cached.start) this.days.set(site, day);
    return day.start;
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
      const o = this.outlets.get(key);
      if (!o) {
        this.outlets.set(key, { ...blank(f.site, f.pdu, f.outlet, f.ts, day), register: f.energy_wh, firstRegisterToday: f.energy_wh });
        this.version += 1;
      } else if (o.day === day && o.firstRegisterToday !== null && f.energy_wh <= o.firstRegisterToday) {
        o.todayWh += o.firstRegisterToday - f.energy_wh;
        o.firstRegisterToday = f.energy_wh;
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
    if (r.ts <= o.ts) return;
    if (day !== o.day) {
      Object.assign(o, fresh(r, day));
      return;
    }
    o.todayWh += energySince(o, r);
    Object.assign(o, electrical(r), { rig: r.rig ?? o.rig });
    if (r.energy_wh !== undefined) {
      o.register = r.energy_wh;
      o.firstRegisterToday ??= r.energy_wh;
    }
  }
}

function blank(site: string, pdu: string, outlet: number, ts: number, day: number): OutletLive {
  return { site, pdu, outlet, rig: null, power_w: 0, voltage_v: null, current_a: null, pf: null, ts, todayWh: 0, day, register: null, firstRegisterToday: null };
}

function electrical(r: OutletReading): Pick<OutletLive, 'power_w' | 'voltage_v' | 'current_a' | 'pf' | 'ts'> {
  return { power_w: r.power_w, voltage_v: r.voltage_v ?? null, current_a: r.current_a ?? null, pf: r.pf ?? null, ts: r.ts };
}

function fresh(r: OutletReading, day: number): OutletLive {
  const register = r.energy_wh ?? null;
  return { ...blank(r.site, r.pdu, r.outlet, r.ts, day), ...electrical(r), rig: r.rig ?? null, register, firstRegisterToday: register };
}

function energySince(o: OutletLive, r: OutletReading): number {
  if (o.register !== null && r.energy_wh !== undefined) return Math.max(0, r.energy_wh - o.register);
  const hours = (r.ts - o.ts) / 3_600_000;
  return hours <= MAX_TRAPEZOID_H ? ((o.power_w + r.power_w) / 2) * hours : 0;
}
