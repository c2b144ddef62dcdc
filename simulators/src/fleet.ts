/**
 * The deterministic fleet model: sites → racks → PDUs → rigs, plus one facility meter per site.
 * Pure: no I/O, no clock. `tick(ts)` advances every device to `ts` and returns the messages of that tick; the
 * same seed, options, models and tick timestamps always give byte-identical payloads.
 */
import { createMeter, type FacilityMeter } from './devices/meter.js';
import { createPdu, type Pdu } from './devices/pdu.js';
import { encodeMeter, encodeMiner, encodePdu, encodeStatus } from './encoders/native.js';
import { METER_ID, meterTopic, minerTopic, pduStatusTopic, pduTopic } from './ids.js';
import { planSite, resolveOptions, type FleetOptions, type ResolvedOptions, type SitePlan } from './layout.js';
import { loadAsicSpecs, type AsicModel } from './models.js';

/** One MQTT message. `readings` counts outlet readings in a PDU message, 1 for a miner or meter, 0 for a status. */
export interface SimMessage {
  topic: string;
  payload: string;
  readings: number;
}

/** Who publishes what: one client per PDU gateway, one per site for its miners and meter. */
export interface Gateway {
  /** `<site>-<pdu>` for a PDU gateway, `<site>` for a site's miner/meter gateway; unique in the fleet. */
  name: string;
  kind: 'pdu' | 'site';
  site: string;
  /** PDU gateways only: the retained status topic, also used as the MQTT last will. */
  statusTopic?: string;
  /** Every topic this gateway publishes readings on. */
  topics: string[];
}

export interface FleetSummary {
  sites: number;
  pdus: number;
  rigs: number;
  outletsPerPdu: number;
  /** Rigs per model, most common first. */
  models: Array<{ model: string; rigs: number }>;
}

interface SiteSim {
  plan: SitePlan;
  pdus: Pdu[];
  meter: FacilityMeter;
}

export class Fleet {
  private lastTs: number | undefined;

  constructor(
    readonly options: ResolvedOptions,
    private readonly sites: readonly SiteSim[],
  ) {}

  /** Advances the fleet to `ts` (integer ms epoch, strictly increasing) and returns every message of that tick. */
  tick(ts: number): SimMessage[] {
    if (!Number.isSafeInteger(ts) || ts < 0) throw new RangeError(`tick time must be whole ms ≥ 0, got ${ts}`);
    if (this.lastTs !== undefined && ts <= this.lastTs) {
      throw new RangeError(`tick time must increase: ${ts} after ${this.lastTs}`);
    }
    // The first tick only reads the devices: there is no interval behind it to integrate.
    const dtMs = this.lastTs === undefined ? 0 : ts - this.lastTs;
    this.lastTs = ts;
    return this.sites.flatMap((site) => tickSite(site, ts, dtMs));
  }

  /** Retained `online`/`offline` for every PDU gateway's status topic. */
  statusMessages(online: boolean): SimMessage[] {
    return this.gateways()
      .filter((g) => g.statusTopic !== undefined)
      .map((g) => ({ topic: g.statusTopic as string, payload: encodeStatus(online), readings: 0 }));
  }

  gateways(): Gateway[] {
    return this.sites.flatMap(({ plan }) => {
      const pdus: Gateway[] = plan.pdus.map((pdu) => ({
        name: `${plan.id}-${pdu.id}`,
        kind: 'pdu',
        site: plan.id,
        statusTopic: pduStatusTopic(plan.id, pdu.id),
        topics: [pduTopic(plan.id, pdu.id)],
      }));
      const rigs = plan.pdus.flatMap((pdu) => pdu.rigs);
      const siteTopics = [...rigs.map((rig) => minerTopic(plan.id, rig.id)), meterTopic(plan.id, METER_ID)];
      return [...pdus, { name: plan.id, kind: 'site', site: plan.id, topics: siteTopics }];
    });
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
    return {
      sites: this.sites.length,
      pdus,
      rigs: this.sites.length * this.options.rigsPerSite,
      outletsPerPdu: this.options.outletsPerPdu,
      models,
    };
  }
}

/** One site's messages in a fixed order: its PDUs, then its miners (same order as the outlets), then the meter. */
function tickSite(site: SiteSim, ts: number, dtMs: number): SimMessage[] {
  const siteId = site.plan.id;
  const pduMessages: SimMessage[] = [];
  const minerMessages: SimMessage[] = [];
  let itDw = 0;
  for (const pdu of site.pdus) {
    const sample = pdu.step(dtMs);
    const payload = encodePdu(ts, sample.outlets);
    pduMessages.push({ topic: pduTopic(siteId, pdu.plan.id), payload, readings: sample.outlets.length });
    sample.outlets.forEach((outlet, i) => {
      itDw += outlet.powerDw;
      const rig = sample.rigs[i];
      const model = pdu.plan.rigs[i]?.model.model;
      if (rig === undefined || model === undefined) throw new Error(`PDU ${pdu.plan.id}: outlet ${i} has no rig`);
      const minerPayload = encodeMiner(ts, rig.hashrateSteps, model, rig.tempSteps);
      minerMessages.push({ topic: minerTopic(siteId, outlet.rig), payload: minerPayload, readings: 1 });
    });
  }
  const meter = site.meter.step(ts, dtMs, itDw);
  const meterMessage = { topic: meterTopic(siteId, METER_ID), payload: encodeMeter(ts, meter.powerDw, meter.energyWh), readings: 1 };
  return [...pduMessages, ...minerMessages, meterMessage];
}

/**
 * Builds a fleet. `models` defaults to simulators/data/asic-specs.csv (read once, here — the model itself does no I/O).
 * Throws a RangeError for options outside FLEET_LIMITS.
 */
export function createFleet(options: FleetOptions, models: readonly AsicModel[] = loadAsicSpecs()): Fleet {
  const resolved = resolveOptions(options);
  const sites = Array.from({ length: resolved.sites }, (_, i): SiteSim => {
    const plan = planSite(i + 1, resolved, models);
    const nameplateW = plan.pdus.flatMap((p) => p.rigs).reduce((sum, rig) => sum + rig.model.powerW, 0);
    return {
      plan,
      pdus: plan.pdus.map((pdu) => createPdu(pdu, plan.nominalVoltageV, resolved.seed)),
      meter: createMeter(resolved.seed, plan.id, nameplateW),
    };
  });
  return new Fleet(resolved, sites);
}
