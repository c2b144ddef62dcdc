import { pduId, rackId, rigId, siteId } from './ids.js';
import type { AsicModel } from './models.js';
import { pick, streamFor, type Random } from './prng.js';

/** What a fleet is made of. Everything else follows from these and the seed. */
export interface FleetOptions {
  sites: number;
  rigsPerSite: number;
  seed: number;
  /** Outlets per PDU (default 12). */
  outletsPerPdu?: number;
  /** PDUs per rack (default 2); a rack's units are its PDUs' outlets in order. */
  pdusPerRack?: number;
}

export const DEFAULT_OUTLETS_PER_PDU = 12;
export const DEFAULT_PDUS_PER_RACK = 2;

/** Inclusive bounds the fleet accepts; the CLI checks against the same table. */
export const FLEET_LIMITS = {
  sites: { min: 1, max: 1000 },
  rigsPerSite: { min: 1, max: 100_000 },
  outletsPerPdu: { min: 1, max: 48 },
  pdusPerRack: { min: 1, max: 8 },
  seed: { min: 0, max: 0xffff_ffff },
  /** sites × rigsPerSite: beyond this the model alone needs gigabytes. */
  totalRigs: { min: 1, max: 1_000_000 },
} as const;

const OPTION_NAMES = ['sites', 'rigsPerSite', 'outletsPerPdu', 'pdusPerRack', 'seed'] as const;

/**
 * Supply voltages seen on mining floors: 208 V line-to-line on a US 208Y/120 V feed, 230 V line-to-neutral on an
 * IEC 400/230 V feed (shared/fixtures/pdu/pdu-facts.md §2). Most ASIC PSUs take 200–240 V only.
 */
export const NOMINAL_VOLTAGES = [208, 230] as const;
export type NominalVoltage = (typeof NOMINAL_VOLTAGES)[number];

/** How many models one site runs: sites buy in batches, so a handful, with each rack of a single model. */
const MODELS_PER_SITE = 3;

export interface RigPlan {
  id: string;
  site: string;
  rack: string;
  pdu: string;
  /** 1-based outlet on its PDU. */
  outlet: number;
  model: AsicModel;
}

export interface PduPlan {
  id: string;
  site: string;
  rack: string;
  /** The rigs on outlets 1..n in order; the last PDU of a site may be partly filled. */
  rigs: RigPlan[];
}

export interface SitePlan {
  id: string;
  nominalVoltageV: NominalVoltage;
  pdus: PduPlan[];
}

export type ResolvedOptions = Required<FleetOptions>;

/** Fills in defaults and rejects anything outside FLEET_LIMITS with a RangeError naming the option. */
export function resolveOptions(options: FleetOptions): ResolvedOptions {
  // `??`, not a spread: callers pass `outletsPerPdu: undefined` through and still mean the default.
  const resolved: ResolvedOptions = {
    sites: options.sites,
    rigsPerSite: options.rigsPerSite,
    seed: options.seed,
    outletsPerPdu: options.outletsPerPdu ?? DEFAULT_OUTLETS_PER_PDU,
    pdusPerRack: options.pdusPerRack ?? DEFAULT_PDUS_PER_RACK,
  };
  for (const name of OPTION_NAMES) {
    const { min, max } = FLEET_LIMITS[name];
    const value = resolved[name];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new RangeError(`${name} must be a whole number from ${min} to ${max}, got ${value}`);
    }
  }
  const total = resolved.sites * resolved.rigsPerSite;
  if (total > FLEET_LIMITS.totalRigs.max) {
    throw new RangeError(`sites × rigsPerSite must be at most ${FLEET_LIMITS.totalRigs.max}, got ${total}`);
  }
  return resolved;
}

/** Lays out one site (1-based index): racks filled in order, outlet by outlet. Pure: same input, same plan. */
export function planSite(index: number, options: ResolvedOptions, models: readonly AsicModel[]): SitePlan {
  const site = siteId(index);
  const rand = streamFor(options.seed, `${site}/plan`);
  const nominalVoltageV = pick(rand, NOMINAL_VOLTAGES);
  const siteModels = chooseDistinct(rand, models, MODELS_PER_SITE);
  const unitsPerRack = options.outletsPerPdu * options.pdusPerRack;
  const racks = Math.ceil(options.rigsPerSite / unitsPerRack);
  const pdus = new Map<string, PduPlan>();
  let model = siteModels[0] as AsicModel;
  for (let k = 0; k < options.rigsPerSite; k++) {
    const rack = rackId(Math.floor(k / unitsPerRack) + 1, racks);
    const slot = k % unitsPerRack;
    // One model per rack, drawn from the rack's own stream: adding racks does not reshuffle the others.
    if (slot === 0) model = pick(streamFor(options.seed, `${site}/${rack}/model`), siteModels);
    const pdu = pduId(rack, Math.floor(slot / options.outletsPerPdu) + 1);
    let plan = pdus.get(pdu);
    if (!plan) {
      plan = { id: pdu, site, rack, rigs: [] };
      pdus.set(pdu, plan);
    }
    const id = rigId(site, rack, slot + 1, unitsPerRack);
    plan.rigs.push({ id, site, rack, pdu, outlet: (slot % options.outletsPerPdu) + 1, model });
  }
  return { id: site, nominalVoltageV, pdus: [...pdus.values()] };
}

/** Up to `count` different items, in the order drawn (a partial Fisher–Yates shuffle). */
function chooseDistinct<T>(rand: Random, items: readonly T[], count: number): T[] {
  if (items.length === 0) throw new RangeError('no ASIC models to choose from');
  const pool = [...items];
  const n = Math.min(count, pool.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rand() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j] as T, pool[i] as T];
  }
  return pool.slice(0, n);
}
