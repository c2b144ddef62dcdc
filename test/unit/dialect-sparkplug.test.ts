import { describe, expect, it } from 'vitest';
import sparkplug from 'sparkplug-payload';
import proto from 'sparkplug-payload/lib/sparkplugPayloadProto.js';
import { sparkplugDialect } from '../../server/src/ingest/dialects/sparkplug.js';

/**
 * Sparkplug sessions need a sequence of messages (birth, data by alias, seq wrap and gaps, death), so
 * they are tested here with a fresh dialect each; the single-message cases are fixture folders.
 * Payloads are built with the Tahu library itself (sparkplug-payload 1.0.3).
 */
const { encodePayload, decodePayload } = sparkplug.get('spBv1.0')!;
const NOW = Date.UTC(2026, 0, 1);
const TS = NOW - 60_000;
const ctx = { now: NOW, maxFutureSkewMs: 300_000 };
const NODE = 'spBv1.0/site-a/NBIRTH/gw';
const NDATA = 'spBv1.0/site-a/NDATA/gw';
const NDEATH = 'spBv1.0/site-a/NDEATH/gw';
const PDU = 'sparkplug.site-a_gw-bc8a1dfc';

type Metric = { name?: string; alias?: number; type: string; value: unknown; timestamp?: number };
const payload = (seq: number | undefined, metrics: Metric[]) => Buffer.from(encodePayload({ timestamp: TS, ...(seq === undefined ? {} : { seq }), metrics: metrics.map((m) => ({ timestamp: TS, ...m })) } as never));
const birth = (bdSeq = 0) =>
  payload(0, [
    { name: 'bdSeq', type: 'Int64', value: bdSeq },
    { name: 'Node Control/Rebirth', type: 'Boolean', value: false },
    { name: 'Outlet 1/Power', alias: 10, type: 'Float', value: 1000 },
    { name: 'Outlet 1/Energy', alias: 11, type: 'UInt64', value: 5000 },
    { name: 'Outlet 1/Current', alias: 12, type: 'Int8', value: -3 },
  ]);
const death = (bdSeq = 0) => Buffer.from(encodePayload({ timestamp: TS, metrics: [{ name: 'bdSeq', type: 'UInt64', value: bdSeq, timestamp: TS }] } as never));
const power = (seq: number, watts: number) => payload(seq, [{ alias: 10, type: 'Float', value: watts }]);

