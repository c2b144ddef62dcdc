/**
 * The deterministic fleet model: sites → racks → PDUs → rigs, plus one facility meter per site.
 * Pure: no I/O, no clock. `tick(ts)` advances every device to `ts` and returns the messages of that tick; the
 * same seed, options, models and tick timestamps always give byte-identical payloads.
 * Faults (faults/) only change what the PDUs publish and when; the devices and their true registers — the truth
 * (truth.ts) — are the same with or without them. So does the dialect (blend.ts, encoders/): a PDU whose outlets are
 * Tasmota or Sparkplug devices' channels draws the same power and counts the same Wh as a native one.
 */
import { siteDevices, siteDialects, type SiteDialects } from './blend.js';
import { createMeter, type FacilityMeter } from './devices/meter.js';
import { createPdu, type OutletSample, type Pdu } from './devices/pdu.js';
import { serverDialects, type DialectChoice, type SimDialect } from './dialects.js';
import { encodeMeter, encodeMiner, encodePdu, encodeStatus } from './encoders/native.js';
import { DeviceIds, type ChannelRef, type SimDevice, type Will } from './encoders/types.js';
import { FaultInjector } from './faults/injector.js';
import { buildFleetFile, type FleetFile } from './fleet-file.js';
import type { PduRef } from './faults/registers.js';
import type { FaultEvent, FaultOptions, FaultRequest, PlannedFault } from './faults/types.js';
import { METER_ID, meterTopic, minerTopic, pduStatusTopic, pduTopic } from './ids.js';
import { planSite, resolveOptions, type FleetOptions, type ResolvedOptions, type SitePlan } from './layout.js';
import { loadAsicSpecs, type AsicModel } from './models.js';
import { TruthLedger, type FleetTruth, type OutletRef, type TruthRange } from './truth.js';

/** The fleet plus what a run adds to it: faults, truth ranges, and whether miners publish. */
export interface FleetModelOptions extends FleetOptions {
  faults?: FaultOptions;
  /** Keep the truth at every multiple of this many ms, so truth({from, to}) can be asked between them. */
  truthStepMs?: number;
  /** false: no miner messages (the rigs still run: their power is what the outlets draw). Default true. */
  miners?: boolean;
  /** What the PDUs and meters speak (dialects.ts, blend.ts); default native. Faults need native. */
  dialect?: DialectChoice;
}

/** One MQTT message. `readings` counts outlet readings in a PDU message, 1 for a miner or meter, 0 for a status. */
export interface SimMessage {
  topic: string;
  payload: string;
  readings: number;
  /** A binary payload (Sparkplug protobuf) is what goes on the wire; `payload` then holds it in base64. */
  bytes?: Buffer;
  /** Overrides the default (statuses retained, readings not): a Sparkplug NDEATH is a status that is not. */
  retain?: boolean;
  /** The gateway that sends it, for the device dialects (a device publishes on several topics). */
  route?: string;
}

/** Who publishes what: one client per native PDU gateway, one per device of another dialect, one per site for its miners and native meter. */
export interface Gateway {
  /** `<site>-<pdu>` for a PDU gateway, `<site>` for a site's miner/meter gateway, a device's name; unique in the fleet. */
  name: string;
  /** `device`: a device of another dialect (encoders/types.ts), with its own will. */
  kind: 'pdu' | 'site' | 'device';
  site: string;
  /** PDU gateways only: the retained status topic, also used as the MQTT last will. */
  statusTopic?: string;
  /** Every topic this gateway publishes readings on. */
  topics: string[];
  /** Devices: the last will (Tasmota LWT `Offline`, Shelly `online` false, Sparkplug NDEATH), if the device sets one. */
  will?: Will;
  /** Devices: topics to subscribe to (a Sparkplug edge node's NCMD). */
  commands?: string[];
}

export interface FleetSummary {
  sites: number;
  pdus: number;
  rigs: number;
  outletsPerPdu: number;
  /** Rigs per model, most common first. */
  models: Array<{ model: string; rigs: number }>;
  /** Outside the native format only: PDUs per dialect (most first), and the server's DIALECTS value. */
  dialects?: { pdus: Array<{ dialect: SimDialect; pdus: number }>; meters: number; server: string };
}

interface SiteSim {
  plan: SitePlan;
  pdus: Pdu[];
  meter: FacilityMeter;
  dialects: SiteDialects;
  /** Per PDU, in order: whether it publishes the native format (else its outlets are some devices' channels). */
  native: boolean[];
  devices: SimDevice[];
  nameplateW: number;
  /** Fleet-wide index of its first PDU and of its first outlet (the truth ledger's series). */
  firstPdu: number;
  firstOutlet: number;
  meterSeries: number;
}

