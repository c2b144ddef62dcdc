import { DecodeError } from '../../domain/errors.js';
import { clip } from '../../domain/values.js';
import { emptyDecoded, type DecodeContext, type Decoded, type Dialect, type OutboundMessage } from '../dialect.js';
import { toRejection } from './native.js';
import { deviceStatus, outletReading } from './shared/device.js';
import { deviceTimestamp } from './shared/local-time.js';
import { exactInteger, scaleDecimal } from './shared/numbers.js';
import { checkQuantity, type Fields, type QuantityNames } from './shared/quantities.js';
import { DEFAULT_MAX_DEVICES, LastPower } from './shared/state.js';
import { metricMapper, type MetricTarget } from './sparkplug/metrics.js';
import { decodePayload, encodeRebirth, metricValue, uint64, uint64Number, type RawMetric, type RawPayload } from './sparkplug/payload.js';
import { checkSeq, Sessions, type Session } from './sparkplug/session.js';

/**
 * Sparkplug B (Eclipse Sparkplug 3.0; fixtures sparkplug-notes.md, sparkplug-test-vectors.json):
 *   spBv1.0/<group>/NBIRTH|NDATA|NDEATH/<edge>            protobuf Payload
 *   spBv1.0/<group>/DBIRTH|DDATA|DDEATH/<edge>/<device>
 * BIRTH → online status (+ readings of the values it carries), DEATH → offline, DATA → readings. The
 * device is `<group>/<edge>` or `<group>/<edge>/<device>`; which metrics are outlet values, and on which
 * channel, is sparkplug/metrics.ts. Each reading's ts is its metrics' own timestamp (else the payload's).
 * DATA is report-by-exception: a metric absent from a DATA is unchanged, so energy-only DATA carries the
 * channel's last power (LastPower). NCMD/DCMD (commands, ours included) and STATE are not device data.
 */
export interface SparkplugOptions {
  /** Quantity names overlaid on shared/quantities.ts's defaults; `null` skips a name. */
  metricNames?: QuantityNames;
  /** Least time between two rebirth requests to one edge node, so a broken node is not flooded. */
  rebirthIntervalMs?: number;
  maxNodes?: number;
}

const NAME = 'sparkplug';
const NAMESPACE = 'spBv1.0';
const NODE_MESSAGES = new Set(['NBIRTH', 'NDATA', 'NDEATH']);
const DEVICE_MESSAGES = new Set(['DBIRTH', 'DDATA', 'DDEATH']);
const COMMANDS = new Set(['NCMD', 'DCMD']);
const DEFAULT_REBIRTH_INTERVAL_MS = 10_000;

interface Topic {
  group: string;
  type: string;
  edge: string;
  device?: string;
}

/** `ignored` for host traffic on the namespace (STATE, NCMD, DCMD); undefined for a malformed topic. */
function parseTopic(topic: string): Topic | 'ignored' | undefined {
  const levels = topic.split('/');
  const [, group, type, edge, device] = levels;
  if (group === 'STATE' || COMMANDS.has(type ?? '')) return 'ignored';
  if (!group || !type || !edge) return undefined;
  // Sparkplug 3.0 ch. 4: device_id MUST NOT appear with N* messages and MUST appear with D* messages.
  if (NODE_MESSAGES.has(type) && levels.length === 4) return { group, type, edge };
  if (DEVICE_MESSAGES.has(type) && levels.length === 5 && device) return { group, type, edge, device };
  return undefined;
}

type Out = Decoded & { commands: OutboundMessage[] };

export function sparkplugDialect(opts: SparkplugOptions = {}): Dialect {
  const host = new SparkplugHost(opts);
  return {
    name: NAME,
    subscriptions: [...NODE_MESSAGES].map((m) => `${NAMESPACE}/+/${m}/+`).concat([...DEVICE_MESSAGES].map((m) => `${NAMESPACE}/+/${m}/+/+`)),
    matches: (topic) => topic.startsWith(`${NAMESPACE}/`),
    decode(topic, payload, ctx) {
      const t = parseTopic(topic);
      if (t === 'ignored') return emptyDecoded();
      if (!t) throw new DecodeError('unknown_topic', `topic ${clip(topic)} is not a Sparkplug B node or device topic`);
      const out: Out = { ...emptyDecoded(), commands: [] };
      host.handle(t, decodePayload(payload), ctx, out);
      // Most messages ask for nothing: leave the optional `commands` out rather than empty.
      return out.commands.length > 0 ? out : { readings: out.readings, statuses: out.statuses, rejects: out.rejects };
    },
  };
}

