import type { DeviceStatus, MinerReading, OutletReading, Reading } from '../domain/reading.js';
import type { FirstRegister } from '../store/store.js';
import { localDayStart, nextLocalDayStart } from '../energy/time.js';
import type { FacilityFrame, RigLatest, SiteFrame } from './events.js';

/** A rig with no fresh hashrate but at least this much outlet power counts as running. */
const RUNNING_W = 50;

interface OutletState {
  pdu: string;
  outlet: number;
  rig: string | null;
  power_w: number;
  ts: number;
  /** Energy counted today, Wh: register deltas, or trapezoids for outlets without a register. */
  todayWh: number;
  /** Start of the site's local day this outlet's `todayWh` belongs to. */
  day: number;
  register: number | null;
  /** The first register value seen today, to merge with a store-seeded earlier one. */
  firstRegisterToday: number | null;
}

interface RigState {
  hashrate_ths: number;
  ts: number;
  model: string | null;
  temp_c: number | null;
}

interface SiteState {
  /** The local day last looked up: most readings fall in it, so the time-zone maths runs once a day. */
  today: { start: number; end: number } | null;
  outlets: Map<string, OutletState>;
  rigs: Map<string, RigState>;
  pdus: Map<string, boolean>;
  meter: { power_w: number; ts: number } | null;
}

/**
 * The latest figures per site, kept from readings as they arrive (not from the store), so frames
 * cost nothing to build. Pure: the clock is passed in. "Today" is the site's local day (its time zone
 * from the fleet file, UTC without one), DST included.
 */
export class LiveState {
  private readonly sites = new Map<string, SiteState>();

  constructor(
    private readonly staleAfterMs: number,
    private readonly timeZoneOf: (site: string) => string = () => 'UTC',
  ) {}

  /** Start of the local day holding `ts` at `site`. */
  dayStart(siteId: string, ts: number): number {
    const site = this.site(siteId);
    if (site.today && ts >= site.today.start && ts < site.today.end) return site.today.start;
    const tz = this.timeZoneOf(siteId);
    const day = { start: localDayStart(ts, tz), end: nextLocalDayStart(ts, tz) };
    // Cache the day that "now" is in; an old reading's day is computed but not cached over it.
    if (!site.today || day.start >= site.today.start) site.today = day;
    return day.start;
  }

  observe(readings: readonly Reading[]): void {
    for (const r of readings) {
      const site = this.site(r.site);
      if (r.kind === 'outlet') this.observeOutlet(site, r);
      else if (r.kind === 'miner') observeMiner(site, r);
      else if (!site.meter || r.ts >= site.meter.ts) site.meter = { power_w: r.power_w, ts: r.ts };
    }
  }

  observeStatus(s: DeviceStatus): void {
    this.site(s.site).pdus.set(s.pdu, s.online);
  }

  /**
   * Registers read from the store since midnight: energy used before this process saw the outlet.
   * Safe to apply after live readings have arrived; each outlet is seeded once a day.
   */
  seedToday(first: readonly FirstRegister[], day: number): void {
    for (const f of first) {
      if (this.dayStart(f.site, f.ts) !== day) continue;
      const site = this.site(f.site);
      const key = `${f.pdu}/${f.outlet}`;
      const o = site.outlets.get(key);
      if (!o) {
        site.outlets.set(key, { pdu: f.pdu, outlet: f.outlet, rig: null, power_w: 0, ts: f.ts, todayWh: 0, day, register: f.energy_wh, firstRegisterToday: f.energy_wh });
      } else if (o.day === day && o.firstRegisterToday !== null && f.energy_wh <= o.firstRegisterToday) {
        o.todayWh += o.firstRegisterToday - f.energy_wh;
        o.firstRegisterToday = f.energy_wh;
      }
    }
  }

  siteIds(): string[] {
    return [...this.sites.keys()].sort();
  }

  frame(siteId: string, now: number): SiteFrame {
    const site = this.site(siteId);
    const fresh = (ts: number) => now - ts <= this.staleAfterMs;
    const today = this.dayStart(siteId, now);
    let power = 0;
    let kwhToday = 0;
    let rigPower = 0;
    const poweredRigs = new Map<string, number>();
    for (const o of site.outlets.values()) {
      if (o.day === today) kwhToday += o.todayWh / 1000;
      if (!fresh(o.ts)) continue;
      power += o.power_w;
      if (o.rig) poweredRigs.set(o.rig, (poweredRigs.get(o.rig) ?? 0) + o.power_w);
    }
    let hashrate = 0;
    let online = 0;
    for (const [rig, m] of site.rigs) {
      if (fresh(m.ts) && m.hashrate_ths > 0) {
        hashrate += m.hashrate_ths;
        rigPower += poweredRigs.get(rig) ?? 0;
      }
    }
    const rigIds = new Set([...site.rigs.keys(), ...poweredRigs.keys(), ...[...site.outlets.values()].flatMap((o) => (o.rig ? [o.rig] : []))]);
    for (const rig of rigIds) if (this.rigOnline(site, rig, poweredRigs, now)) online += 1;
    const meterPower = site.meter && fresh(site.meter.ts) ? site.meter.power_w : null;
    const pdus = this.pduCounts(site, now);
    return {
      site: siteId,
      ts: now,
      power_w: power,
      meter_power_w: meterPower,
      pue: meterPower !== null && power > 0 ? meterPower / power : null,
      kwh_today: kwhToday,
      hashrate_ths: hashrate,
      j_per_th: hashrate > 0 && rigPower > 0 ? rigPower / hashrate : null,
      rigs_online: online,
      rigs_offline: rigIds.size - online,
      pdus_online: pdus.online,
      pdus_offline: pdus.offline,
    };
  }

