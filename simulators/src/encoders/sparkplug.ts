/**
 * Sparkplug B (Eclipse Sparkplug 3.0; server/src/ingest/dialects/sparkplug.ts; fixtures
 * test/fixtures/dialects/sparkplug/), protobuf payloads encoded with the Tahu library (sparkplug-payload):
 *   spBv1.0/<site>/NBIRTH/<rack>-gw            bdSeq, Node Control/Rebirth                 first tick of a connection
 *   spBv1.0/<site>/DBIRTH/<rack>-gw/<pdu>      every outlet metric: name, alias, datatype    right after the NBIRTH
 *   spBv1.0/<site>/DDATA/<rack>-gw/<pdu>       every outlet metric by alias only             every later tick
 *   spBv1.0/<site>/NDEATH/<rack>-gw            bdSeq: the MQTT will, and published before a clean stop
 *   spBv1.0/<site>/NCMD/<rack>-gw              subscribed: `Node Control/Rebirth` = true makes it birth again
 *
 * Shape: one edge node per rack (its gateway), group = the site, one Sparkplug device per PDU with metrics
 * `Outlet <n>/Power` (Float, W), `Outlet <n>/Energy` (UInt64, Wh: the 64-bit register), `Outlet <n>/Voltage`,
 * `Outlet <n>/Current` and `Outlet <n>/Power Factor` (Float) — names the server's default quantity table reads,
 * the channel from the `Outlet <n>` segment. Float32 carries the model's values exactly: none has more than 6
 * significant digits, and the server reads a float32 back as its shortest decimal.
 *
 * Session state is per connection, as the spec wants it: `seq` 0–255 over every message of the node (node and
 * devices alike, 255 → 0), starting at 0 with each NBIRTH; births before any DATA, on every (re)connect and on a
 * rebirth request; `bdSeq` the same in the NBIRTH and the will of one connection, and the next for the next
 * connection, so a late will of an old connection cannot end a new session. While disconnected no DATA is
 * produced: the host has declared the node dead, and its next session starts with births.
 */
import sparkplug from 'sparkplug-payload';
import type { OutletSample } from '../devices/pdu.js';
import type { SimMessage } from '../fleet.js';
import type { PduPlan, SitePlan } from '../layout.js';
import { fromSteps } from '../quantize.js';
import type { BindingSpec, DialectEncoder, SimDevice, TickReadings, Will } from './types.js';

const tahu = sparkplug.get('spBv1.0');
if (!tahu) throw new Error('sparkplug-payload has no spBv1.0 codec');
const { encodePayload, decodePayload } = tahu;
type Payload = Parameters<typeof encodePayload>[0];
type Metric = NonNullable<Payload['metrics']>[number];

const NAMESPACE = 'spBv1.0';
const REBIRTH = 'Node Control/Rebirth';

/** The metrics of one outlet, in order: their aliases are consecutive. */
const OUTLET_METRICS: ReadonlyArray<{ name: string; type: 'Float' | 'UInt64'; value: (o: OutletSample) => number }> = [
  { name: 'Power', type: 'Float', value: (o) => fromSteps('power', o.powerDw) },
  { name: 'Energy', type: 'UInt64', value: (o) => o.energyWh },
  { name: 'Voltage', type: 'Float', value: (o) => fromSteps('voltage', o.voltageSteps) },
  { name: 'Current', type: 'Float', value: (o) => fromSteps('current', o.currentMa) },
  { name: 'Power Factor', type: 'Float', value: (o) => fromSteps('pf', o.pfSteps) },
];

export const sparkplugB: DialectEncoder = {
  name: 'sparkplug',
  devices: (site: SitePlan, pdus: readonly PduPlan[]) => {
    const racks = new Map<string, PduPlan[]>();
    for (const pdu of pdus) {
      const rack = racks.get(pdu.rack);
      if (rack) rack.push(pdu);
      else racks.set(pdu.rack, [pdu]);
    }
    return [...racks].map(([rack, rackPdus]) => new SparkplugEdgeNode(site.id, rack, rackPdus));
  },
};

export class SparkplugEdgeNode implements SimDevice {
  readonly dialect = 'sparkplug';
  readonly hardware = 'Sparkplug B edge gateway';
  readonly name: string;
  readonly device: string;
  readonly edge: string;
  readonly topics: readonly string[];
  readonly commands: readonly string[];
  private seq = 0;
  private bdSeq = 0;
  private needBirth = true;
  private online = true;

