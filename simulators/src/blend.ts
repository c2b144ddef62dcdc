/**
 * Which dialect each PDU and each facility meter speaks, and the devices that follow from it.
 *
 * One dialect (`--dialect tasmota`): every PDU speaks it. `mixed`: a seeded blend per site, as a site that grew
 * over the years looks — most PDUs native, a few racks behind Sparkplug gateways, some outlets on Tasmota and
 * Shelly plugs, one Telegraf host. Miners always report natively (hashrate has no other dialect here). Same seed
 * and fleet, same blend: it draws from the site's own stream, so site-1 is the same with --sites 1 or 5.
 */
import type { DeviceDialect, DialectChoice, SimDialect } from './dialects.js';
import { ENCODERS } from './encoders/index.js';
import { ShellyProEmMeter } from './encoders/shelly-gen2.js';
import type { DeviceIds, SimDevice } from './encoders/types.js';
import type { PduPlan, SitePlan } from './layout.js';
import { streamFor, type Random } from './prng.js';

export interface SiteDialects {
  /** Every PDU of the site, by id, in site order. */
  pdus: ReadonlyMap<string, SimDialect>;
  /** The facility meter: native, or a Shelly Pro EM bound to meter `main`. */
  meter: 'native' | 'shelly-gen2';
}

/** The server's bound on a device reading's power (server/src/ingest/dialects/shared/quantities.ts BOUNDS). */
export const DEVICE_MAX_POWER_W = 100_000;
/**
 * Facility power over the IT nameplate at worst: rigs draw up to +5 % plus noise, and the overhead factor goes
 * up to 1.4 (devices/meter.ts). Only a site whose meter stays under the device bound with this headroom gets a
 * Shelly meter: a Pro EM on a 1 MW feed would be rejected as out of range, as the real one would be out of its CTs.
 */
const METER_HEADROOM = 1.6;

/** Share of a site's PDUs per device dialect in `mixed`; line protocol is one host per site. The rest is native. */
const SHARES: Readonly<Record<DeviceDialect, number>> = { sparkplug: 0.2, tasmota: 0.08, 'shelly-gen2': 0.08, 'shelly-gen1': 0.04, line: 0 };
const DEVICE_DIALECTS = Object.keys(SHARES) as DeviceDialect[];

export function siteDialects(plan: SitePlan, choice: DialectChoice, seed: number, nameplateW: number): SiteDialects {
  const shellyMeter = nameplateW * METER_HEADROOM <= DEVICE_MAX_POWER_W;
  if (choice === 'mixed') return { pdus: blend(plan, seed), meter: shellyMeter ? 'shelly-gen2' : 'native' };
  return { pdus: new Map(plan.pdus.map((p) => [p.id, choice])), meter: choice === 'shelly-gen2' && shellyMeter ? 'shelly-gen2' : 'native' };
}

/**
 * At most half of a site's PDUs leave the native format. Each device dialect first gets one unit, in a seeded
 * order, while that budget lasts (so a site of 13+ PDUs has them all); then each is topped up to its share.
 * Sparkplug takes whole racks (a gateway per rack) from the front of a seeded rack order, the others single
 * PDUs from the back, so the racks a gateway could take are the last to be split up.
 */
function blend(plan: SitePlan, seed: number): Map<string, SimDialect> {
  const rand = streamFor(seed, `${plan.id}/dialects`);
  const racks = shuffle(rand, [...groupBy(plan.pdus, (p) => p.rack).values()]);
  const order = shuffle(rand, DEVICE_DIALECTS);
  const singles = racks.flat().reverse();
  const n = plan.pdus.length;
  const assigned = new Map<string, SimDialect>();
  const count = new Map<DeviceDialect, number>(DEVICE_DIALECTS.map((d) => [d, 0]));
  let budget = Math.floor(n / 2);
  let nextRack = 0;
  let nextSingle = 0;
  const take = (d: DeviceDialect): boolean => {
    let pdus: PduPlan[];
    if (d === 'sparkplug') {
      const rack = racks[nextRack];
      if (!rack || rack.some((p) => assigned.has(p.id))) return false;
      pdus = rack;
    } else {
      while (nextSingle < singles.length && assigned.has((singles[nextSingle] as PduPlan).id)) nextSingle++;
      const pdu = singles[nextSingle];
      if (!pdu) return false;
      pdus = [pdu];
    }
    if (pdus.length > budget) return false;
    if (d === 'sparkplug') nextRack++;
    for (const p of pdus) assigned.set(p.id, d);
    budget -= pdus.length;
    count.set(d, (count.get(d) ?? 0) + pdus.length);
    return true;
  };
  for (const d of order) take(d);
  for (const d of order) {
    const want = d === 'line' ? 1 : Math.max(1, Math.round(SHARES[d] * n));
    while ((count.get(d) ?? 0) < want && take(d));
  }
  return new Map(plan.pdus.map((p) => [p.id, assigned.get(p.id) ?? 'native']));
}

/** The devices of one site: per device dialect its encoder's devices for its PDUs, then a Shelly meter if any. */
export function siteDevices(plan: SitePlan, dialects: SiteDialects, ids: DeviceIds): SimDevice[] {
  const byDialect = groupBy(plan.pdus, (p) => dialects.pdus.get(p.id) ?? 'native');
  const devices = DEVICE_DIALECTS.flatMap((d) => {
    const pdus = byDialect.get(d);
    return pdus ? ENCODERS[d].devices(plan, pdus, ids) : [];
  });
  if (dialects.meter === 'shelly-gen2') devices.push(new ShellyProEmMeter(plan.id, ids));
  return devices;
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Fisher–Yates over a copy. */
function shuffle<T>(rand: Random, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