interface FleetParts {
  injector: FaultInjector | undefined;
  ledger: TruthLedger;
  miners: boolean;
  choice: DialectChoice;
}

export class Fleet {
  private lastTs: number | undefined;
  private readonly devices = new Map<string, SimDevice>();
  /** Native PDU gateway name → its status topic: a connect looks it up (thousands of gateways connect at once). */
  private readonly statusTopics = new Map<string, string>();

  constructor(
    readonly options: ResolvedOptions,
    private readonly sites: readonly SiteSim[],
    private readonly parts: FleetParts,
  ) {
    for (const site of sites) {
      for (const d of site.devices) this.devices.set(d.name, d);
      site.plan.pdus.forEach((pdu, p) => {
        if (site.native[p]) this.statusTopics.set(`${site.plan.id}-${pdu.id}`, pduStatusTopic(site.plan.id, pdu.id));
      });
    }
  }

  /** Advances the fleet to `ts` (integer ms epoch, strictly increasing) and returns every message of that tick. */
  tick(ts: number): SimMessage[] {
    if (!Number.isSafeInteger(ts) || ts < 0) throw new RangeError(`tick time must be whole ms ≥ 0, got ${ts}`);
    if (this.lastTs !== undefined && ts <= this.lastTs) {
      throw new RangeError(`tick time must increase: ${ts} after ${this.lastTs}`);
    }
    // The first tick only reads the devices: there is no interval behind it to integrate.
    const dtMs = this.lastTs === undefined ? 0 : ts - this.lastTs;
    this.lastTs = ts;
    this.parts.injector?.beginTick(ts);
    this.parts.ledger.begin(ts);
    const messages = this.sites.flatMap((site) => this.tickSite(site, ts, dtMs));
    this.parts.ledger.end(ts);
    return messages;
  }

  /** At the end of a run: the PDU messages faults still hold back (late, reorder), to be sent last. */
  flush(): SimMessage[] {
    return this.parts.injector?.flush() ?? [];
  }

  /** Every fault that has played out so far, in order: the truth log. */
  faultEvents(): readonly FaultEvent[] {
    return this.parts.injector?.events() ?? [];
  }

  /** Where and when the faults fall; fixed at the first tick unless the run's start was given. */
  faultPlan(): readonly PlannedFault[] {
    return this.parts.injector?.planned() ?? [];
  }

  /**
   * True register deltas per outlet and site, over the run so far or over [from, to) (see truth.ts):
   * what the server's energy must equal once it has every reading.
   */
  truth(range?: TruthRange): FleetTruth {
    const truth = this.parts.ledger.truth(range);
    this.parts.injector?.annotate(truth);
    return truth;
  }

  /**
   * Retained `online`/`offline` for every PDU gateway's status topic, then the devices' own (Tasmota LWT,
   * Shelly `online`; a Sparkplug edge node's NDEATH going offline).
   */
  statusMessages(online: boolean): SimMessage[] {
    const native = this.gateways()
      .filter((g) => g.statusTopic !== undefined)
      .map((g) => ({ topic: g.statusTopic as string, payload: encodeStatus(online), readings: 0 }));
    return [...native, ...[...this.devices.values()].flatMap((d) => d.status(online))];
  }

  /** A gateway's connection came up: what it announces (retained statuses). Sparkplug births follow at the next tick. */
  connected(gateway: string): SimMessage[] {
    const device = this.devices.get(gateway);
    if (device) {
      device.connected();
      return device.status(true);
    }
    const topic = this.statusTopics.get(gateway);
    return topic === undefined ? [] : [{ topic, payload: encodeStatus(true), readings: 0 }];
  }

  /** A gateway's connection dropped: the will for its next attempt, where that changes (Sparkplug's bdSeq). */
  disconnected(gateway: string): Will | undefined {
    return this.devices.get(gateway)?.disconnected();
  }

  /** A message on one of a gateway's `commands` topics (a Sparkplug rebirth request). */
  command(gateway: string, topic: string, payload: Buffer): void {
    this.devices.get(gateway)?.command?.(topic, payload);
  }

