import type { DeviceStatus, MeterReading, OutletReading, Reading, ReadingSource } from '../domain/reading.js';
import type { SeriesKind, SeriesSettings } from '../energy/settings.js';
import type { SeriesOptions } from '../energy/types.js';
import { pduIdFor, UNASSIGNED_SITE } from '../ingest/dialects/shared/device.js';
import type { Binding, Fleet, FleetPdu, FleetSite } from './schema.js';

export interface OutletInfo {
  site: string;
  rack: string;
  pdu: FleetPdu;
  outlet: number;
  rig?: string;
  model?: string;
  address?: string;
}

type Target = Binding['to'];

/**
 * One parsed fleet file, indexed for the hot path: binding a reading is a few map lookups. Immutable:
 * a reload builds a new registry and swaps it in whole, so a message is bound by one version or the
 * other, never half of each.
 */
export class FleetRegistry implements SeriesSettings {
  private readonly bindings = new Map<string, Target>();
  /**
   * Unassigned PDU ids (`tasmota.plug-1`) of bound devices → their site/PDU for status messages, or
   * null for a device bound to a meter (a meter has no online count of its own).
   */
  private readonly statusTargets = new Map<string, { site: string; pdu: string } | null>();
  private readonly outlets = new Map<string, OutletInfo>();
  /** `site/rig` → the outlet the rig is on. */
  private readonly rigOutlets = new Map<string, OutletInfo>();
  private readonly sitesById = new Map<string, FleetSite>();
  /** `site/pdu/outlet`, `site/pdu/*` (the PDU's default) and `site/meter:<id>` → accounting options. */
  private readonly seriesOptions = new Map<string, Partial<SeriesOptions>>();
  private readonly fingerprints = new Map<string, string>();

  constructor(readonly fleet: Fleet) {
    for (const site of fleet.sites) {
      this.sitesById.set(site.id, site);
      for (const rack of site.racks)
        for (const pdu of rack.pdus)
          for (const o of pdu.outlets) {
            const info: OutletInfo = { site: site.id, rack: rack.id, pdu, outlet: o.outlet, rig: o.rig, model: o.model, address: o.address };
            this.outlets.set(`${site.id}/${pdu.id}/${o.outlet}`, info);
            if (o.rig) this.rigOutlets.set(`${site.id}/${o.rig}`, info);
          }
      this.indexSeriesOptions(site);
    }
    for (const b of fleet.bindings) {
      this.bindings.set(bindingKey(b.match), b.to);
      this.statusTargets.set(pduIdFor(b.match.dialect, b.match.device), 'pdu' in b.to ? { site: b.to.site, pdu: b.to.pdu } : null);
    }
  }

  static empty(): FleetRegistry {
    return new FleetRegistry({ version: 1, sites: [], bindings: [] });
  }

  /** A reading as the fleet names it: bound to its site and PDU outlet (with the rig) or to a meter. */
  bind(r: Reading): Reading {
    if (r.source && r.site === UNASSIGNED_SITE) {
      const target = this.targetOf(r.source);
      if (target) return this.rebind(r, target);
    }
    if (r.kind === 'outlet' && r.rig === undefined) {
      const rig = this.outlets.get(`${r.site}/${r.pdu}/${r.outlet}`)?.rig;
      if (rig) return { ...r, rig };
    }
    return r;
  }

  /** A device's online/offline as its bound PDU's; null for a device bound to a meter. */
  bindStatus(s: DeviceStatus): DeviceStatus | null {
    if (s.site !== UNASSIGNED_SITE) return s;
    const target = this.statusTargets.get(s.pdu);
    if (target === null) return null;
    return target ? { ...s, ...target } : s;
  }

  timeZoneOf(site: string): string {
    return this.sitesById.get(site)?.time_zone ?? 'UTC';
  }

  site(id: string): FleetSite | undefined {
    return this.sitesById.get(id);
  }

