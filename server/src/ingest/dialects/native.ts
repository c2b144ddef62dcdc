import { DecodeError, type Rejection } from '../../domain/errors.js';
import { isId } from '../../domain/ids.js';
import type { MeterReading, MinerReading, OutletReading } from '../../domain/reading.js';
import { clip, readNumber, readOptionalNumber, readTimestamp, type Bounds } from '../../domain/values.js';
import { emptyDecoded, type Decoded, type Dialect } from '../dialect.js';

/**
 * Kilowatch's own format (v1), the one PDU gateways publish to. Documented in docs/payloads.md:
 *   <root>/<site>/pdu/<pdu>          {"ts", "outlets": [{"outlet", "rig"?, "power_w", ...}]}
 *   <root>/<site>/miner/<rig>        {"ts", "hashrate_ths", "model"?, "temp_c"?}
 *   <root>/<site>/meter/<meter>      {"ts", "power_w", "energy_wh"?}
 *   <root>/<site>/pdu/<pdu>/status   online | offline  (retained, the gateway's last will)
 */

// Physical bounds. An outlet is at most a 100 kW feed at 1000 V (far above any rack PDU: a 3-phase
// 415 V 60 A PDU is ~43 kW); a facility meter at most 5 GW; a single ASIC at most 10 PH/s.
const OUTLET_POWER_W: Bounds = { min: 0, max: 100_000 };
const VOLTAGE_V: Bounds = { min: 0, max: 1000 };
const CURRENT_A: Bounds = { min: 0, max: 1000 };
const POWER_FACTOR: Bounds = { min: -1, max: 1 };
const ENERGY_WH: Bounds = { min: 0, max: Number.MAX_SAFE_INTEGER };
const METER_POWER_W: Bounds = { min: 0, max: 5e9 };
const HASHRATE_THS: Bounds = { min: 0, max: 10_000 };
const TEMP_C: Bounds = { min: -60, max: 200 };
const MAX_OUTLET = 10_000;

export function nativeDialect(root = 'kilowatch'): Dialect {
  const prefix = `${root}/`;
  return {
    name: 'native',
    subscriptions: [`${root}/#`],
    matches: (topic) => topic.startsWith(prefix),
    decode(topic, payload, ctx) {
      const levels = topic.slice(prefix.length).split('/');
      const [site, kind, device, sub] = levels;
      if (!isId(site) || !isId(device)) {
        throw new DecodeError('unknown_topic', `topic ${clip(topic)} has a malformed site or device id`);
      }
      if (kind === 'pdu' && levels.length === 4 && sub === 'status') return decodeStatus(site, device, payload);
      if (levels.length !== 3) throw new DecodeError('unknown_topic', `topic ${clip(topic)} is not a v1 topic`);
      const body = parseObject(payload);
      const ts = readTimestamp(body.ts, ctx.now, ctx.maxFutureSkewMs);
      switch (kind) {
        case 'pdu':
          return decodePdu(site, device, ts, body);
        case 'miner':
          return { ...emptyDecoded(), readings: [decodeMiner(site, device, ts, body)] };
        case 'meter':
          return { ...emptyDecoded(), readings: [decodeMeter(site, device, ts, body)] };
        default:
          throw new DecodeError('unknown_topic', `topic ${clip(topic)}: unknown device kind "${clip(kind ?? '', 20)}"`);
      }
    },
  };
}

export function parseObject(payload: Buffer): Record<string, unknown> {
  let body: unknown;
  try {
    // fatal: invalid UTF-8 is an error, not silently replaced characters.
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (err) {
    throw new DecodeError('not_json', (err as Error).message);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DecodeError('not_object', 'payload must be a JSON object');
  }
  return body as Record<string, unknown>;
}

function decodeStatus(site: string, pdu: string, payload: Buffer): Decoded {
  const text = payload.toString('utf8').trim().toLowerCase();
  if (text !== 'online' && text !== 'offline') {
    throw new DecodeError('bad_status', `status must be "online" or "offline", got "${clip(text, 20)}"`);
  }
  return { ...emptyDecoded(), statuses: [{ kind: 'status', site, pdu, online: text === 'online' }] };
}

/** Each outlet stands alone: one bad outlet is rejected, the others in the message are kept. */
function decodePdu(site: string, pdu: string, ts: number, body: Record<string, unknown>): Decoded {
  const outlets = body.outlets;
  if (!Array.isArray(outlets)) throw new DecodeError('wrong_type', 'outlets must be an array');
  const result = emptyDecoded();
  for (const item of outlets) {
    try {
      result.readings.push(decodeOutlet(site, pdu, ts, item));
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      result.rejects.push(toRejection(err));
    }
  }
  return result;
}

function decodeOutlet(site: string, pdu: string, ts: number, item: unknown): OutletReading {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw new DecodeError('wrong_type', 'each outlet must be an object');
  }
  const o = item as Record<string, unknown>;
  const outlet = o.outlet;
  if (typeof outlet !== 'number' || !Number.isInteger(outlet) || outlet < 1 || outlet > MAX_OUTLET) {
    throw new DecodeError('bad_outlet', `outlet must be an integer from 1 to ${MAX_OUTLET}`);
  }
  const reading: OutletReading = {
    kind: 'outlet',
    site,
    pdu,
    outlet,
    ts,
    power_w: readNumber(o, 'power_w', OUTLET_POWER_W, 'missing_power'),
  };
  if (o.rig !== undefined && o.rig !== null) {
    if (!isId(o.rig)) throw new DecodeError('bad_id', `outlet ${outlet}: rig id is malformed`);
    reading.rig = o.rig;
  }
  assignOptional(reading, o, 'energy_wh', ENERGY_WH);
  assignOptional(reading, o, 'voltage_v', VOLTAGE_V);
  assignOptional(reading, o, 'current_a', CURRENT_A);
  assignOptional(reading, o, 'pf', POWER_FACTOR);
  return reading;
}

function decodeMiner(site: string, rig: string, ts: number, body: Record<string, unknown>): MinerReading {
  const reading: MinerReading = {
    kind: 'miner',
    site,
    rig,
    ts,
    hashrate_ths: readNumber(body, 'hashrate_ths', HASHRATE_THS, 'missing_hashrate'),
  };
  if (body.model !== undefined && body.model !== null) {
    if (typeof body.model !== 'string' || body.model.length === 0 || body.model.length > 64) {
      throw new DecodeError('wrong_type', 'model must be a string of 1–64 characters');
    }
    reading.model = body.model;
  }
  assignOptional(reading, body, 'temp_c', TEMP_C);
  return reading;
}

function decodeMeter(site: string, meter: string, ts: number, body: Record<string, unknown>): MeterReading {
  const reading: MeterReading = { kind: 'meter', site, meter, ts, power_w: readNumber(body, 'power_w', METER_POWER_W, 'missing_power') };
  assignOptional(reading, body, 'energy_wh', ENERGY_WH);
  return reading;
}

function assignOptional<T extends object>(target: T, source: Record<string, unknown>, key: keyof T & string, bounds: Bounds): void {
  const value = readOptionalNumber(source, key, bounds);
  if (value !== undefined) (target as Record<string, unknown>)[key] = value;
}

export function toRejection(err: DecodeError): Rejection {
  return { reason: err.reason, message: err.message };
}
