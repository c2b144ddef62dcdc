import { DecodeError } from '../../domain/errors.js';
import type { OutletReading } from '../../domain/reading.js';
import { clip } from '../../domain/values.js';
import { emptyDecoded, type DecodeContext, type Dialect } from '../dialect.js';
import { parseLineProtocol, type FieldValue, type Point, type Precision } from './line-protocol/parser.js';
import { toRejection } from './native.js';
import { outletReading } from './shared/device.js';
import { deviceTimestamp } from './shared/local-time.js';
import { exactInteger, scaleDecimal } from './shared/numbers.js';
import { checkChannel, checkQuantity, normalizeName, quantityNames, type Fields, type QuantityNames, type QuantityRule } from './shared/quantities.js';
import { DEFAULT_MAX_DEVICES, LastPower } from './shared/state.js';

/**
 * InfluxDB line protocol over MQTT, as Telegraf's mqtt_consumer takes it (data_format = "influx"):
 *   telegraf/<host>/<measurement>   pdu,host=rack1-pdu,outlet=3 power_w=3250.5,energy_wh=123456789i 1767225540000000000
 * One payload may hold many lines. A line whose measurement is in `measurements` becomes an outlet
 * reading: its fields are looked up in the quantity names (shared/quantities.ts: power_w/power/watts W,
 * energy_wh/wh Wh, kwh/energy_kwh ×1000, voltage, current, pf …), the device is the first of `deviceTags`
 * present (else the topic level after the prefix) and the channel the first of `channelTags` (else 1).
 * Other measurements (cpu, mem: Telegraf sends them too) are skipped. A line without a timestamp gets the
 * server clock, as InfluxDB itself would give it.
 */
export interface LineProtocolOptions {
  /** First topic levels this dialect owns; default `telegraf`. */
  topicPrefixes?: readonly string[];
  /** Unit of the timestamps (Telegraf's `precision`); default ns. */
  precision?: Precision;
  /** Measurements read as outlet readings (case-insensitive); default pdu, power, outlet, shelly, energy. */
  measurements?: readonly string[];
  /** Field names overlaid on shared/quantities.ts's defaults; `null` skips a name. */
  fieldNames?: QuantityNames;
  deviceTags?: readonly string[];
  channelTags?: readonly string[];
  maxDevices?: number;
}

const NAME = 'line-protocol';

export function lineProtocolDialect(opts: LineProtocolOptions = {}): Dialect {
  const prefixes = (opts.topicPrefixes ?? ['telegraf']).map((p) => `${p}/`);
  const precision = opts.precision ?? 'ns';
  const measurements = new Set((opts.measurements ?? ['pdu', 'power', 'outlet', 'shelly', 'energy']).map((m) => m.toLowerCase()));
  const mapping: Mapping = {
    names: quantityNames(opts.fieldNames),
    deviceTags: opts.deviceTags ?? ['device', 'host'],
    channelTags: opts.channelTags ?? ['outlet', 'channel'],
    lastPower: new LastPower(opts.maxDevices ?? DEFAULT_MAX_DEVICES),
  };
  return {
    name: NAME,
    subscriptions: prefixes.map((p) => `${p}#`),
    matches: (topic) => prefixes.some((p) => topic.startsWith(p)),
    decode(topic, payload, ctx) {
      const prefix = prefixes.find((p) => topic.startsWith(p));
      if (prefix === undefined) throw new DecodeError('unknown_topic', `topic ${clip(topic)} is not under a line-protocol prefix`);
      const topicDevice = topic.slice(prefix.length).split('/')[0] ?? '';
      const lines = parseLineProtocol(decodeUtf8(payload), precision);
      if (lines.length === 0) throw new DecodeError('bad_line_protocol', 'payload holds no line');
      const out = emptyDecoded();
      for (const line of lines) {
        if ('error' in line) out.rejects.push({ reason: 'bad_line_protocol', message: line.error });
        else if (measurements.has(line.point.measurement.toLowerCase())) {
          try {
            const reading = toReading(line.point, topicDevice, mapping, ctx);
            if (reading) out.readings.push(reading);
          } catch (err) {
            if (!(err instanceof DecodeError)) throw err;
            out.rejects.push(toRejection(err));
          }
        }
      }
      return out;
    },
  };
}

interface Mapping {
  names: Map<string, QuantityRule | null>;
  deviceTags: readonly string[];
  channelTags: readonly string[];
  lastPower: LastPower;
}

function toReading(point: Point, topicDevice: string, m: Mapping, ctx: DecodeContext): OutletReading | undefined {
  const device = m.deviceTags.map((t) => point.tags.get(t)).find((v) => v !== undefined) ?? topicDevice;
  if (device === '') throw new DecodeError('bad_id', `${point.measurement}: no device tag (${m.deviceTags.join(', ')}) and no host level in the topic`);
  const channelTag = m.channelTags.map((t) => point.tags.get(t)).find((v) => v !== undefined);
  const channel = channelTag === undefined ? 1 : parseChannel(channelTag, point.measurement);
  const fields: Fields = {};
  for (const { key, value } of point.fields) {
    const rule = m.names.get(normalizeName(key));
    if (rule) fields[rule.quantity] = fieldQuantity(value, rule, `${point.measurement}.${key}`);
  }
  if (Object.keys(fields).length === 0) return undefined;
  // ns → ms by bigint division: the ns value itself is above 2^53.
  const ts = point.time === undefined ? ctx.now : deviceTimestamp(Number(point.time / 1_000_000n), ctx);
  const complete = m.lastPower.complete(device, channel, fields);
  return complete && outletReading({ dialect: NAME, device, channel, metric: point.measurement }, ts, complete);
}

function decodeUtf8(payload: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(payload);
  } catch {
    throw new DecodeError('bad_line_protocol', 'payload is not valid UTF-8');
  }
}

function parseChannel(tag: string, measurement: string): number {
  if (!/^\d{1,5}$/.test(tag)) throw new DecodeError('bad_outlet', `${measurement}: channel tag "${clip(tag, 20)}" is not a number`);
  return checkChannel(Number(tag), measurement);
}

/**
 * A field's value in our unit. Integers (`i`, `u`) are exact bigints and must stay below 2^53; floats
 * are scaled on their text as sent (1.234 kWh → 1234 Wh exactly). Strings and booleans are not numbers.
 */
function fieldQuantity(value: FieldValue, rule: QuantityRule, name: string): number {
  const pow10 = rule.pow10 ?? 0;
  let scaled: number;
  if (value.type === 'float') scaled = scaleDecimal(value.text, pow10);
  else if (value.type === 'int' || value.type === 'uint') {
    scaled = pow10 >= 0 ? exactInteger(value.value * 10n ** BigInt(pow10), name) : scaleDecimal(value.value.toString(), pow10);
  } else throw new DecodeError('wrong_type', `${name} must be a number, got a ${value.type}`);
  return checkQuantity(rule.quantity, scaled, name);
}