  gateways(): Gateway[] {
    return this.sites.flatMap(({ plan, native, devices, dialects }) => {
      const pdus: Gateway[] = plan.pdus.flatMap((pdu, p) => {
        if (!native[p]) return [];
        return [{ name: `${plan.id}-${pdu.id}`, kind: 'pdu', site: plan.id, statusTopic: pduStatusTopic(plan.id, pdu.id), topics: [pduTopic(plan.id, pdu.id)] }];
      });
      const deviceGateways = devices.map((d): Gateway => {
        const will = d.will();
        return { name: d.name, kind: 'device', site: plan.id, topics: [...d.topics], ...(will && { will }), ...(d.commands && { commands: [...d.commands] }) };
      });
      const rigs = plan.pdus.flatMap((pdu) => pdu.rigs);
      const siteTopics = [...rigs.map((rig) => minerTopic(plan.id, rig.id)), ...(dialects.meter === 'native' ? [meterTopic(plan.id, METER_ID)] : [])];
      return [...pdus, ...deviceGateways, { name: plan.id, kind: 'site', site: plan.id, topics: siteTopics }];
    });
  }

  /** The fleet file this fleet implies (fleet-file.ts): sites, racks, PDUs, rigs, meters, and every device's bindings. */
  fleetFile(): FleetFile {
    return buildFleetFile(this.sites.map((s) => ({ plan: s.plan, nameplateW: s.nameplateW, devices: s.devices })));
  }

  /** The server's DIALECTS value for this fleet: native (miners) plus every dialect its devices speak. */
  serverDialects(): string {
    return serverDialects(this.sites.flatMap((s) => [...s.dialects.pdus.values(), ...(s.dialects.meter === 'native' ? [] : [s.dialects.meter])]));
  }

  summary(): FleetSummary {
    const counts = new Map<string, number>();
    let pdus = 0;
    for (const { plan } of this.sites) {
      pdus += plan.pdus.length;
      for (const rig of plan.pdus.flatMap((p) => p.rigs)) {
        counts.set(rig.model.model, (counts.get(rig.model.model) ?? 0) + 1);
      }
    }
    const models = [...counts].map(([model, rigs]) => ({ model, rigs }));
    models.sort((a, b) => b.rigs - a.rigs || a.model.localeCompare(b.model));
    const summary: FleetSummary = { sites: this.sites.length, pdus, rigs: this.sites.length * this.options.rigsPerSite, outletsPerPdu: this.options.outletsPerPdu, models };
    if (this.parts.choice !== 'native') summary.dialects = this.dialectSummary();
    return summary;
  }

  private dialectSummary(): NonNullable<FleetSummary['dialects']> {
    const perDialect = new Map<SimDialect, number>();
    for (const d of this.sites.flatMap((s) => [...s.dialects.pdus.values()])) perDialect.set(d, (perDialect.get(d) ?? 0) + 1);
    const pdus = [...perDialect].map(([dialect, n]) => ({ dialect, pdus: n })).sort((a, b) => b.pdus - a.pdus || a.dialect.localeCompare(b.dialect));
    return { pdus, meters: this.sites.filter((s) => s.dialects.meter !== 'native').length, server: this.serverDialects() };
  }

  /**
   * One site's messages in a fixed order: its native PDUs, then its devices of other dialects, then its miners
   * (same order as the outlets), then the native meter.
   */
  private tickSite(site: SiteSim, ts: number, dtMs: number): SimMessage[] {
    const siteId = site.plan.id;
    const { injector, ledger, miners } = this.parts;
    const pduMessages: SimMessage[] = [];
    const minerMessages: SimMessage[] = [];
    const samples = new Map<string, readonly OutletSample[]>();
    let itDw = 0;
    let series = site.firstOutlet;
    site.pdus.forEach((pdu, p) => {
      const sample = pdu.step(dtMs);
      const faults = injector?.pdu(site.firstPdu + p);
      if (!site.native[p]) samples.set(pdu.plan.id, sample.outlets);
      else if (faults) pduMessages.push(...faults.tick(ts, sample.outlets, encodePdu));
      else pduMessages.push({ topic: pduTopic(siteId, pdu.plan.id), payload: encodePdu(ts, sample.outlets), readings: sample.outlets.length });
      sample.outlets.forEach((outlet, i) => {
        itDw += outlet.powerDw;
        ledger.set(series++, outlet.energyWh);
        if (!miners) return;
        const rig = sample.rigs[i];
        const model = pdu.plan.rigs[i]?.model.model;
        if (rig === undefined || model === undefined) throw new Error(`PDU ${pdu.plan.id}: outlet ${i} has no rig`);
        const minerPayload = encodeMiner(ts, rig.hashrateSteps, model, rig.tempSteps);
        minerMessages.push({ topic: minerTopic(siteId, outlet.rig), payload: minerPayload, readings: 1 });
      });
    });
    const meter = site.meter.step(ts, dtMs, itDw);
    ledger.set(site.meterSeries, meter.energyWh);
    const outlet = (ref: ChannelRef): OutletSample => {
      const o = samples.get(ref.pdu)?.[ref.outlet - 1];
      if (o === undefined || o.outlet !== ref.outlet) throw new Error(`${siteId}: no sample of ${ref.pdu} outlet ${ref.outlet}`);
      return o;
    };
    const deviceMessages = site.devices.flatMap((d) => d.tick(ts, { outlet, meter }));
    if (site.dialects.meter !== 'native') return [...pduMessages, ...deviceMessages, ...minerMessages];
    const meterMessage = { topic: meterTopic(siteId, METER_ID), payload: encodeMeter(ts, meter.powerDw, meter.energyWh), readings: 1 };
    return [...pduMessages, ...deviceMessages, ...minerMessages, meterMessage];
  }
}