  constructor(
    readonly site: string,
    rack: string,
    readonly pdus: readonly PduPlan[],
  ) {
    this.edge = `${rack}-gw`;
    this.name = `${site}-${this.edge}`;
    this.device = `${site}/${this.edge}`;
    const node = (type: string) => `${NAMESPACE}/${site}/${type}/${this.edge}`;
    this.topics = [node('NBIRTH'), node('NDEATH'), ...pdus.flatMap((p) => [`${node('DBIRTH')}/${p.id}`, `${node('DDATA')}/${p.id}`])];
    this.commands = [node('NCMD')];
  }

  will(): Will {
    return { topic: `${NAMESPACE}/${this.site}/NDEATH/${this.edge}`, payload: this.death(), retain: false };
  }

  /**
   * Each PDU device is its PDU (outlet = channel). The node itself has no outlet values; it is bound to its
   * rack's first PDU so that its birth and death have a site (an unbound status would show as site `unassigned`).
   */
  bindings(): BindingSpec[] {
    const pdus = this.pdus.map((p) => ({ match: { dialect: 'sparkplug', device: `${this.device}/${p.id}` }, to: { site: this.site, pdu: p.id } }));
    const first = this.pdus[0] as PduPlan;
    return [{ match: { dialect: 'sparkplug', device: this.device }, to: { site: this.site, pdu: first.id } }, ...pdus];
  }

  tick(ts: number, r: TickReadings): SimMessage[] {
    if (!this.online) return [];
    if (!this.needBirth) return this.pdus.map((pdu, p) => this.message(ts, `DDATA/${this.edge}/${pdu.id}`, this.metrics(ts, r, pdu, p, false), pdu.rigs.length));
    this.needBirth = false;
    this.seq = 0;
    const nbirth = [
      { name: 'bdSeq', type: 'Int64' as const, value: this.bdSeq, timestamp: ts },
      { name: REBIRTH, type: 'Boolean' as const, value: false, timestamp: ts },
    ];
    return [
      this.message(ts, `NBIRTH/${this.edge}`, nbirth, 0),
      ...this.pdus.map((pdu, p) => this.message(ts, `DBIRTH/${this.edge}/${pdu.id}`, this.metrics(ts, r, pdu, p, true), pdu.rigs.length)),
    ];
  }

  /** Online: nothing — the births go out with the next tick, when there are values to carry. Offline: NDEATH. */
  status(online: boolean): SimMessage[] {
    if (online) return [];
    const payload = this.death();
    return [{ topic: `${NAMESPACE}/${this.site}/NDEATH/${this.edge}`, payload: payload.toString('base64'), bytes: payload, readings: 0, retain: false, route: this.name }];
  }

  connected(): void {
    this.online = true;
    this.needBirth = true;
  }

  disconnected(): Will {
    this.online = false;
    this.bdSeq = (this.bdSeq + 1) % 256;
    return this.will();
  }

  /** A host's rebirth request (NCMD `Node Control/Rebirth` = true): births again with the next tick. */
  command(_topic: string, payload: Buffer): void {
    let metrics: Metric[];
    try {
      metrics = decodePayload(payload).metrics ?? [];
    } catch {
      return; // not a Sparkplug payload: nothing a node would act on
    }
    if (metrics.some((m) => m.name === REBIRTH && m.value === true)) this.needBirth = true;
  }

  /** The values of one PDU's outlets; births name every metric with its alias and type, DATA sends the alias. */
  private metrics(ts: number, r: TickReadings, pdu: PduPlan, p: number, birth: boolean): Metric[] {
    return pdu.rigs.flatMap(({ outlet }, i) => {
      const sample = r.outlet({ pdu: pdu.id, outlet });
      return OUTLET_METRICS.map((m, k) => {
        const alias = this.alias(p, i, k);
        const metric: Metric = { alias, type: m.type, value: m.value(sample), timestamp: ts };
        return birth ? { name: `Outlet ${outlet}/${m.name}`, ...metric } : metric;
      });
    });
  }

  /** Unique within the node (the spec's rule), 1-based, stable for the node's lifetime. */
  private alias(p: number, i: number, k: number): number {
    const before = this.pdus.slice(0, p).reduce((n, pdu) => n + pdu.rigs.length, 0);
    return 1 + (before + i) * OUTLET_METRICS.length + k;
  }

  private message(ts: number, path: string, metrics: Metric[], readings: number): SimMessage {
    const seq = this.seq;
    this.seq = (this.seq + 1) % 256;
    const bytes = Buffer.from(encodePayload({ timestamp: ts, seq, metrics }));
    return { topic: `${NAMESPACE}/${this.site}/${path}`, payload: bytes.toString('base64'), bytes, readings, route: this.name };
  }

  private death(): Buffer {
    return Buffer.from(encodePayload({ metrics: [{ name: 'bdSeq', type: 'Int64', value: this.bdSeq }] }));
  }
}