  facility(now: number): FacilityFrame {
    const sites = this.siteIds().map((s) => this.frame(s, now));
    return {
      ts: now,
      power_w: sites.reduce((sum, s) => sum + s.power_w, 0),
      kwh_today: sites.reduce((sum, s) => sum + s.kwh_today, 0),
      sites,
    };
  }

  rigs(siteId: string, now: number): RigLatest[] {
    const site = this.sites.get(siteId);
    if (!site) return [];
    const byRig = new Map<string, OutletState>();
    for (const o of site.outlets.values()) if (o.rig) byRig.set(o.rig, o);
    const ids = [...new Set([...site.rigs.keys(), ...byRig.keys()])].sort();
    const power = new Map([...byRig].filter(([, o]) => now - o.ts <= this.staleAfterMs).map(([rig, o]) => [rig, o.power_w]));
    return ids.map((rig) => {
      const o = byRig.get(rig);
      const m = site.rigs.get(rig);
      const p = power.get(rig) ?? null;
      const h = m && now - m.ts <= this.staleAfterMs ? m.hashrate_ths : null;
      return {
        rig,
        pdu: o?.pdu ?? null,
        outlet: o?.outlet ?? null,
        power_w: p,
        hashrate_ths: h,
        j_per_th: p !== null && h ? p / h : null,
        model: m?.model ?? null,
        temp_c: m?.temp_c ?? null,
        online: this.rigOnline(site, rig, power, now),
        last_ts: Math.max(o?.ts ?? 0, m?.ts ?? 0),
      };
    });
  }

  private rigOnline(site: SiteState, rig: string, power: Map<string, number>, now: number): boolean {
    const m = site.rigs.get(rig);
    if (m) return now - m.ts <= this.staleAfterMs && m.hashrate_ths > 0;
    return (power.get(rig) ?? 0) >= RUNNING_W;
  }

  /** A PDU's own status (LWT) wins; a PDU that never sent one is online while its readings are fresh. */
  private pduCounts(site: SiteState, now: number): { online: number; offline: number } {
    const seen = new Map<string, boolean>();
    for (const o of site.outlets.values()) seen.set(o.pdu, (seen.get(o.pdu) ?? false) || now - o.ts <= this.staleAfterMs);
    for (const [pdu, online] of site.pdus) seen.set(pdu, online);
    let online = 0;
    for (const v of seen.values()) if (v) online += 1;
    return { online, offline: seen.size - online };
  }

  private observeOutlet(site: SiteState, r: OutletReading): void {
    const key = `${r.pdu}/${r.outlet}`;
    const day = this.dayStart(r.site, r.ts);
    const o = site.outlets.get(key);
    if (!o) {
      site.outlets.set(key, newOutlet(r, day));
      return;
    }
    if (r.ts <= o.ts) return; // late or repeated: the store has it, the live figure moves on
    if (day !== o.day) {
      Object.assign(o, newOutlet(r, day));
      return;
    }
    o.todayWh += energySince(o, r);
    Object.assign(o, { rig: r.rig ?? o.rig, power_w: r.power_w, ts: r.ts });
    if (r.energy_wh !== undefined) {
      o.register = r.energy_wh;
      o.firstRegisterToday ??= r.energy_wh;
    }
  }

  private site(id: string): SiteState {
    let s = this.sites.get(id);
    if (!s) {
      s = { today: null, outlets: new Map(), rigs: new Map(), pdus: new Map(), meter: null };
      this.sites.set(id, s);
    }
    return s;
  }
}

function observeMiner(site: SiteState, r: MinerReading): void {
  const m = site.rigs.get(r.rig);
  if (m && r.ts <= m.ts) return;
  site.rigs.set(r.rig, { hashrate_ths: r.hashrate_ths, ts: r.ts, model: r.model ?? m?.model ?? null, temp_c: r.temp_c ?? null });
}

function newOutlet(r: OutletReading, day: number): OutletState {
  const register = r.energy_wh ?? null;
  return { pdu: r.pdu, outlet: r.outlet, rig: r.rig ?? null, power_w: r.power_w, ts: r.ts, todayWh: 0, day, register, firstRegisterToday: register };
}

/**
 * Energy between the outlet's last reading and this one. From the register when both have one (a
 * register that went down was reset: nothing is counted for that step); else a trapezoid of power,
 * but never across a gap longer than the staleness window would allow the live view to guess.
 */
function energySince(o: OutletState, r: OutletReading): number {
  if (o.register !== null && r.energy_wh !== undefined) return Math.max(0, r.energy_wh - o.register);
  const hours = (r.ts - o.ts) / 3_600_000;
  return hours <= 0.25 ? ((o.power_w + r.power_w) / 2) * hours : 0;
}
