import { ID_PATTERN } from '../../../domain/ids.js';
import type { DeviceStatus, OutletReading } from '../../../domain/reading.js';
import type { Fields } from './quantities.js';

/**
 * What a device that does not know our names (Tasmota, Shelly, Sparkplug, line protocol) decodes into:
 * an outlet reading of site `unassigned`, with a PDU id derived from the device, until the fleet
 * registry binds `source` to a real site, PDU outlet, rig or meter.
 */
export const UNASSIGNED_SITE = 'unassigned';

/**
 * `<dialect>.<device>` as a valid id ([A-Za-z0-9_.-]{1,64}). Replacing characters or cutting the length
 * could merge two devices into one PDU ("rack 1" and "rack_1"), so whenever the raw name is not already
 * a valid id, a hash of it is appended.
 */
export function pduIdFor(dialect: string, device: string): string {
  const raw = `${dialect}.${device}`;
  if (ID_PATTERN.test(raw)) return raw;
  const suffix = `-${fnv1a32(raw)}`;
  return raw.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64 - suffix.length) + suffix;
}

/** FNV-1a over UTF-16 code units, as 8 hex digits: short, stable, no dependency. Not a security hash. */
function fnv1a32(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

export interface SourceRef {
  dialect: string;
  device: string;
  channel: number;
  metric?: string;
}

export function outletReading(src: SourceRef, ts: number, fields: Fields & { power_w: number }): OutletReading {
  const reading: OutletReading = {
    kind: 'outlet',
    site: UNASSIGNED_SITE,
    pdu: pduIdFor(src.dialect, src.device),
    outlet: src.channel,
    ts,
    power_w: fields.power_w,
  };
  // Only what the device reported: an absent key, not `undefined`, so stores and JSON see the same thing.
  if (fields.energy_wh !== undefined) reading.energy_wh = fields.energy_wh;
  if (fields.voltage_v !== undefined) reading.voltage_v = fields.voltage_v;
  if (fields.current_a !== undefined) reading.current_a = fields.current_a;
  if (fields.pf !== undefined) reading.pf = fields.pf;
  reading.source = { dialect: src.dialect, device: src.device, channel: src.channel };
  if (src.metric !== undefined) reading.source.metric = src.metric;
  return reading;
}

export function deviceStatus(dialect: string, device: string, online: boolean): DeviceStatus {
  return { kind: 'status', site: UNASSIGNED_SITE, pdu: pduIdFor(dialect, device), online };
}
