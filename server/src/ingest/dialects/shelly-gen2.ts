import { DecodeError } from '../../domain/errors.js';
import { clip } from '../../domain/values.js';
import { emptyDecoded, type DecodeContext, type Decoded, type Dialect } from '../dialect.js';
import { parseObject, toRejection } from './native.js';
import { deviceStatus, outletReading } from './shared/device.js';
import { deviceTimestamp } from './shared/local-time.js';
import { scaleDecimal } from './shared/numbers.js';
import { checkChannel, checkQuantity, type Fields, type Quantity } from './shared/quantities.js';
import { DEFAULT_MAX_DEVICES, LastPower } from './shared/state.js';
import { matchLevels, parseOnline } from './shared/topic.js';

/**
 * Shelly Gen2/Gen3/Gen4 (Plus, Pro, Mini; Shelly Gen2 API docs: Mqtt, Notifications, Switch, EM, EMData;
 * fixtures shelly-*.json). <prefix> is the device's `mqtt.topic_prefix`, by default its id:
 *   <prefix>/events/rpc            {"method": "NotifyStatus", "params": {"ts": s, "switch:0": {partial}}}
 *   <prefix>/status/<component>    the component's full status (when "Generic status update" is on)
 *   <prefix>/online                true | false (false is the last will)
 * Metering components: switch:N and pm1:N (apower W, voltage, current, pf, aenergy.total Wh) → channel N+1;
 * em:N (Pro 3EM, phases a/b/c) → channels 3N+1..3N+3; emdata:N (per-phase lifetime Wh) → the same
 * channels; em1:N / em1data:N (monophase profile, Pro EM) → channel N+1. Other components are ignored.
 */
export interface ShellyGen2Options {
  /** The devices' topic prefixes as MQTT filters (`+` allowed); default `+` (the device id, one level). */
  topicPrefixes?: readonly string[];
  maxDevices?: number;
}

const NAME = 'shelly-gen2';
const COMPONENT = /^[a-z][a-z0-9_]*(:\d+)?$/;

type Route = { device: string; kind: 'online' | 'events' | 'status'; component?: string };

export function shellyGen2Dialect(opts: ShellyGen2Options = {}): Dialect {
  const prefixes = (opts.topicPrefixes ?? ['+']).map((p) => p.split('/'));
  if (prefixes.some((p) => p.some((level) => level === '' || level.includes('#')))) {
    throw new RangeError('shelly-gen2 topicPrefixes must be MQTT filters without "#" or empty levels');
  }
  const lastPower = new LastPower(opts.maxDevices ?? DEFAULT_MAX_DEVICES);
  const route = (topic: string): Route | undefined => {
    const levels = topic.split('/');
    for (const prefix of prefixes) {
      if (!matchLevels(prefix, levels.slice(0, prefix.length))) continue;
      const device = levels.slice(0, prefix.length).join('/');
      const rest = levels.slice(prefix.length);
      if (rest.length === 1 && rest[0] === 'online') return { device, kind: 'online' };
      if (rest.length === 2 && rest[0] === 'events' && rest[1] === 'rpc') return { device, kind: 'events' };
      if (rest.length === 2 && rest[0] === 'status' && COMPONENT.test(rest[1]!)) return { device, kind: 'status', component: rest[1]! };
    }
    return undefined;
  };
  return {
    name: NAME,
    subscriptions: prefixes.flatMap((p) => ['online', 'events/rpc', 'status/+'].map((s) => [...p, s].join('/'))),
    matches: (topic) => route(topic) !== undefined,
    decode(topic, payload, ctx) {
      const r = route(topic);
      if (!r) throw new DecodeError('unknown_topic', `topic ${clip(topic)} is not a Shelly Gen2 topic`);
      if (r.kind === 'online') return decodeOnline(r.device, payload);
      const emit = (ts: number, reports: ChannelReport[], out: Decoded) => emitReports(lastPower, r.device, ts, reports, out);
      if (r.kind === 'events') return decodeFrame(parseObject(payload), ctx, emit);
      return decodeStatus(r.component!, parseObject(payload), ctx, emit);
    },
  };
}

function decodeOnline(device: string, payload: Buffer): Decoded {
  const online = parseOnline(payload, 'true', 'false');
  if (online === undefined) throw new DecodeError('bad_status', `online must be "true" or "false", got "${clip(payload.toString('utf8'), 20)}"`);
  return { ...emptyDecoded(), statuses: [deviceStatus(NAME, device, online)] };
}

type Emit = (ts: number, reports: ChannelReport[], out: Decoded) => void;

/**
 * A NotifyStatus frame holds only what changed since the last one ("a missing key means unchanged";
 * a key that disappears is sent as null). So a frame gives readings only for channels whose electrical
 * values it carries, and power comes from the last report where the frame has none. ts is the frame's
 * own `params.ts` (Unix seconds with a fraction). NotifyFullStatus is read the same way; other methods
 * (NotifyEvent: button presses, EMData's positional data blocks) carry no status and are ignored.
 */
function decodeFrame(frame: Record<string, unknown>, ctx: DecodeContext, emit: Emit): Decoded {
  if (typeof frame.method !== 'string') throw new DecodeError('wrong_type', 'method must be a string');
  if (frame.method !== 'NotifyStatus' && frame.method !== 'NotifyFullStatus') return emptyDecoded();
  const params = frame.params;
  if (!isObject(params)) throw new DecodeError('wrong_type', 'params must be an object');
  const ts = unixSeconds(params.ts, 'params.ts', ctx);
  const out = emptyDecoded();
  for (const [key, status] of Object.entries(params)) {
    if (key === 'ts' || !isObject(status)) continue;
    collect(out, () => emit(ts, componentReports(key, status), out));
  }
  return out;
}

