import type { DeviceStatus, MinerReading, OutletReading, Reading } from '../domain/reading.js';
import type { FirstRegister } from '../store/store.js';
import type { FacilityFrame, RigLatest, SiteFrame } from './events.js';
import { countToday, LocalDays, seedToday, startToday, type TodayEnergy } from './today.js';

/** A rig with no fresh hashrate but at least this much outlet power counts as running. */
const RUNNING_W = 50;

/** An outlet's latest power and its energy today (today.ts). */
interface OutletState extends TodayEnergy {
  pdu: string;
  outlet: number;
  rig: string | null;
}

interface RigState {
  hashrate_ths: number;
  ts: number;
  model: string | null;
  temp_c: number | null;
}

interface SiteState {
  outlets: Map<string, OutletState>;
  rigs: Map<string, RigState>;
  pdus: Map<string, boolean>;
  /** Each facility meter's latest power: a site fed through two transformers has two. */
  meters: Map<string, { power_w: number; ts: number }>;
}

/**
 * The latest figures per site, kept from readings as they arrive (not from the store), so frames
 * cost nothing to build. Pure: the clock is passed in. "Today" is the site's local day (its time zone
 * from the fleet file, UTC without one), DST included.
 */
export class LiveState {
  private readonly sites = new Map<string, SiteState>();
  private readonly days: LocalDays;

  constructor(
    private readonly staleAfterMs: number,
    timeZoneOf: (site: string) => string = () => 'UTC',
  ) {
    this.days = new LocalDays(timeZoneOf);
  }

  /** Start of the local day holding `ts` at `site`. */
  dayStart(siteId: string, ts: number): number {
    return this.days.dayStart(siteId, ts);
  }

  observe(readings: readonly Reading[]): void {
    for (const r of readings) {
      const site = this.site(r.site);
      if (r.kind === 'outlet') this.observeOutlet(site, r);
      else if (r.kind === 'miner') observeMiner(site, r);
      else {
        const m = site.meters.get(r.meter);
        if (!m || r.ts >= m.ts) site.meters.set(r.meter, { power_w: r.power_w, ts: r.ts });
      }
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
      const created = seedToday(site.outlets.get(key), f, day);
      if (created) site.outlets.set(key, { pdu: f.pdu, outlet: f.outlet, rig: null, ...created });
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
    // Σ of the meters reporting now; null when none does (as the operations page sums them).
    let meterPower: number | null = null;
    for (const m of site.meters.values()) if (fresh(m.ts)) meterPower = (meterPower ?? 0) + m.power_w;
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
    const counted = countToday(o, r, day);
    if (counted === 'new-day') o.rig = r.rig ?? null;
    else if (counted === 'counted') o.rig = r.rig ?? o.rig;
  }

  private site(id: string): SiteState {
    let s = this.sites.get(id);
    if (!s) {
      s = { outlets: new Map(), rigs: new Map(), pdus: new Map(), meters: new Map() };
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
  return { pdu: r.pdu, outlet: r.outlet, rig: r.rig ?? null, ...startToday(r, day) };
}