/** The host application's side of Sparkplug sessions (Sparkplug 3.0, ch. 5): births, deaths, seq, rebirth. */
class SparkplugHost {
  private readonly sessions: Sessions;
  private readonly lastPower: LastPower;
  private readonly mapMetric: (name: string) => MetricTarget | undefined;
  private readonly rebirthIntervalMs: number;

  constructor(opts: SparkplugOptions) {
    this.sessions = new Sessions(opts.maxNodes ?? DEFAULT_MAX_DEVICES);
    this.lastPower = new LastPower(opts.maxNodes ?? DEFAULT_MAX_DEVICES);
    this.mapMetric = metricMapper(opts.metricNames);
    this.rebirthIntervalMs = opts.rebirthIntervalMs ?? DEFAULT_REBIRTH_INTERVAL_MS;
  }

  handle(t: Topic, p: RawPayload, ctx: DecodeContext, out: Out): void {
    const node = `${t.group}/${t.edge}`;
    if (t.type === 'NBIRTH') return this.nodeBirth(t, node, p, ctx, out);
    if (t.type === 'NDEATH') return this.nodeDeath(node, p, out);
    const device = t.device === undefined ? node : `${node}/${t.device}`;
    const session = this.sessions.getOrPlaceholder(node);
    const gap = checkSeq(session, uint64(p.seq));
    if (gap) out.rejects.push(gap);
    // Without a birth (the server started after it) nothing is known: ask for one, and read what is named.
    if (gap || !session.born) this.requestRebirth(t, session, ctx.now, out);
    if (t.type === 'DDEATH') {
      session.devices.delete(t.device!);
      this.lastPower.forget(device);
      out.statuses.push(deviceStatus(NAME, device, false));
      return;
    }
    if (t.type === 'DBIRTH') {
      learn(session, p.metrics);
      session.devices.add(t.device!);
      out.statuses.push(deviceStatus(NAME, device, true));
    }
    this.read(t, session, device, p, ctx, out);
  }

  private nodeBirth(t: Topic, node: string, p: RawPayload, ctx: DecodeContext, out: Out): void {
    const session = this.sessions.start(node);
    const seq = uint64(p.seq);
    if (seq !== undefined && seq <= 255n) session.seq = Number(seq);
    session.bdSeq = bdSeqOf(p);
    learn(session, p.metrics);
    out.statuses.push(deviceStatus(NAME, node, true));
    this.read(t, session, node, p, ctx, out);
  }

  /** NDEATH is the node's MQTT will: its bdSeq must match the NBIRTH's, or it is a late will of an older connection. */
  private nodeDeath(node: string, p: RawPayload, out: Out): void {
    const session = this.sessions.get(node);
    const bdSeq = bdSeqOf(p);
    if (session?.born && session.bdSeq !== undefined && bdSeq !== undefined && bdSeq !== session.bdSeq) return;
    this.sessions.end(node);
    this.lastPower.forget(node);
    out.statuses.push(deviceStatus(NAME, node, false));
    for (const d of session?.devices ?? []) {
      this.lastPower.forget(`${node}/${d}`);
      out.statuses.push(deviceStatus(NAME, `${node}/${d}`, false));
    }
  }

  private read(t: Topic, session: Session, device: string, payload: RawPayload, ctx: DecodeContext, out: Out): void {
    const onUnknownAlias = () => this.requestRebirth(t, session, ctx.now, out);
    readMetrics({ session, device, payload, ctx, out, mapMetric: this.mapMetric, lastPower: this.lastPower, onUnknownAlias });
  }

  private requestRebirth(t: Topic, session: Session, now: number, out: Out): void {
    if (session.rebirthAt !== undefined && now - session.rebirthAt < this.rebirthIntervalMs) return;
    session.rebirthAt = now;
    out.commands.push({ topic: `${NAMESPACE}/${t.group}/NCMD/${t.edge}`, payload: encodeRebirth(now) });
  }
}

