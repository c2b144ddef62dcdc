import { DecodeError } from '../../domain/errors.js';
import { clip } from '../../domain/values.js';
import { emptyDecoded, type Decoded, type Dialect } from '../dialect.js';
import { deviceStatus, outletReading } from './shared/device.js';
import { checkChannel, checkQuantity, type Fields, type Quantity } from './shared/quantities.js';
import { DEFAULT_MAX_DEVICES, LastPower } from './shared/state.js';
import { parseOnline } from './shared/topic.js';

/**
 * Shelly Gen1 (ESP8266 "shellies/" firmware; fixture shelly-gen1-topics.txt). One plain-text number per
 * topic, no timestamp:
 *   shellies/<id>/relay/<n>/power     W              shellies/<id>/emeter/<n>/power     W
 *   shellies/<id>/relay/<n>/energy    watt-MINUTES   shellies/<id>/emeter/<n>/total     Wh (non-volatile)
 *   shellies/<id>/light/<n>/...       as relay       shellies/<id>/emeter/<n>/voltage|current|pf
 *   shellies/<id>/online              true | false (retained; false is the last will)
 * Each message becomes one reading of channel n+1 holding that one value, with the channel's last
 * reported power (see LastPower) and ts = server time: Gen1 sends no device time, the one exception to
 * "ts from the device". Readings of the same channel at the same ms merge in the stores.
 * emeter/<n>/energy (watt-minutes, may reset) is not read: emeter/<n>/total is the lifetime register.
 */
export interface ShellyGen1Options {
  maxDevices?: number;
}

const NAME = 'shelly-gen1';
const PREFIX = 'shellies/';

type Unit = { quantity: Quantity; divide?: number };
const RELAY: Readonly<Record<string, Unit>> = {
  power: { quantity: 'power_w' },
  // "reports the amount of energy consumed in Watt-minute" (Gen1 docs): ÷60 gives Wh.
  energy: { quantity: 'energy_wh', divide: 60 },
};
const EMETER: Readonly<Record<string, Unit | null>> = {
  power: { quantity: 'power_w' },
  total: { quantity: 'energy_wh' },
  voltage: { quantity: 'voltage_v' },
  current: { quantity: 'current_a' },
  pf: { quantity: 'pf' },
  // Published alongside, deliberately not read: export, reactive power and the resettable Wmin counter.
  energy: null,
  returned_energy: null,
  total_returned: null,
  reactive_power: null,
};
const CHANNEL_KINDS: Readonly<Record<string, Readonly<Record<string, Unit | null>>>> = { relay: RELAY, light: RELAY, emeter: EMETER };
// Only the values read: `relay/+/+` would also bring every `relay/<n>/command` someone else publishes.
const SUBSCRIPTIONS = Object.entries(CHANNEL_KINDS).flatMap(([kind, units]) =>
  Object.entries(units).flatMap(([value, unit]) => (unit ? [`shellies/+/${kind}/+/${value}`] : [])),
);

export function shellyGen1Dialect(opts: ShellyGen1Options = {}): Dialect {
  const lastPower = new LastPower(opts.maxDevices ?? DEFAULT_MAX_DEVICES);
  return {
    name: NAME,
    subscriptions: ['shellies/+/online', ...SUBSCRIPTIONS],
    matches: (topic) => parse(topic) !== undefined,
    decode(topic, payload, ctx) {
      const t = parse(topic);
      if (!t) throw new DecodeError('unknown_topic', `topic ${clip(topic)} is not a Shelly Gen1 metering topic`);
      if (t.kind === 'online') return decodeOnline(t.device, payload);
      if (!t.unit) return emptyDecoded();
      const channel = checkChannel(Number(t.index) + 1, `topic ${clip(topic)}`);
      let value = parseNumber(payload, t.unit.quantity);
      if (t.unit.divide) value /= t.unit.divide; // one correctly rounded division: 50 Wmin → 0.8333… Wh, no drift
      const fields: Fields = { [t.unit.quantity]: checkQuantity(t.unit.quantity, value) };
      const complete = lastPower.complete(t.device, channel, fields);
      // An energy or voltage report before any power report (e.g. just after a restart) has no power to go with.
      if (!complete) return emptyDecoded();
      return { ...emptyDecoded(), readings: [outletReading({ dialect: NAME, device: t.device, channel }, ctx.now, complete)] };
    },
  };
}

interface Gen1Topic {
  device: string;
  kind: string;
  index?: string;
  unit?: Unit | null;
}

function parse(topic: string): Gen1Topic | undefined {
  if (!topic.startsWith(PREFIX)) return undefined;
  const levels = topic.slice(PREFIX.length).split('/');
  const [device, kind, index, value] = levels;
  if (!device) return undefined;
  if (levels.length === 2 && kind === 'online') return { device, kind };
  const units = kind === undefined ? undefined : CHANNEL_KINDS[kind];
  if (levels.length !== 4 || !units || !/^\d{1,4}$/.test(index ?? '') || value === undefined) return undefined;
  // Relay topics other than power/energy (overpower_value, command) are not ours: left unmatched.
  if (!(value in units)) return undefined;
  return { device, kind: kind!, index, unit: units[value] };
}

function decodeOnline(device: string, payload: Buffer): Decoded {
  const online = parseOnline(payload, 'true', 'false');
  if (online === undefined) throw new DecodeError('bad_status', `online must be "true" or "false", got "${clip(payload.toString('utf8'), 20)}"`);
  return { ...emptyDecoded(), statuses: [deviceStatus(NAME, device, online)] };
}

/** A bare decimal as the firmware prints it ("101.123", "50"); nothing else passes as a number. */
function parseNumber(payload: Buffer, quantity: Quantity): number {
  const text = payload.toString('utf8').trim();
  if (/^[+-]?(nan|inf(inity)?)$/i.test(text)) throw new DecodeError('not_finite', `${quantity} is ${clip(text, 20)}`);
  if (!/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text)) throw new DecodeError('wrong_type', `${quantity} must be a plain number, got "${clip(text, 20)}"`);
  return Number(text);
}
