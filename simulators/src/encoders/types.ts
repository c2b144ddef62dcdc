/**
 * What the encoders of the device dialects (Tasmota, Shelly, Sparkplug, line protocol) have in common.
 *
 * A device of one of those dialects does not know our site, PDU and outlet names: it is one MQTT connection with
 * its own id and numbered channels, and the fleet file's bindings say which PDU outlet (or meter) each channel is.
 * So an encoder turns the PDUs it is given into `SimDevice`s — each with its channels, its topics, its last will
 * and its bindings — and each device turns the fleet model's samples of its channels into that device's messages.
 * The model and its registers are the same in every dialect; only what goes on the wire differs.
 */
import type { MeterSample } from '../devices/meter.js';
import type { OutletSample } from '../devices/pdu.js';
import type { DeviceDialect } from '../dialects.js';
import type { SimMessage } from '../fleet.js';
import type { PduPlan, SitePlan } from '../layout.js';
import { seedFor } from '../prng.js';

/** One PDU outlet, as a device channel reads it. */
export interface ChannelRef {
  pdu: string;
  outlet: number;
}

/** What the devices of one site read at a tick: the true outlet samples and the facility meter. */
export interface TickReadings {
  outlet(ref: ChannelRef): OutletSample;
  meter: MeterSample;
}

/** An MQTT last will. */
export interface Will {
  topic: string;
  payload: string | Buffer;
  retain: boolean;
}

/** One `bindings` entry of the fleet file (docs/fleet.md): `dialect` is the server's name for it. */
export interface BindingSpec {
  match: { dialect: string; device: string; channel?: number };
  to: { site: string; pdu: string; outlet?: number } | { site: string; meter: string };
}

/** One device: one MQTT connection. Every message it returns carries `route` = its name. */
export interface SimDevice {
  readonly dialect: DeviceDialect;
  readonly site: string;
  /** Unique in the fleet: the gateway name, and the suffix of the MQTT client id. */
  readonly name: string;
  /** The id the server sees (a reading's `source.device`): Tasmota topic, Shelly id, Sparkplug path, host tag. */
  readonly device: string;
  /** What it stands for, e.g. "Shelly Pro 4PM": for the fleet file's comments and the README. */
  readonly hardware: string;
  /** Every topic it publishes on. */
  readonly topics: readonly string[];
  /** Topics it subscribes to (a Sparkplug edge node's NCMD). */
  readonly commands?: readonly string[];
  /** The will of the next connection; undefined where the real device sets none (Telegraf). */
  will(): Will | undefined;
  bindings(): BindingSpec[];
  tick(ts: number, readings: TickReadings): SimMessage[];
  /** Retained online/offline announcements (`Online` LWT, `online` true/false, NDEATH). Pure. */
  status(online: boolean): SimMessage[];
  /** A connection came up (Sparkplug: the births go out with the next tick). */
  connected(): void;
  /** The connection dropped; returns the will for the next attempt (Sparkplug: the next bdSeq). */
  disconnected(): Will | undefined;
  /** A message on one of `commands`. */
  command?(topic: string, payload: Buffer): void;
}

/** One dialect: its devices for some PDUs of a site. One file per dialect, one line in index.ts. */
export interface DialectEncoder {
  readonly name: DeviceDialect;
  /** The devices for `pdus` (all of `site`, in site order) in this dialect's natural shape. */
  devices(site: SitePlan, pdus: readonly PduPlan[], ids: DeviceIds): SimDevice[];
}

/**
 * Device ids like the MAC addresses Shelly devices are named after (`shellypro4pm-a8032ab12c40`): 12 hex digits
 * from the seed and a label, so the same PDU gets the same device in every run. A 48-bit hash can still collide
 * in a big fleet; the next label is taken then, and since sites are built in order, site-1's ids do not depend
 * on how many sites follow.
 */
export class DeviceIds {
  private readonly used = new Set<string>();

  constructor(private readonly seed: number) {}

  mac(label: string): string {
    for (let attempt = 0; ; attempt++) {
      const key = attempt === 0 ? label : `${label}#${attempt}`;
      const high = seedFor(this.seed, `${key}/mac-high`) & 0xffff;
      const low = seedFor(this.seed, `${key}/mac-low`);
      const hex = high.toString(16).padStart(4, '0') + low.toString(16).padStart(8, '0');
      if (!this.used.has(hex)) {
        this.used.add(hex);
        return hex;
      }
    }
  }
}

/**
 * Splits a PDU's outlets over multi-channel devices: as many 4-channel ones as fit, then a 2- and a 1-channel
 * one for the rest (12 outlets → 4+4+4, 11 → 4+4+2+1), so no device has a channel without an outlet behind it.
 */
export function channelGroups(pdu: PduPlan): ChannelRef[][] {
  const refs = pdu.rigs.map((r) => ({ pdu: pdu.id, outlet: r.outlet }));
  const groups: ChannelRef[][] = [];
  for (let at = 0; at < refs.length; ) {
    const left = refs.length - at;
    const size = left >= 4 ? 4 : left >= 2 ? 2 : 1;
    groups.push(refs.slice(at, at + size));
    at += size;
  }
  return groups;
}

/** One channel binding per device channel: `channel` k is that PDU outlet. */
export function channelBindings(dialect: string, device: string, site: string, channels: readonly ChannelRef[]): BindingSpec[] {
  return channels.map((c, i) => ({ match: { dialect, device, channel: i + 1 }, to: { site, pdu: c.pdu, outlet: c.outlet } }));
}

/** A status message of a device: retained unless said otherwise. */
export function statusMessage(route: string, topic: string, payload: string): SimMessage {
  return { topic, payload, readings: 0, route };
}