describe('sparkplug sessions', () => {
  it('reads a birth, then DATA by alias, carrying the last power into energy-only DATA', () => {
    const d = sparkplugDialect();
    const born = d.decode(NODE, birth(), ctx);
    expect(born.statuses).toEqual([{ kind: 'status', site: 'unassigned', pdu: PDU, online: true }]);
    // Int8 -3 current is out of bounds: the metric is rejected, the reading keeps power and energy.
    expect(born.rejects.map((r) => r.reason)).toEqual(['negative']);
    expect(born.readings).toEqual([
      { kind: 'outlet', site: 'unassigned', pdu: PDU, outlet: 1, ts: TS, power_w: 1000, energy_wh: 5000, source: { dialect: 'sparkplug', device: 'site-a/gw', channel: 1 } },
    ]);
    const data = d.decode(NDATA, payload(1, [{ alias: 11, type: 'UInt64', value: 5017 }]), ctx);
    expect(data.rejects).toEqual([]);
    expect(data.readings).toEqual([expect.objectContaining({ outlet: 1, power_w: 1000, energy_wh: 5017 })]);
    expect(data.commands).toBeUndefined();
  });

  it('takes seq 255 → 0 as in order, and flags a gap with one rebirth request', () => {
    const d = sparkplugDialect();
    d.decode(NODE, birth(), ctx);
    let seq = 0;
    for (let i = 1; i <= 256; i++) {
      seq = i % 256;
      expect(d.decode(NDATA, power(seq, 1000 + i), ctx).rejects).toEqual([]);
    }
    const gap = d.decode(NDATA, power(seq + 2, 1500), ctx);
    expect(gap.rejects.map((r) => r.reason)).toEqual(['sparkplug_seq_gap']);
    // The values of a message after a gap are still good.
    expect(gap.readings).toEqual([expect.objectContaining({ power_w: 1500 })]);
    expect(gap.commands).toHaveLength(1);
    const command = gap.commands![0]!;
    expect(command.topic).toBe('spBv1.0/site-a/NCMD/gw');
    const decoded = decodePayload(command.payload);
    expect(decoded.metrics).toEqual([expect.objectContaining({ name: 'Node Control/Rebirth', type: 'Boolean', value: true })]);
    // The counter resynchronizes on the message after the gap.
    expect(d.decode(NDATA, power(seq + 3, 1600), ctx).rejects).toEqual([]);
  });

  it('asks for a rebirth at most once per interval', () => {
    const d = sparkplugDialect({ rebirthIntervalMs: 10_000 });
    const first = d.decode(NDATA, power(7, 1), ctx);
    expect(first.commands).toHaveLength(1);
    expect(d.decode(NDATA, power(8, 1), { ...ctx, now: NOW + 5_000 }).commands).toBeUndefined();
    expect(d.decode(NDATA, power(9, 1), { ...ctx, now: NOW + 10_000 }).commands).toHaveLength(1);
  });

  it('rejects an alias no birth defined, and forgets aliases at death', () => {
    const d = sparkplugDialect();
    d.decode(NODE, birth(), ctx);
    expect(d.decode(NDATA, payload(1, [{ alias: 99, type: 'Float', value: 1 }]), ctx).rejects.map((r) => r.reason)).toEqual(['unknown_alias']);
    const dead = d.decode(NDEATH, death(), ctx);
    expect(dead.statuses).toEqual([{ kind: 'status', site: 'unassigned', pdu: PDU, online: false }]);
    const after = d.decode(NDATA, power(2, 1200), { ...ctx, now: NOW + 60_000 });
    expect(after.rejects.map((r) => r.reason)).toEqual(['unknown_alias']);
    expect(after.commands).toHaveLength(1);
  });

  it('ignores the late will of an earlier connection (bdSeq differs from the birth)', () => {
    const d = sparkplugDialect();
    d.decode(NODE, birth(4), ctx);
    expect(d.decode(NDEATH, death(3), ctx).statuses).toEqual([]);
    expect(d.decode(NDATA, power(1, 900), ctx).readings).toEqual([expect.objectContaining({ power_w: 900 })]);
    expect(d.decode(NDEATH, death(4), ctx).statuses).toEqual([expect.objectContaining({ online: false })]);
  });

  it('takes devices of the node offline with it, and shares one seq counter between node and devices', () => {
    const d = sparkplugDialect();
    d.decode(NODE, birth(), ctx);
    const dbirth = d.decode('spBv1.0/site-a/DBIRTH/gw/rack1', payload(1, [{ name: 'Outlets/2/Power', alias: 20, type: 'Double', value: 250.5 }]), ctx);
    expect(dbirth.statuses).toEqual([expect.objectContaining({ online: true })]);
    expect(dbirth.readings).toEqual([expect.objectContaining({ outlet: 2, power_w: 250.5, source: { dialect: 'sparkplug', device: 'site-a/gw/rack1', channel: 2 } })]);
    expect(d.decode('spBv1.0/site-a/DDATA/gw/rack1', payload(2, [{ alias: 20, type: 'Double', value: 260 }]), ctx).rejects).toEqual([]);
    expect(d.decode(NDATA, power(3, 1), ctx).rejects).toEqual([]);
    const dead = d.decode(NDEATH, death(), ctx);
    expect(dead.statuses.map((s) => s.online)).toEqual([false, false]);
  });

  it('does not carry power across a device death', () => {
    const d = sparkplugDialect();
    d.decode(NODE, birth(), ctx);
    d.decode('spBv1.0/site-a/DBIRTH/gw/rack1', payload(1, [{ name: 'Power', alias: 30, type: 'Float', value: 100 }, { name: 'Energy', alias: 31, type: 'UInt64', value: 1 }]), ctx);
    d.decode('spBv1.0/site-a/DDEATH/gw/rack1', payload(2, []), ctx);
    d.decode('spBv1.0/site-a/DBIRTH/gw/rack1', payload(3, [{ name: 'Energy', alias: 31, type: 'UInt64', value: 2 }]), ctx);
    expect(d.decode('spBv1.0/site-a/DDATA/gw/rack1', payload(4, [{ alias: 31, type: 'UInt64', value: 3 }]), ctx).readings).toEqual([]);
  });
});