/** What a live or historical run builds its fleet from (the run's own options, shared by both kinds). */
export interface RunFleetOptions {
  sites: number;
  rigs: number;
  seed: number;
  intervalMs: number;
  outletsPerPdu?: number | undefined;
  miners?: boolean | undefined;
  truthStepMs?: number | undefined;
  dialect?: DialectChoice | undefined;
  faults?: FaultRequest | undefined;
  models?: readonly AsicModel[] | undefined;
}

/** The fleet of a run; `window` is where its faults fall: [from, to), or the first `durationMs` (default 1 h). */
export function runFleet(opts: RunFleetOptions, window: { from?: number; to?: number; durationMs?: number }): Fleet {
  return createFleet(
    {
      sites: opts.sites,
      rigsPerSite: opts.rigs,
      seed: opts.seed,
      outletsPerPdu: opts.outletsPerPdu,
      miners: opts.miners,
      truthStepMs: opts.truthStepMs,
      ...(opts.dialect !== undefined && { dialect: opts.dialect }),
      ...(opts.faults && { faults: { ...opts.faults, intervalMs: opts.intervalMs, ...window } }),
    },
    opts.models,
  );
}

/**
 * Builds a fleet. `models` defaults to simulators/data/asic-specs.csv (read once, here — the model itself does no I/O).
 * Throws a RangeError for options outside FLEET_LIMITS, and for faults that do not fit the run.
 */
export function createFleet(options: FleetModelOptions, models: readonly AsicModel[] = loadAsicSpecs()): Fleet {
  const resolved = resolveOptions(options);
  const choice = options.dialect ?? 'native';
  if (choice !== 'native' && options.faults !== undefined) {
    throw new RangeError(`faults act on native PDU messages only: use them with the native dialect, not ${choice}`);
  }
  const ids = new DeviceIds(resolved.seed);
  const plans = Array.from({ length: resolved.sites }, (_, i) => planSite(i + 1, resolved, models));
  const outlets: OutletRef[] = plans.flatMap((plan) => plan.pdus.flatMap((pdu) => pdu.rigs.map((r) => ({ site: plan.id, pdu: pdu.id, outlet: r.outlet, rig: r.id }))));
  const ledger = new TruthLedger(outlets, plans.map((p) => p.id), options.truthStepMs);
  let firstPdu = 0;
  let firstOutlet = 0;
  const sites = plans.map((plan, i): SiteSim => {
    const nameplateW = plan.pdus.flatMap((p) => p.rigs).reduce((sum, rig) => sum + rig.model.powerW, 0);
    const dialects = siteDialects(plan, choice, resolved.seed, nameplateW);
    const site: SiteSim = {
      plan,
      pdus: plan.pdus.map((pdu) => createPdu(pdu, plan.nominalVoltageV, resolved.seed)),
      meter: createMeter(resolved.seed, plan.id, nameplateW),
      dialects,
      native: plan.pdus.map((pdu) => dialects.pdus.get(pdu.id) === 'native'),
      devices: siteDevices(plan, dialects, ids),
      nameplateW,
      firstPdu,
      firstOutlet,
      meterSeries: ledger.meterSeries(i),
    };
    firstPdu += plan.pdus.length;
    firstOutlet += plan.pdus.reduce((n, p) => n + p.rigs.length, 0);
    return site;
  });
  const refs: PduRef[] = plans.flatMap((plan) =>
    plan.pdus.map((pdu) => ({ site: plan.id, pdu: pdu.id, topic: pduTopic(plan.id, pdu.id), outlets: pdu.rigs.map((r) => ({ outlet: r.outlet, rig: r.id })) })),
  );
  const injector = options.faults === undefined ? undefined : new FaultInjector(refs, options.faults, resolved.seed);
  return new Fleet(resolved, sites, { injector, ledger, miners: options.miners ?? true, choice });
}
