import sparkplug from 'sparkplug-payload';
import { describe, expect, it } from 'vitest';
import { sparkplugDialect } from '../../server/src/ingest/dialects/sparkplug.js';
import type { Decoded } from '../../server/src/ingest/dialect.js';
import { createFleet, type Fleet, type SimMessage } from '../../simulators/src/fleet.js';
import { loadAsicSpecs } from '../../simulators/src/models.js';

/**
 * A Sparkplug edge node's session, as the server's Sparkplug host sees it: births before data, aliases, seq
 * 0–255 over node and device messages alike, bdSeq per connection with the NDEATH as the will, and births again
 * on a reconnect or a rebirth request. One rack (one edge node) with two PDUs of three outlets.
 */
const MODELS = loadAsicSpecs();
const { decodePayload } = sparkplug.get('spBv1.0')!;
const T0 = Date.UTC(2026, 0, 1);
const IV = 1000;
const GW = 'site-1-r01-gw';

const fleet = (): Fleet => createFleet({ sites: 1, rigsPerSite: 6, seed: 9, outletsPerPdu: 3, dialect: 'sparkplug' }, MODELS);
const sparkplugOf = (messages: readonly SimMessage[]) => messages.filter((m) => m.topic.startsWith('spBv1.0/'));
const kind = (m: SimMessage) => m.topic.split('/')[2];
const decoded = (m: SimMessage) => decodePayload(m.bytes!);
const seqOf = (m: SimMessage) => Number(decoded(m).seq);

/** The server's Sparkplug host, fed in order; collects what it says. */
function host() {
  const d = sparkplugDialect();
  const all: Decoded[] = [];
  return {
    feed(messages: readonly SimMessage[], now: number): Decoded[] {
      const out = messages.map((m) => d.decode(m.topic, m.bytes!, { now, maxFutureSkewMs: 300_000 }));
      all.push(...out);
      return out;
    },
    rejects: () => all.flatMap((x) => x.rejects.map((r) => r.reason)),
    commands: () => all.flatMap((x) => x.commands ?? []),
  };
}