  outlet(site: string, pdu: string, outlet: number): OutletInfo | undefined {
    return this.outlets.get(`${site}/${pdu}/${outlet}`);
  }

  /** The outlet the fleet file puts a rig on. */
  rigOutlet(site: string, rig: string): OutletInfo | undefined {
    return this.rigOutlets.get(`${site}/${rig}`);
  }

  allOutlets(): IterableIterator<OutletInfo> {
    return this.outlets.values();
  }

  /** The register width and rating of a series of a site (energy/settings.ts): the outlet's, else its PDU's. */
  optionsOf(site: string, kind: SeriesKind, key: string): Partial<SeriesOptions> | undefined {
    if (kind === 'meter') return this.seriesOptions.get(`${site}/meter:${key}`);
    return this.seriesOptions.get(`${site}/${key}`) ?? this.seriesOptions.get(`${site}/${key.slice(0, key.lastIndexOf('/'))}/*`);
  }

  fingerprint(site: string): string {
    return this.fingerprints.get(site) ?? '';
  }

  private indexSeriesOptions(site: FleetSite): void {
    const entries: Array<[string, Partial<SeriesOptions>]> = [];
    const put = (key: string, wrapWh: number | undefined, maxPowerW: number | undefined) => {
      const o: Partial<SeriesOptions> = {};
      if (wrapWh !== undefined) o.registerWrapWh = wrapWh;
      if (maxPowerW !== undefined) o.maxPowerW = maxPowerW;
      if (Object.keys(o).length > 0) entries.push([key, o]);
    };
    for (const rack of site.racks)
      for (const pdu of rack.pdus) {
        const watts = (a: number | undefined) => (a === undefined ? undefined : a * pdu.voltage_v);
        put(`${pdu.id}/*`, pdu.register_wrap_wh, watts(pdu.outlet_rating_a));
        for (const o of pdu.outlets) put(`${pdu.id}/${o.outlet}`, o.register_wrap_wh ?? pdu.register_wrap_wh, watts(o.rating_a ?? pdu.outlet_rating_a));
      }
    for (const m of site.meters) put(`meter:${m.id}`, m.register_wrap_wh, m.max_power_kw === undefined ? undefined : m.max_power_kw * 1000);
    for (const [key, o] of entries) this.seriesOptions.set(`${site.id}/${key}`, o);
    if (entries.length > 0) this.fingerprints.set(site.id, JSON.stringify(entries.sort((a, b) => (a[0] < b[0] ? -1 : 1))));
  }

  /** The most specific binding: device + channel + metric, then device + channel, then the device. */
  private targetOf(src: ReadingSource): Target | undefined {
    return (
      (src.metric !== undefined ? this.bindings.get(bindingKey({ ...src })) : undefined) ??
      (src.channel !== undefined ? this.bindings.get(bindingKey({ dialect: src.dialect, device: src.device, channel: src.channel })) : undefined) ??
      this.bindings.get(bindingKey({ dialect: src.dialect, device: src.device }))
    );
  }

  private rebind(r: Reading, to: Target): Reading {
    if ('meter' in to) {
      if (r.kind === 'miner') return r;
      const meter: MeterReading = { kind: 'meter', site: to.site, meter: to.meter, ts: r.ts, power_w: r.power_w };
      if (r.energy_wh !== undefined) meter.energy_wh = r.energy_wh;
      if (r.source) meter.source = r.source;
      return meter;
    }
    if (r.kind !== 'outlet') return r;
    const outlet = to.outlet ?? r.source?.channel ?? r.outlet;
    const bound: OutletReading = { ...r, site: to.site, pdu: to.pdu, outlet };
    const rig = this.outlets.get(`${to.site}/${to.pdu}/${outlet}`)?.rig;
    if (rig) bound.rig = rig;
    return bound;
  }
}

function bindingKey(m: { dialect: string; device: string; channel?: number; metric?: string }): string {
  return `${m.dialect}\u0000${m.device}\u0000${m.channel ?? ''}\u0000${m.metric ?? ''}`;
}
