import { DecodeError } from '../../domain/errors.js';
import type { OutletReading } from '../../domain/reading.js';
import { clip } from '../../domain/values.js';
import { emptyDecoded, type DecodeContext, type Decoded, type Dialect } from '../dialect.js';
import { parseObject, toRejection } from './native.js';
import { deviceStatus, outletReading } from './shared/device.js';
import { checkUtcOffset, deviceTimestamp, localTimeToUtc, type UtcOffset } from './shared/local-time.js';
import { scaleDecimal } from './shared/numbers.js';
import { checkQuantity, type Fields } from './shared/quantities.js';
import { matchLevels, parseOnline } from './shared/topic.js';

/**
 * Tasmota (tasmota/docs MQTT.md, Commands.md; fixtures tasmota-*.json):
 *   tele/<topic>/SENSOR  {"Time": local time, "ENERGY": {"Power", "Voltage", "Current", "Factor", "Total" kWh, ...}}
 *   tele/<topic>/STATE   uptime, Wi-Fi, relay state: no power data, accepted and ignored
 *   tele/<topic>/LWT     Online | Offline (retained; Offline is the broker-published last will)
 * FullTopic is configurable on the device (e.g. `tasmota/%topic%/%prefix%/`), so it is here too.
 */
export interface TasmotaOptions {
  /** The devices' FullTopic; default `%prefix%/%topic%/`. %topic%, %hostname% and %id% name the device. */
  fullTopic?: string;
  /** `Time` is the device's local time: per device (its %topic%), minutes east of UTC or an IANA zone. */
  utcOffsets?: Readonly<Record<string, UtcOffset>>;
  /** For devices not in `utcOffsets`; default 0 (UTC). */
  defaultUtcOffset?: UtcOffset;
}

const NAME = 'tasmota';
const MESSAGES = ['SENSOR', 'STATE', 'LWT'] as const;
type Message = (typeof MESSAGES)[number];
const IDENTITY_TOKENS = new Set(['%topic%', '%hostname%', '%id%']);

export function tasmotaDialect(opts: TasmotaOptions = {}): Dialect {
  const pattern = (opts.fullTopic ?? '%prefix%/%topic%/').split('/').filter((level) => level !== '');
  if (!pattern.includes('%prefix%') || !pattern.some((l) => IDENTITY_TOKENS.has(l))) {
    throw new RangeError('tasmota fullTopic must contain %prefix% and one of %topic%, %hostname%, %id%');
  }
  const filter = pattern.map((l) => (l === '%prefix%' ? 'tele' : IDENTITY_TOKENS.has(l) ? '+' : l));
  const offsets = { ...opts.utcOffsets };
  const defaultOffset = opts.defaultUtcOffset ?? 0;
  for (const [device, offset] of Object.entries(offsets)) checkUtcOffset(offset, `tasmota utcOffsets.${device}`);
  checkUtcOffset(defaultOffset, 'tasmota defaultUtcOffset');

  const parse = (topic: string): { device: string; message: Message } | undefined => {
    const levels = topic.split('/');
    const message = levels.pop() as Message;
    if (!MESSAGES.includes(message) || !matchLevels(filter, levels)) return undefined;
    const device = pattern.flatMap((l, i) => (IDENTITY_TOKENS.has(l) ? [levels[i]!] : [])).join('/');
    return device === '' ? undefined : { device, message };
  };

  return {
    name: NAME,
    subscriptions: MESSAGES.map((m) => [...filter, m].join('/')),
    matches: (topic) => parse(topic) !== undefined,
    decode(topic, payload, ctx) {
      const t = parse(topic);
      if (!t) throw new DecodeError('unknown_topic', `topic ${clip(topic)} is not a Tasmota tele topic`);
      if (t.message === 'STATE') return emptyDecoded();
      if (t.message === 'LWT') return decodeLwt(t.device, payload);
      return decodeSensor(t.device, parseObject(payload), offsets[t.device] ?? defaultOffset, ctx);
    },
  };
}

function decodeLwt(device: string, payload: Buffer): Decoded {
  const online = parseOnline(payload, 'online', 'offline');
  if (online === undefined) throw new DecodeError('bad_status', `LWT must be "Online" or "Offline", got "${clip(payload.toString('utf8'), 20)}"`);
  return { ...emptyDecoded(), statuses: [deviceStatus(NAME, device, online)] };
}