/**
 * A status/<component> message has no time of its own. switch and pm1 carry `aenergy.minute_ts` (the
 * start of the last whole minute, device clock): that is used; em/emdata/em1/em1data have nothing, and
 * ts is the server clock — the documented exception to "ts from the device".
 */
function decodeStatus(component: string, status: Record<string, unknown>, ctx: DecodeContext, emit: Emit): Decoded {
  const reports = componentReports(component, status);
  if (reports.length === 0) return emptyDecoded();
  const aenergy = status.aenergy;
  const minuteTs = isObject(aenergy) ? aenergy.minute_ts : undefined;
  const ts = minuteTs === undefined || minuteTs === null ? ctx.now : unixSeconds(minuteTs, 'aenergy.minute_ts', ctx);
  const out = emptyDecoded();
  emit(ts, reports, out);
  return out;
}

function unixSeconds(value: unknown, name: string, ctx: DecodeContext): number {
  if (value === undefined || value === null) throw new DecodeError('missing_ts', `${name} is required`);
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new DecodeError('wrong_type', `${name} must be Unix seconds`);
  // Scaled on the decimal text (1631186545.04 s → 1631186545040 ms exactly), then whole ms.
  return deviceTimestamp(Math.round(scaleDecimal(value, 3)), ctx);
}

/** One channel's values as this status or frame gave them (null = the device cleared the value). */
interface ChannelReport {
  channel: number;
  what: string;
  values: Partial<Record<Quantity, unknown>>;
}

type KeyMap = ReadonlyArray<readonly [string, Quantity]>;
const SWITCH: KeyMap = [['apower', 'power_w'], ['voltage', 'voltage_v'], ['current', 'current_a'], ['pf', 'pf']];
const EM1: KeyMap = [['act_power', 'power_w'], ['voltage', 'voltage_v'], ['current', 'current_a'], ['pf', 'pf']];
const EM1DATA: KeyMap = [['total_act_energy', 'energy_wh']];
const PHASES = ['a', 'b', 'c'] as const;
const phaseKeys = (p: string, keys: KeyMap): KeyMap => keys.map(([k, q]) => [`${p}_${k}`, q] as const);

/**
 * Per component family, which keys hold what. Units are the API's: W, V, A, Wh (aenergy.total and the
 * EMData totals are lifetime Wh). aenergy.by_minute (mWh per minute, newest first) and ret_aenergy /
 * *_ret_energy (export) are not read.
 */
function componentReports(key: string, status: Record<string, unknown>): ChannelReport[] {
  const m = /^(switch|pm1|em|emdata|em1|em1data):(\d{1,3})$/.exec(key);
  if (!m) return [];
  const id = Number(m[2]);
  const one = (keys: KeyMap, values = pick(status, keys)) => (values ? [{ channel: id + 1, what: key, values }] : []);
  const phases = (keys: KeyMap) =>
    PHASES.flatMap((p, i) => {
      const values = pick(status, phaseKeys(p, keys));
      return values ? [{ channel: id * 3 + i + 1, what: `${key} phase ${p}`, values }] : [];
    });
  switch (m[1]) {
    case 'switch':
    case 'pm1':
      return one(SWITCH, withEnergy(pick(status, SWITCH), status.aenergy, key));
    case 'em':
      return phases(EM1);
    case 'emdata':
      return phases(EM1DATA);
    case 'em1':
      return one(EM1);
    default:
      return one(EM1DATA);
  }
}

function pick(status: Record<string, unknown>, keys: KeyMap): Partial<Record<Quantity, unknown>> | undefined {
  const values: Partial<Record<Quantity, unknown>> = {};
  let any = false;
  for (const [k, q] of keys) {
    if (k in status) {
      values[q] = status[k];
      any = true;
    }
  }
  return any ? values : undefined;
}

function withEnergy(values: Partial<Record<Quantity, unknown>> | undefined, aenergy: unknown, key: string) {
  if (aenergy === undefined || aenergy === null) return values;
  if (!isObject(aenergy)) throw new DecodeError('wrong_type', `${key}.aenergy must be an object`);
  return 'total' in aenergy ? { ...values, energy_wh: aenergy.total } : values;
}

function emitReports(lastPower: LastPower, device: string, ts: number, reports: ChannelReport[], out: Decoded): void {
  for (const report of reports) {
    collect(out, () => {
      const channel = checkChannel(report.channel, report.what);
      if (report.values.power_w === null) lastPower.clear(device, channel);
      const fields: Fields = {};
      for (const [q, v] of Object.entries(report.values) as [Quantity, unknown][]) {
        if (v !== null && v !== undefined) fields[q] = checkQuantity(q, v, `${report.what} ${q}`);
      }
      const complete = lastPower.complete(device, channel, fields);
      if (complete) out.readings.push(outletReading({ dialect: NAME, device, channel }, ts, complete));
    });
  }
}

/** One component or channel stands alone: its rejection does not sink the rest of the message. */
function collect(out: Decoded, work: () => void): void {
  try {
    work();
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    out.rejects.push(toRejection(err));
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
