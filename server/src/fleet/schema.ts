import { z } from 'zod';
import { ID_PATTERN } from '../domain/ids.js';
import { isTimeZone } from '../energy/time.js';
import { carbonSchema, curtailmentSchema, tariffSchema } from '../comparison/settings.js';
import { alertRulesSchema } from '../operations/rules.js';

/**
 * The fleet file: sites → racks → PDUs → outlets → rigs, the facility meters, and the bindings that say
 * which device (Tasmota plug, Shelly, Sparkplug metric, line-protocol host) is which PDU outlet or meter.
 * Documented in docs/fleet.md; every rule here has a message that names the path of the mistake.
 */
const id = z.string().regex(ID_PATTERN, 'must be 1–64 characters of A-Z a-z 0-9 _ . -');
const positive = z.number().positive();
/**
 * An energy register's modulus, Wh: where it rolls over to 0 (4294967296 for a 32-bit Wh register). Unknown:
 * a register that goes down is taken for a reset, never a rollover (docs/energy.md).
 */
const registerWrapWh = z.number().int().min(1000).max(Number.MAX_SAFE_INTEGER);

const outlet = z.object({
  outlet: z.number().int().min(1).max(10_000),
  rig: id.optional(),
  model: z.string().min(1).max(64).optional(),
  /** The rig's miner API address, host or host:port (cgminer-style API, TCP 4028 by default). */
  address: z.string().min(1).max(255).optional(),
  /** The outlet's rating, A (at the PDU's voltage): above it a register jump is a spike. Default: the PDU's outlet_rating_a. */
  rating_a: positive.optional(),
  register_wrap_wh: registerWrapWh.optional(),
});

const breaker = z.object({
  id: z.string().min(1).max(64),
  rating_a: positive,
  outlets: z.array(z.number().int().min(1)).min(1),
  /** The phase or phase pair the bank is on (3-phase PDUs), e.g. L1, L2-L3. */
  phase: z.string().max(16).optional(),
});

const pdu = z.object({
  id,
  rating_a: positive,
  voltage_v: positive,
  phases: z.union([z.literal(1), z.literal(3)]).default(1),
  breakers: z.array(breaker).default([]),
  outlets: z.array(outlet).default([]),
  /** Every outlet's rating and register width, unless the outlet says otherwise. */
  outlet_rating_a: positive.optional(),
  register_wrap_wh: registerWrapWh.optional(),
});

const meter = z.object({
  id,
  supplier: z.string().min(1).max(128).optional(),
  /** The most the meter can register (its CT rating), kW: above it a register jump is a spike. */
  max_power_kw: positive.optional(),
  register_wrap_wh: registerWrapWh.optional(),
});

const site = z.object({
  id,
  name: z.string().min(1).max(128).optional(),
  time_zone: z.string().refine(isTimeZone, 'must be an IANA time zone such as America/Chicago').default('UTC'),
  suppliers: z.array(z.object({ name: z.string().min(1).max(128), account: z.string().max(128).optional() })).default([]),
  /** Time-of-use prices and the demand charge; grid emission factor; what counts as curtailed (docs/comparison.md). */
  tariff: tariffSchema.optional(),
  carbon: carbonSchema.optional(),
  curtailment: curtailmentSchema.optional(),
  capacity_kw: positive.optional(),
  /** NEC 210.20(A): a continuous load may use 80 % of a breaker's rating. */
  continuous_load_pct: z.number().min(1).max(100).default(80),
  miner_api: z
    .object({
      enabled: z.boolean().default(false),
      port: z.number().int().min(1).max(65535).default(4028),
      interval_s: z.number().min(1).max(3600).default(30),
      timeout_ms: z.number().int().min(100).max(60_000).default(3000),
      concurrency: z.number().int().min(1).max(1000).default(16),
    })
    .optional(),
  racks: z.array(z.object({ id, pdus: z.array(pdu).default([]) })).default([]),
  meters: z.array(meter).default([]),
});

const binding = z.object({
  match: z.object({
    dialect: z.string().min(1).max(32),
    device: z.string().min(1).max(256),
    channel: z.number().int().min(1).optional(),
    metric: z.string().min(1).max(256).optional(),
  }),
  to: z.union([
    z.object({ site: id, pdu: id, outlet: z.number().int().min(1).optional() }).strict(),
    z.object({ site: id, meter: id }).strict(),
  ]),
});

export const fleetSchema = z
  // alerts: rule overrides (docs/operations.md); the defaults are in server/src/operations/rules.ts.
  .object({ version: z.literal(1), sites: z.array(site).default([]), bindings: z.array(binding).default([]), alerts: alertRulesSchema.optional() })
  .superRefine(checkReferences);

export type Fleet = z.infer<typeof fleetSchema>;
export type FleetSite = Fleet['sites'][number];
export type FleetPdu = FleetSite['racks'][number]['pdus'][number];
export type Binding = Fleet['bindings'][number];

/** Ids unique where they must be, and bindings that point at things that exist. */
function checkReferences(fleet: { sites: FleetSite[]; bindings: Binding[] }, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const rigs = new Set<string>();
  const seenSites = new Set<string>();
  fleet.sites.forEach((s, si) => {
    if (seenSites.has(s.id)) issue(['sites', si, 'id'], `site ${s.id} appears twice`);
    seenSites.add(s.id);
    const pdus = new Set<string>();
    s.racks.forEach((r, ri) =>
      r.pdus.forEach((p, pi) => {
        const at = ['sites', si, 'racks', ri, 'pdus', pi];
        if (pdus.has(p.id)) issue([...at, 'id'], `PDU ${p.id} appears twice in site ${s.id}`);
        pdus.add(p.id);
        const outlets = new Set<number>();
        p.outlets.forEach((o, oi) => {
          if (outlets.has(o.outlet)) issue([...at, 'outlets', oi, 'outlet'], `outlet ${o.outlet} appears twice on PDU ${p.id}`);
          outlets.add(o.outlet);
          if (o.rig && rigs.has(o.rig)) issue([...at, 'outlets', oi, 'rig'], `rig ${o.rig} is on two outlets`);
          if (o.rig) rigs.add(o.rig);
        });
      }),
    );
  });
  fleet.bindings.forEach((b, bi) => {
    const s = fleet.sites.find((x) => x.id === b.to.site);
    if (!s) return issue(['bindings', bi, 'to', 'site'], `no site ${b.to.site} in the fleet`);
    if ('meter' in b.to && !s.meters.some((m) => m.id === (b.to as { meter: string }).meter)) issue(['bindings', bi, 'to', 'meter'], `site ${s.id} has no meter ${b.to.meter}`);
    if ('pdu' in b.to && !s.racks.some((r) => r.pdus.some((p) => p.id === (b.to as { pdu: string }).pdu))) issue(['bindings', bi, 'to', 'pdu'], `site ${s.id} has no PDU ${b.to.pdu}`);
  });
}