function decodeSensor(device: string, body: Record<string, unknown>, offset: UtcOffset, ctx: DecodeContext): Decoded {
  const energy = body.ENERGY;
  // A sensor-only device (temperature, ADC) publishes SENSOR without ENERGY: valid, nothing to read.
  if (energy === undefined) return emptyDecoded();
  if (typeof energy !== 'object' || energy === null || Array.isArray(energy)) throw new DecodeError('wrong_type', 'ENERGY must be an object');
  const ts = deviceTime(body.Time, offset, ctx);
  const columns = readColumns(energy as Record<string, unknown>);
  const result = emptyDecoded();
  columns.power.forEach((_, i) => {
    try {
      result.readings.push(channelReading(device, i, ts, columns));
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      result.rejects.push(toRejection(err));
    }
  });
  return result;
}

function deviceTime(value: unknown, offset: UtcOffset, ctx: DecodeContext): number {
  if (value === undefined || value === null) throw new DecodeError('missing_ts', 'Time is required');
  if (typeof value !== 'string') throw new DecodeError('wrong_type', 'Time must be a string');
  // deviceTimestamp then applies the same checks as every dialect: not before 2000 (a clock never set by
  // NTP reads 1970), not ahead of the server clock beyond the allowed skew.
  return deviceTimestamp(localTimeToUtc(value, offset), ctx);
}

interface Columns {
  power: unknown[];
  voltage?: unknown[];
  current?: unknown[];
  factor?: unknown[];
  totalKwh?: unknown[];
}

/**
 * Tasmota's energy driver (xdrv_03_energy) prints a field as an array, one entry per channel, when the
 * device has more than one (Shelly 2.5: "Power":[23.63,67.17]). Voltage stays a scalar when the channels
 * share it ("Voltage":229.3), and Total/Today/Yesterday stay a scalar sum unless SetOption129 1 splits
 * them: a summed Total belongs to no one outlet, so it is left out. Today/Yesterday (kWh) and Period (Wh,
 * since the last teleperiod) are not lifetime registers and are not read.
 */
function readColumns(energy: Record<string, unknown>): Columns {
  const power = energy.Power;
  if (power === undefined || power === null) throw new DecodeError('missing_power', 'ENERGY.Power is required');
  const channels = Array.isArray(power) ? power.length : 1;
  if (channels === 0) throw new DecodeError('wrong_type', 'ENERGY.Power is an empty array');
  const column = (key: string, sharedScalar: boolean): unknown[] | undefined => {
    const value = energy[key];
    if (value === undefined || value === null) return undefined;
    if (Array.isArray(value)) {
      if (value.length !== channels) throw new DecodeError('wrong_type', `ENERGY.${key} has ${value.length} entries for ${channels} channels`);
      return value;
    }
    if (channels === 1) return [value];
    return sharedScalar ? new Array<unknown>(channels).fill(value) : undefined;
  };
  return {
    power: Array.isArray(power) ? power : [power],
    voltage: column('Voltage', true),
    current: column('Current', false),
    factor: column('Factor', false),
    totalKwh: column('Total', false),
  };
}

function channelReading(device: string, i: number, ts: number, c: Columns): OutletReading {
  const fields: Fields & { power_w: number } = { power_w: checkQuantity('power_w', c.power[i], `Power[${i}]`) };
  if (c.voltage?.[i] != null) fields.voltage_v = checkQuantity('voltage_v', c.voltage[i], 'Voltage');
  if (c.current?.[i] != null) fields.current_a = checkQuantity('current_a', c.current[i], 'Current');
  if (c.factor?.[i] != null) fields.pf = checkQuantity('pf', c.factor[i], 'Factor');
  if (c.totalKwh?.[i] != null) fields.energy_wh = kwhToWh(c.totalKwh[i]);
  return outletReading({ dialect: NAME, device, channel: i + 1 }, ts, fields);
}

/** Total is kWh with EnergyRes decimals (3 by default): scaled on its decimal text, so 6.294 → 6294 Wh exactly. */
function kwhToWh(value: unknown): number {
  const kwh = checkQuantity('energy_wh', value, 'Total');
  return checkQuantity('energy_wh', scaleDecimal(kwh, 3), 'Total (Wh)');
}
