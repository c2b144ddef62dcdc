// The Tahu library's generated protobuf module (sparkplug-payload ships it as lib/sparkplugPayloadProto.js).
// It is used directly instead of the library's decodePayload(), which reads UInt32 only from long_value
// (a Tahu JS quirk; the spec puts it in int_value) and throws plain Errors on odd DataSets.
import proto from 'sparkplug-payload/lib/sparkplugPayloadProto.js';
import { DecodeError } from '../../../domain/errors.js';
import { exactInteger, float32ToDecimal } from '../shared/numbers.js';

const { Payload } = proto.org.eclipse.tahu.protobuf;

/** uint64 fields decode as protobufjs Long objects (or numbers when Long is absent): both print as decimals. */
type Uint64 = number | { toString(): string };

export interface RawMetric {
  name?: string | null;
  alias?: Uint64 | null;
  timestamp?: Uint64 | null;
  datatype?: number | null;
  isNull?: boolean | null;
  intValue?: number | null;
  longValue?: Uint64 | null;
  floatValue?: number | null;
  doubleValue?: number | null;
  booleanValue?: boolean | null;
  stringValue?: string | null;
}

export interface RawPayload {
  timestamp?: Uint64 | null;
  seq?: Uint64 | null;
  metrics?: RawMetric[] | null;
}

export function decodePayload(bytes: Buffer): RawPayload {
  let message: RawPayload;
  try {
    message = Payload.decode(bytes) as RawPayload;
  } catch (err) {
    throw new DecodeError('bad_protobuf', `not a Sparkplug B payload: ${(err as Error).message}`);
  }
  return { ...onWire(message, ['timestamp', 'seq']), metrics: (message.metrics ?? []).map((m) => onWire(m, METRIC_FIELDS)) };
}

const METRIC_FIELDS = ['name', 'alias', 'timestamp', 'datatype', 'isNull', 'intValue', 'longValue', 'floatValue', 'doubleValue', 'booleanValue', 'stringValue'] as const;

/**
 * Only the fields that were on the wire. The generated classes keep defaults on their prototype (a Long 0
 * for timestamp, seq and alias), so reading an absent field would give 0, not "absent": a metric without
 * an alias would claim alias 0, a payload without a timestamp would claim 1970.
 */
function onWire<T extends object, K extends keyof T>(message: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const key of keys) {
    if (Object.prototype.hasOwnProperty.call(message, key) && message[key] !== null && message[key] !== undefined) out[key] = message[key];
  }
  return out;
}

/** Sparkplug B DataType enum (Sparkplug 3.0, ch. 6; tahu sparkplug_b.proto). */
export const DataType = {
  Int8: 1, Int16: 2, Int32: 3, Int64: 4, UInt8: 5, UInt16: 6, UInt32: 7, UInt64: 8,
  Float: 9, Double: 10, Boolean: 11, String: 12, DateTime: 13,
} as const;

function has<K extends keyof RawMetric>(m: RawMetric, key: K): boolean {
  return m[key] !== null && m[key] !== undefined;
}

export function uint64(value: Uint64 | null | undefined): bigint | undefined {
  return value === null || value === undefined ? undefined : BigInt(value.toString());
}

export function uint64Number(value: Uint64 | null | undefined, what: string): number | undefined {
  const big = uint64(value);
  return big === undefined ? undefined : exactInteger(big, what);
}

/**
 * A metric's numeric value: an exact bigint for integer types, a number for Float/Double, `null` for an
 * is_null metric, undefined when the value is not numeric (Boolean, String, DataSet, …). Integers are
 * read from whichever of int_value / long_value is set: the spec puts UInt32 in int_value, the Tahu JS
 * library in long_value. Signed types are two's complement in the unsigned wire field.
 */
export function metricValue(m: RawMetric, datatype: number | undefined): bigint | number | null | undefined {
  if (m.isNull === true) return null;
  if (has(m, 'floatValue')) return float32ToDecimal(m.floatValue!);
  if (has(m, 'doubleValue')) return m.doubleValue!;
  if (has(m, 'intValue')) {
    const v = m.intValue! >>> 0;
    if (datatype === DataType.Int8) return BigInt((v << 24) >> 24);
    if (datatype === DataType.Int16) return BigInt((v << 16) >> 16);
    if (datatype === DataType.Int32) return BigInt(v | 0);
    return BigInt(v);
  }
  if (has(m, 'longValue')) {
    const v = uint64(m.longValue)!;
    const signed = datatype === DataType.Int8 || datatype === DataType.Int16 || datatype === DataType.Int32 || datatype === DataType.Int64;
    return signed ? BigInt.asIntN(64, v) : v;
  }
  return undefined;
}

/** `Node Control/Rebirth` = true, the host's request that an edge node publish its births again (Sparkplug 3.0, 5.x). */
export function encodeRebirth(now: number): Buffer {
  const message = Payload.create({
    timestamp: now,
    metrics: [{ name: 'Node Control/Rebirth', timestamp: now, datatype: DataType.Boolean, booleanValue: true }],
  });
  return Buffer.from(Payload.encode(message).finish());
}
