import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shellyGen1Dialect } from '../../server/src/ingest/dialects/shelly-gen1.js';
import { shellyGen2Dialect } from '../../server/src/ingest/dialects/shelly-gen2.js';

/** Shelly state across messages (partial frames, one value per Gen1 topic); single messages are fixture folders. */
const NOW = Date.UTC(2026, 0, 1);
const ctx = { now: NOW, maxFutureSkewMs: 300_000 };
const FIXTURES = join(import.meta.dirname, '../fixtures/dialects/shelly-gen2');
const fixture = (name: string) => readFileSync(join(FIXTURES, name, 'input'));
const text = (s: string) => Buffer.from(s);
const frame = (ts: number, params: object) => text(JSON.stringify({ src: 'shellypro4pm-x', dst: 'user_1', method: 'NotifyStatus', params: { ts, ...params } }));

describe('shelly gen1', () => {
  it('turns watt-minutes into Wh and gives energy the last power of the channel', () => {
    const d = shellyGen1Dialect();
    expect(d.decode('shellies/plug-1/relay/0/power', text('101.123'), ctx).readings).toEqual([expect.objectContaining({ outlet: 1, power_w: 101.123 })]);
    const energy = d.decode('shellies/plug-1/relay/0/energy', text('50'), { ...ctx, now: NOW + 1 });
    // 50 Wmin = 50/60 Wh (shelly-gen1-topics.txt: "50 Wmin = 0.833 Wh").
    expect(energy.readings).toEqual([
      {
        kind: 'outlet', site: 'unassigned', pdu: 'shelly-gen1.plug-1', outlet: 1, ts: NOW + 1, power_w: 101.123, energy_wh: 50 / 60,
        source: { dialect: 'shelly-gen1', device: 'plug-1', channel: 1 },
      },
    ]);
    // Another relay of the same device has its own power.
    expect(d.decode('shellies/plug-1/relay/1/energy', text('50'), ctx).readings).toEqual([]);
  });

  it('reads emeter total as Wh as it is, and voltage/current/pf with the last power', () => {
    const d = shellyGen1Dialect();
    d.decode('shellies/em3-1/emeter/2/power', text('193.11'), ctx);
    const total = d.decode('shellies/em3-1/emeter/2/total', text('435.7'), ctx);
    const pf = d.decode('shellies/em3-1/emeter/2/pf', text('0.74'), ctx);
    expect(total.readings).toEqual([expect.objectContaining({ outlet: 3, power_w: 193.11, energy_wh: 435.7 })]);
    expect(pf.readings).toEqual([expect.objectContaining({ outlet: 3, power_w: 193.11, pf: 0.74 })]);
  });

  it('keeps per-device state bounded', () => {
    const d = shellyGen1Dialect({ maxDevices: 2 });
    for (const id of ['a', 'b', 'c']) d.decode(`shellies/${id}/relay/0/power`, text('10'), ctx);
    expect(d.decode('shellies/a/relay/0/energy', text('60'), ctx).readings).toEqual([]);
    expect(d.decode('shellies/c/relay/0/energy', text('60'), ctx).readings).toEqual([expect.objectContaining({ energy_wh: 1 })]);
  });
});

describe('shelly gen2', () => {
  it('pairs emdata:0 energy with em:0 power per phase (Pro 3EM fixtures)', () => {
    const d = shellyGen2Dialect();
    d.decode('shellypro3em-1/status/em:0', fixture('status-em0-pro3em'), ctx);
    const out = d.decode('shellypro3em-1/status/emdata:0', fixture('status-emdata0-before-any-power'), { ...ctx, now: NOW + 1000 });
    expect(out.readings.map((r) => ('energy_wh' in r ? [r.kind === 'outlet' && r.outlet, r.power_w, r.energy_wh, r.ts] : []))).toEqual([
      [1, 2166.2, 3105576.42, NOW + 1000],
      [2, 3.6, 195765.72, NOW + 1000],
      [3, 244, 2114072.05, NOW + 1000],
    ]);
  });

  it('merges partial NotifyStatus frames: a missing apower is unchanged, null clears it', () => {
    const d = shellyGen2Dialect();
    const t0 = 1767225000;
    expect(d.decode('pm4/events/rpc', frame(t0, { 'switch:1': { apower: 800.5 } }), ctx).readings).toEqual([expect.objectContaining({ outlet: 2, power_w: 800.5, ts: t0 * 1000 })]);
    const energy = d.decode('pm4/events/rpc', frame(t0 + 60, { 'switch:1': { aenergy: { total: 1200.25, by_minute: [13341, 13340, 13339], minute_ts: t0 + 60 } } }), ctx);
    expect(energy.readings).toEqual([expect.objectContaining({ outlet: 2, power_w: 800.5, energy_wh: 1200.25, ts: (t0 + 60) * 1000 })]);
    d.decode('pm4/events/rpc', frame(t0 + 61, { 'switch:1': { apower: null } }), ctx);
    expect(d.decode('pm4/events/rpc', frame(t0 + 62, { 'switch:1': { voltage: 230 } }), ctx).readings).toEqual([]);
  });

  it('owns only the configured topic prefixes', () => {
    const d = shellyGen2Dialect({ topicPrefixes: ['site1/shelly/+'] });
    expect(d.subscriptions).toEqual(['site1/shelly/+/online', 'site1/shelly/+/events/rpc', 'site1/shelly/+/status/+']);
    expect(d.matches('site1/shelly/plug7/status/switch:0')).toBe(true);
    expect(d.matches('shellyplug/status/switch:0')).toBe(false);
    const out = d.decode('site1/shelly/plug7/online', text('true'), ctx);
    expect(out.statuses).toEqual([{ kind: 'status', site: 'unassigned', pdu: 'shelly-gen2.site1_shelly_plug7-9c57a4e7', online: true }]);
  });
});