function bdSeqOf(p: RawPayload): bigint | undefined {
  const metric = p.metrics?.find((m) => m.name === 'bdSeq');
  const value = metric ? metricValue(metric, metric.datatype ?? undefined) : undefined;
  return typeof value === 'bigint' ? value : undefined;
}

/** Births name every metric with its alias and datatype; DATA of the session may then use the alias alone. */
function learn(session: Session, metrics: RawMetric[] | null | undefined): void {
  for (const m of metrics ?? []) {
    if (!m.name) continue;
    const alias = uint64(m.alias);
    if (alias !== undefined) session.aliases.set(alias.toString(), m.name);
    if (m.datatype) session.types.set(m.name, m.datatype);
  }
}

interface ReadContext {
  session: Session;
  device: string;
  payload: RawPayload;
  ctx: DecodeContext;
  out: Out;
  mapMetric: (name: string) => MetricTarget | undefined;
  lastPower: LastPower;
  onUnknownAlias: () => void;
}

interface Group {
  channel: number;
  ts: number;
  fields: Fields;
  /** The message had a power for this channel that is unusable (invalid or is_null): no older power stands in. */
  noPower: boolean;
}

/** Metrics → one reading per (channel, timestamp). A bad metric is rejected alone; a bad power sinks its reading. */
function readMetrics(r: ReadContext): void {
  const groups = new Map<string, Group>();
  for (const m of r.payload.metrics ?? []) {
    let group: Group | undefined;
    let target: MetricTarget | undefined;
    collect(r.out, () => {
      const name = metricName(r, m);
      target = name === undefined ? undefined : r.mapMetric(name);
      if (!target || name === undefined) return;
      const what = `metric "${clip(name, 60)}"`;
      const ts = uint64Number(m.timestamp ?? r.payload.timestamp, `${what} timestamp`);
      if (ts === undefined) throw new DecodeError('missing_ts', `${what} has no timestamp`);
      const key = `${target.channel}|${ts}`;
      group = groups.get(key) ?? { channel: target.channel, ts, fields: {}, noPower: false };
      groups.set(key, group);
      const value = metricValue(m, m.datatype || r.session.types.get(name));
      if (value === undefined) throw new DecodeError('wrong_type', `${what} is not numeric`);
      if (value !== null) group.fields[target.quantity] = toQuantity(value, target, name);
      else if (target.quantity === 'power_w') {
        // is_null: the device does not know its power now, so the last one no longer holds either.
        group.noPower = true;
        r.lastPower.clear(r.device, target.channel);
      }
    }, () => {
      if (group && target?.quantity === 'power_w') group.noPower = true;
    });
  }
  for (const g of groups.values()) {
    if (g.noPower) continue;
    collect(r.out, () => {
      const ts = deviceTimestamp(g.ts, r.ctx);
      const fields = r.lastPower.complete(r.device, g.channel, g.fields);
      if (fields) r.out.readings.push(outletReading({ dialect: NAME, device: r.device, channel: g.channel }, ts, fields));
    });
  }
}

function metricName(r: ReadContext, m: RawMetric): string | undefined {
  if (m.name) return m.name;
  const alias = uint64(m.alias);
  if (alias === undefined) throw new DecodeError('wrong_type', 'metric has neither name nor alias');
  const name = r.session.aliases.get(alias.toString());
  if (name === undefined) {
    r.onUnknownAlias();
    throw new DecodeError('unknown_alias', `alias ${alias} was not defined by a birth of this session`);
  }
  return name;
}

/** Integers stay exact (bigint × 10^pow10); floats are scaled on their decimal text. */
function toQuantity(value: bigint | number, target: MetricTarget, name: string): number {
  const pow10 = target.pow10 ?? 0;
  const what = `metric "${clip(name, 60)}"`;
  const scaled =
    typeof value === 'bigint'
      ? pow10 >= 0
        ? exactInteger(value * 10n ** BigInt(pow10), what)
        : scaleDecimal(value.toString(), pow10)
      : scaleDecimal(value, pow10);
  return checkQuantity(target.quantity, scaled, what);
}

function collect(out: Decoded, work: () => void, onReject?: () => void): void {
  try {
    work();
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    onReject?.();
    out.rejects.push(toRejection(err));
  }
}