describe('sparkplug values', () => {
  const { Payload } = proto.org.eclipse.tahu.protobuf;
  const raw = (metrics: object[]) => Buffer.from(Payload.encode(Payload.create({ timestamp: TS, seq: 0, metrics: metrics.map((m) => ({ timestamp: TS, ...m })) } as never)).finish());

  it('reads UInt32 from int_value (spec) and from long_value (Tahu JS), and signed Int32', () => {
    const d = sparkplugDialect();
    const out = d.decode(NODE, raw([
      { name: 'Outlet 1/Power', datatype: 7, intValue: 1500 },
      // Above 2^31: read as signed it would be negative.
      { name: 'Outlet 1/Energy', datatype: 7, intValue: 3_000_000_000 },
      { name: 'Outlet 2/Power', datatype: 7, longValue: 1234 },
      { name: 'Outlet 3/Power', datatype: 3, intValue: -5 },
    ]), ctx);
    expect(out.readings).toEqual([
      expect.objectContaining({ outlet: 1, power_w: 1500, energy_wh: 3_000_000_000 }),
      expect.objectContaining({ outlet: 2, power_w: 1234 }),
    ]);
    expect(out.rejects.map((r) => r.reason)).toEqual(['negative']);
  });

  it('reads float32 as the decimal the device meant, and kW/kWh names scaled exactly', () => {
    const d = sparkplugDialect();
    const out = d.decode(NODE, payload(0, [
      { name: 'ch2_power_kw', type: 'Float', value: 3.3 },
      { name: 'ch2_energy_kwh', type: 'Double', value: 0.1 + 0.2 },
      { name: 'ch2_voltage', type: 'Float', value: 229.9 },
    ]), ctx);
    // 0.1 + 0.2 is 0.30000000000000004 kWh: its shortest decimal text scales to 300.00000000000006 Wh, not 300.
    expect(out.readings).toEqual([expect.objectContaining({ outlet: 2, power_w: 3300, energy_wh: 300.00000000000006, voltage_v: 229.9 })]);
  });

  it('uses configured metric names, and makes one reading per channel and timestamp', () => {
    const d = sparkplugDialect({ metricNames: { 'Load': { quantity: 'power_w' }, Power: null } });
    const out = d.decode(NODE, payload(0, [
      { name: 'PDU/Outlet 5/Load', type: 'Float', value: 100, timestamp: TS - 1000 },
      { name: 'PDU/Outlet 5/Load', type: 'Float', value: 110, timestamp: TS },
      { name: 'PDU/Outlet 5/Power', type: 'Float', value: 999 },
    ]), ctx);
    expect(out.readings.map((r) => [r.ts, 'power_w' in r && r.power_w])).toEqual([[TS - 1000, 100], [TS, 110]]);
  });
});

describe('sparkplug unusable power', () => {
  it('lets neither a non-numeric nor an is_null power fall back to the last one', () => {
    const d = sparkplugDialect();
    d.decode(NODE, birth(), ctx);
    const text = d.decode(NDATA, payload(1, [{ alias: 10, type: 'String', value: 'n/a' }, { alias: 11, type: 'UInt64', value: 5001 }]), ctx);
    expect([text.readings, text.rejects.map((r) => r.reason)]).toEqual([[], ['wrong_type']]);
    const isNull = Buffer.from(proto.org.eclipse.tahu.protobuf.Payload.encode({ timestamp: TS, seq: 2, metrics: [{ alias: 10, timestamp: TS, datatype: 9, isNull: true }] } as never).finish());
    expect(d.decode(NDATA, isNull, ctx)).toEqual({ readings: [], statuses: [], rejects: [] });
    expect(d.decode(NDATA, payload(3, [{ alias: 11, type: 'UInt64', value: 5002 }]), ctx).readings).toEqual([]);
  });
});