describe('sparkplug edge node', () => {
  it('births (NBIRTH, then a DBIRTH per PDU with names, aliases and types) before any DATA, which uses aliases only', () => {
    const f = fleet();
    const first = sparkplugOf(f.tick(T0));
    expect(first.map((m) => m.topic)).toEqual([
      'spBv1.0/site-1/NBIRTH/r01-gw',
      'spBv1.0/site-1/DBIRTH/r01-gw/r01-pdu1',
      'spBv1.0/site-1/DBIRTH/r01-gw/r01-pdu2',
    ]);
    const nbirth = decoded(first[0]!);
    expect(nbirth.metrics?.map((m) => [m.name, m.type, m.value])).toEqual([['bdSeq', 'Int64', expect.anything()], ['Node Control/Rebirth', 'Boolean', false]]);
    const dbirth = decoded(first[1]!).metrics ?? [];
    expect(dbirth.slice(0, 5).map((m) => [m.name, Number(m.alias), m.type])).toEqual([
      ['Outlet 1/Power', 1, 'Float'],
      ['Outlet 1/Energy', 2, 'UInt64'],
      ['Outlet 1/Voltage', 3, 'Float'],
      ['Outlet 1/Current', 4, 'Float'],
      ['Outlet 1/Power Factor', 5, 'Float'],
    ]);
    expect(dbirth.every((m) => Number(m.timestamp) === T0)).toBe(true);
    // The second PDU's aliases continue the node's numbering: unique within the node.
    expect(Number(decoded(first[2]!).metrics?.[0]?.alias)).toBe(16);
    const data = sparkplugOf(f.tick(T0 + IV));
    expect(data.map(kind)).toEqual(['DDATA', 'DDATA']);
    expect(decoded(data[0]!).metrics?.every((m) => m.name == null && Number(m.alias) >= 1 && Number(m.timestamp) === T0 + IV)).toBe(true);
  });

  it('counts seq 0–255 over every message of the node and wraps: the host sees no gap in 300 ticks', () => {
    const f = fleet();
    const h = host();
    const seqs: number[] = [];
    for (let i = 0; i < 300; i++) {
      const messages = sparkplugOf(f.tick(T0 + i * IV));
      seqs.push(...messages.map(seqOf));
      h.feed(messages, T0 + i * IV + 50);
    }
    expect(seqs).toEqual(Array.from({ length: 3 + 2 * 299 }, (_, i) => i % 256));
    expect(h.rejects()).toEqual([]);
    expect(h.commands()).toEqual([]);
  });

  it('stops DATA while disconnected, and births with the next bdSeq on reconnect; a late will of the old connection is ignored', () => {
    const f = fleet();
    const h = host();
    h.feed(sparkplugOf(f.tick(T0)), T0);
    const oldWill = f.gateways().find((g) => g.name === GW)!.will!;
    expect(Number(decodePayload(oldWill.payload as Buffer).metrics?.[0]?.value)).toBe(0);
    const nextWill = f.disconnected(GW)!;
    expect(nextWill.topic).toBe('spBv1.0/site-1/NDEATH/r01-gw');
    expect(nextWill.retain).toBe(false);
    expect(Number(decodePayload(nextWill.payload as Buffer).metrics?.[0]?.value)).toBe(1);
    expect(sparkplugOf(f.tick(T0 + IV))).toEqual([]);
    expect(f.connected(GW)).toEqual([]); // births go with the next tick, when there are values to carry
    const rebirth = sparkplugOf(f.tick(T0 + 2 * IV));
    expect(rebirth.map(kind)).toEqual(['NBIRTH', 'DBIRTH', 'DBIRTH']);
    expect(rebirth.map(seqOf)).toEqual([0, 1, 2]);
    expect(Number(decoded(rebirth[0]!).metrics?.find((m) => m.name === 'bdSeq')?.value)).toBe(1);
    h.feed(rebirth, T0 + 2 * IV);
    // The broker delivers the first connection's will only now: its bdSeq is not the session's, so nothing dies.
    const late = h.feed([{ topic: oldWill.topic, payload: '', bytes: oldWill.payload as Buffer, readings: 0 }], T0 + 2 * IV);
    expect(late[0]!.statuses).toEqual([]);
    const data = h.feed(sparkplugOf(f.tick(T0 + 3 * IV)), T0 + 3 * IV);
    expect(data.flatMap((d) => d.readings)).toHaveLength(6);
    // The current will ends the session, taking the node and both PDU devices offline.
    const dead = h.feed([{ topic: nextWill.topic, payload: '', bytes: nextWill.payload as Buffer, readings: 0 }], T0 + 3 * IV);
    expect(dead[0]!.statuses.map((s) => s.online)).toEqual([false, false, false]);
    expect(h.rejects()).toEqual([]);
  });

  it('births again when the host asks (a gap after a lost message), and the host reads on without a gap', () => {
    const f = fleet();
    const h = host();
    h.feed(sparkplugOf(f.tick(T0)), T0);
    sparkplugOf(f.tick(T0 + IV)); // lost on the way: the next DATA's seq jumps
    const after = h.feed(sparkplugOf(f.tick(T0 + 2 * IV)), T0 + 2 * IV);
    expect(after[0]!.rejects.map((r) => r.reason)).toEqual(['sparkplug_seq_gap']);
    const [command] = h.commands();
    expect(command!.topic).toBe('spBv1.0/site-1/NCMD/r01-gw');
    expect(f.gateways().find((g) => g.name === GW)!.commands).toEqual([command!.topic]);
    f.command(GW, command!.topic, command!.payload);
    const rebirth = sparkplugOf(f.tick(T0 + 3 * IV));
    expect(rebirth.map(kind)).toEqual(['NBIRTH', 'DBIRTH', 'DBIRTH']);
    h.feed(rebirth, T0 + 3 * IV);
    const next = h.feed(sparkplugOf(f.tick(T0 + 4 * IV)), T0 + 4 * IV);
    expect(next.flatMap((d) => d.rejects)).toEqual([]);
    expect(next.flatMap((d) => d.readings)).toHaveLength(6);
    // Anything else on NCMD changes nothing.
    f.command(GW, command!.topic, Buffer.from('not protobuf'));
    expect(sparkplugOf(f.tick(T0 + 5 * IV)).map(kind)).toEqual(['DDATA', 'DDATA']);
  });

  it('recovers when the host starts after the births: it asks for a rebirth, and then reads everything', () => {
    const f = fleet();
    sparkplugOf(f.tick(T0)); // births nobody heard
    const h = host();
    const blind = h.feed(sparkplugOf(f.tick(T0 + IV)), T0 + IV);
    expect(blind.flatMap((d) => d.rejects.map((r) => r.reason))).toContain('unknown_alias');
    const [command] = h.commands();
    f.command(GW, command!.topic, command!.payload);
    h.feed(sparkplugOf(f.tick(T0 + 2 * IV)), T0 + 2 * IV);
    expect(h.feed(sparkplugOf(f.tick(T0 + 3 * IV)), T0 + 3 * IV).flatMap((d) => d.readings)).toHaveLength(6);
  });

  it('announces nothing on connect, and an NDEATH (not retained) with the current bdSeq on a clean stop', () => {
    const f = fleet();
    expect(f.statusMessages(true)).toEqual([]);
    const [death] = f.statusMessages(false);
    expect(death).toMatchObject({ topic: 'spBv1.0/site-1/NDEATH/r01-gw', retain: false, route: GW, readings: 0 });
    expect(decodePayload(death!.bytes!).metrics?.map((m) => [m.name, Number(m.value)])).toEqual([['bdSeq', 0]]);
    expect(death!.payload).toBe(death!.bytes!.toString('base64'));
  });
});
