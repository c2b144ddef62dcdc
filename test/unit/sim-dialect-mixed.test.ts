import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/src/config/config.js';
import type { OutletReading } from '../../server/src/domain/reading.js';
import { readFleetFile } from '../../server/src/fleet/loader.js';
import { createDialects, DIALECT_NAMES } from '../../server/src/ingest/dialects/index.js';
import { TopicRouter } from '../../server/src/ingest/router.js';
import { formatFleetLine } from '../../simulators/src/cli/format.js';
import { CLI_DEFAULTS, type RawCliOptions } from '../../simulators/src/cli/options.js';
import { toCliRun } from '../../simulators/src/cli/run-options.js';
import { parseDialect, SERVER_DIALECT, SIM_DIALECTS } from '../../simulators/src/dialects.js';
import type { PduPayloadV1 } from '../../simulators/src/encoders/native.js';
import { fleetFileYaml, pduRatingA, type FleetFile } from '../../simulators/src/fleet-file.js';
import { createFleet, type FleetModelOptions, type SimMessage } from '../../simulators/src/fleet.js';
import { publishHistory } from '../../simulators/src/history.js';
import { loadAsicSpecs } from '../../simulators/src/models.js';
import { PublishTracker } from '../../simulators/src/mqtt/tracker.js';

/** `--dialect mixed`: the seeded blend per site, the fleet file it implies, and the runs that carry it. */
const MODELS = loadAsicSpecs();
const T0 = Date.UTC(2026, 0, 1);
const dir = mkdtempSync(join(tmpdir(), 'kw-sim-mixed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const mixed = (over: Partial<FleetModelOptions> = {}) => createFleet({ sites: 2, rigsPerSite: 200, seed: 42, dialect: 'mixed', ...over }, MODELS);

/** PDU id → dialect, per site, read back from the fleet file's bindings (native PDUs have none). */
function dialectsOf(file: FleetFile): Map<string, string> {
  const out = new Map<string, string>();
  for (const site of file.sites) for (const rack of site.racks) for (const pdu of rack.pdus) out.set(`${site.id}/${pdu.id}`, 'native');
  for (const b of file.bindings) if ('pdu' in b.to) out.set(`${b.to.site}/${b.to.pdu}`, b.match.dialect);
  return out;
}

describe('the mixed blend', () => {
  it('is the same for the same seed, differs for another, and keeps site-1 whatever the number of sites', () => {
    expect(mixed().fleetFile()).toEqual(mixed().fleetFile());
    expect(dialectsOf(mixed().fleetFile())).not.toEqual(dialectsOf(mixed({ seed: 43 }).fleetFile()));
    const one = mixed({ sites: 1 }).fleetFile();
    const three = mixed({ sites: 3 }).fleetFile();
    expect(three.sites[0]).toEqual(one.sites[0]);
    expect(three.bindings.filter((b) => b.to.site === 'site-1')).toEqual(one.bindings);
  });

  it.each([
    { rigsPerSite: 200, outletsPerPdu: 12, pdus: 17 },
    { rigsPerSite: 13, outletsPerPdu: 1, pdus: 13 },
  ])('keeps most of $pdus PDUs native, gives every device dialect a share, and one Telegraf host per site', ({ rigsPerSite, outletsPerPdu, pdus: n }) => {
    for (let seed = 1; seed <= 25; seed++) {
      const file = mixed({ seed, rigsPerSite, outletsPerPdu }).fleetFile();
      for (const site of file.sites) {
        const pdus = [...dialectsOf(file)].filter(([k]) => k.startsWith(`${site.id}/`)).map(([, d]) => d);
        const count = (d: string) => pdus.filter((x) => x === d).length;
        expect(pdus).toHaveLength(n);
        expect(count('native')).toBeGreaterThanOrEqual(Math.ceil(n / 2));
        for (const d of ['tasmota', 'shelly-gen2', 'shelly-gen1', 'sparkplug', 'line-protocol']) expect(count(d), `${d} at ${site.id}, seed ${seed}`).toBeGreaterThanOrEqual(1);
        expect(count('line-protocol')).toBe(1);
      }
    }
  });

  it('puts whole racks behind a Sparkplug gateway: every PDU of a gateway rack is a device of that rack’s edge node', () => {
    const file = mixed().fleetFile();
    const devices = file.bindings.filter((b) => b.match.dialect === 'sparkplug' && b.match.device.split('/').length === 3);
    expect(devices.length).toBeGreaterThan(0);
    for (const b of devices) {
      const [site, gw, pdu] = b.match.device.split('/');
      expect(b.to).toEqual({ site, pdu });
      const rack = file.sites.find((s) => s.id === site)!.racks.find((r) => `${r.id}-gw` === gw)!;
      expect(rack.pdus.every((p) => devices.some((d) => d.match.device === `${site}/${gw}/${p.id}`))).toBe(true);
    }
  });

  it('meters a site on a Shelly Pro EM only where its power stays within a device reading’s 100 kW', () => {
    const meterBindings = (f: FleetFile) => f.bindings.filter((b) => 'meter' in b.to);
    expect(meterBindings(mixed().fleetFile())).toEqual([]); // 200 rigs: ~700 kW, the native meter
    const small = mixed({ rigsPerSite: 14, outletsPerPdu: 1 }).fleetFile();
    expect(meterBindings(small).map((b) => b.to)).toEqual([{ site: 'site-1', meter: 'main' }, { site: 'site-2', meter: 'main' }]);
    expect(meterBindings(small)[0]!.match).toMatchObject({ dialect: 'shelly-gen2', channel: 1, device: expect.stringMatching(/^shellyproem50-[0-9a-f]{12}$/) });
  });

  it('refuses faults outside the native dialect', () => {
    expect(() => createFleet({ sites: 1, rigsPerSite: 4, seed: 1, dialect: 'mixed', faults: { kinds: ['gap'], intervalMs: 1000 } }, MODELS)).toThrow(
      'faults act on native PDU messages only: use them with the native dialect, not mixed',
    );
  });
});

describe('the fleet file and DIALECTS a fleet implies', () => {
  it('names only dialects the server knows, native (miners) always among them', () => {
    for (const d of SIM_DIALECTS) expect(DIALECT_NAMES).toContain(SERVER_DIALECT[d]);
    const value = mixed().serverDialects();
    expect(value).toBe('native,tasmota,shelly-gen1,sparkplug,line-protocol,shelly-gen2');
    expect(parseConfig({ DIALECTS: value }).DIALECTS).toEqual(value.split(','));
    expect(createFleet({ sites: 1, rigsPerSite: 4, seed: 1, dialect: 'line' }, MODELS).serverDialects()).toBe('native,line-protocol');
    expect(createFleet({ sites: 1, rigsPerSite: 4, seed: 1 }, MODELS).serverDialects()).toBe('native');
  });

  it('passes the server’s checks, with every outlet’s rig and model, and ratings that carry the PDUs’ nameplate', () => {
    const fleet = mixed();
    const path = join(dir, 'fleet.yaml');
    writeFileSync(path, fleetFileYaml(fleet.fleetFile(), ['header line']));
    const registry = readFleetFile(path);
    const outlets = [...registry.allOutlets()];
    expect(outlets).toHaveLength(400);
    const twin = createFleet({ sites: 2, rigsPerSite: 200, seed: 42 }, MODELS).tick(T0);
    for (const m of twin.filter((x) => x.topic.includes('/pdu/'))) {
      const [, site = '', , pdu = ''] = m.topic.split('/');
      for (const o of (JSON.parse(m.payload) as PduPayloadV1).outlets) expect(registry.outlet(site, pdu, o.outlet)?.rig).toBe(o.rig);
    }
    expect(outlets.every((o) => MODELS.some((m) => m.model === o.model))).toBe(true);
    expect(registry.fleet.sites.map((s) => s.meters)).toEqual([[{ id: 'main' }], [{ id: 'main' }]]);
    // 12 × 3250 W at 208 V line-to-line: 62.5 A per line pair, 108 A a line; ÷ 0.8 continuous → 150 A.
    expect(pduRatingA(new Array(12).fill(3250), 208)).toBe(150);
    expect(pduRatingA([3250], 230)).toBe(20); // one outlet: 14.1 A on one phase, ÷ 0.8 → 20 A
  });

  it('binds every reading of a mixed fleet to the name the native format gives it', () => {
    const opts = { sites: 2, rigsPerSite: 60, seed: 5, outletsPerPdu: 4 };
    const fleet = createFleet({ ...opts, dialect: 'mixed' }, MODELS);
    const twin = createFleet(opts, MODELS);
    const path = join(dir, 'bind.yaml');
    writeFileSync(path, fleetFileYaml(fleet.fleetFile(), ['x']));
    const registry = readFleetFile(path);
    const router = new TopicRouter(createDialects({ topicRoot: 'kilowatch', subscribe: fleet.serverDialects().split(',') }), 1 << 20);
    const ingest = (m: SimMessage) => router.decode(m.topic, m.bytes ?? Buffer.from(m.payload), { now: T0 + 100, maxFutureSkewMs: 300_000 });
    const got = fleet.tick(T0).flatMap((m) => ingest(m).readings.map((r) => registry.bind(r)));
    const key = (r: OutletReading) => `${r.site}/${r.pdu}/${r.outlet}/${r.rig}`;
    const names = new Set(got.filter((r): r is OutletReading => r.kind === 'outlet').map(key));
    const expected = twin.tick(T0).flatMap((m) => {
      if (!m.topic.includes('/pdu/')) return [];
      const [, site = '', , pdu = ''] = m.topic.split('/');
      return (JSON.parse(m.payload) as PduPayloadV1).outlets.map((o) => `${site}/${pdu}/${o.outlet}/${o.rig}`);
    });
    expect([...names].sort()).toEqual(expected.sort());
    expect(got.some((r) => r.site === 'unassigned')).toBe(false);
  });

  it('binds every device status to its PDU, and a Shelly meter’s to nothing (a meter has no online count)', () => {
    const fleet = mixed({ rigsPerSite: 14, outletsPerPdu: 1 });
    const path = join(dir, 'status.yaml');
    writeFileSync(path, fleetFileYaml(fleet.fleetFile(), ['x']));
    const registry = readFleetFile(path);
    const router = new TopicRouter(createDialects({ topicRoot: 'kilowatch', subscribe: fleet.serverDialects().split(',') }), 1 << 20);
    fleet.tick(T0); // Sparkplug births: the edge nodes' online status
    const messages = [...fleet.statusMessages(true), ...fleet.statusMessages(false)];
    const statuses = messages.flatMap((m) => router.decode(m.topic, m.bytes ?? Buffer.from(m.payload), { now: T0, maxFutureSkewMs: 0 }).statuses.map((s) => ({ topic: m.topic, bound: registry.bindStatus(s) })));
    expect(statuses.filter((s) => s.bound?.site === 'unassigned')).toEqual([]);
    const meters = fleet.fleetFile().bindings.filter((b) => 'meter' in b.to).map((b) => b.match.device);
    expect(meters).toHaveLength(2);
    expect(statuses.filter((s) => s.bound === null).map((s) => s.topic.split('/')[0])).toEqual([...meters, ...meters]);
  });
});

describe('runs in a device dialect', () => {
  it('historical mode keeps each device on one connection, Sparkplug births first, and stamps every tick', async () => {
    const log: Array<{ client: number; topic: string }> = [];
    const clients = Array.from({ length: 4 }, (_, i) => ({
      publish(topic: string, _payload: unknown, _opts: unknown, cb: (err?: Error) => void) {
        log.push({ client: i, topic });
        setImmediate(() => cb());
      },
    })) as unknown as MqttClient[];
    const opts = { url: 'mqtt://unused', sites: 1, rigs: 14, intervalMs: 60_000, seed: 42, from: T0, to: T0 + 10 * 60_000, outletsPerPdu: 1, dialect: 'mixed' as const };
    const fleet = createFleet({ sites: 1, rigsPerSite: 14, seed: 42, outletsPerPdu: 1, dialect: 'mixed' }, MODELS);
    // Native topics spread over the connections one by one; a device's topics stay together.
    const routes = new Map(fleet.gateways().filter((g) => g.kind === 'device').flatMap((g) => g.topics.map((t) => [t, g.name] as const)));
    const result = await publishHistory(fleet, clients, opts);
    expect(result.ticks).toBe(10);
    expect(result.errors).toBe(0);
    const clientOf = new Map<string, Set<number>>();
    for (const m of log) {
      const gateway = routes.get(m.topic) ?? m.topic;
      if (!routes.has(m.topic) && !m.topic.startsWith('kilowatch/')) throw new Error(`${m.topic}: no device publishes it`);
      clientOf.set(gateway, (clientOf.get(gateway) ?? new Set()).add(m.client));
    }
    expect([...clientOf.values()].every((s) => s.size === 1)).toBe(true);
    expect(new Set([...routes.values()]).size).toBeGreaterThan(5);
    const spark = log.filter((m) => m.topic.startsWith('spBv1.0/')).map((m) => m.topic.split('/')[2]);
    expect(spark.slice(0, 3)).toEqual(['NBIRTH', 'DBIRTH', 'DBIRTH']);
    expect(spark.slice(3).every((k) => k === 'DDATA')).toBe(true);
  });

  it('CLI: --dialect and --fleet-out, in live and historical mode; what it refuses', () => {
    const raw = (over: Partial<RawCliOptions>): RawCliOptions => ({ ...CLI_DEFAULTS, ...over });
    expect(toCliRun(raw({ dialect: 'mixed', fleetOut: 'f.yaml' }), T0)).toMatchObject({ mode: 'live', fleetOut: 'f.yaml', options: { dialect: 'mixed' } });
    expect(toCliRun(raw({ dialect: 'line-protocol', from: '2026-01-01T00:00:00Z', duration: '60' }), T0)).toMatchObject({ mode: 'history', options: { dialect: 'line' } });
    expect(() => toCliRun(raw({ dialect: 'zigbee' }), T0)).toThrow('--dialect must be one of native, tasmota, shelly-gen2, shelly-gen1, sparkplug, line, mixed (got "zigbee")');
    expect(() => toCliRun(raw({ dialect: 'tasmota', faults: 'gap' }), T0)).toThrow('--faults act on native PDU messages only: leave out --dialect tasmota, or the faults');
    expect(() => toCliRun(raw({ fleetOut: ' ' }), T0)).toThrow('--fleet-out needs a file name');
    expect(parseDialect('SPARKPLUG')).toBe('sparkplug');
  });

  it('says which PDUs speak what in the fleet line', () => {
    const fleet = mixed();
    const summary = fleet.summary();
    expect(summary.dialects?.server).toBe(fleet.serverDialects());
    const total = summary.dialects!.pdus.reduce((n, d) => n + d.pdus, 0);
    expect(total).toBe(summary.pdus);
    expect(formatFleetLine(summary, { url: 'mqtt://h:1', intervalMs: 1000, seed: 42 })).toMatch(/until Ctrl-C; PDUs: \d+ native, (\d+ [a-z0-9-]+, )+\d+ [a-z0-9-]+$/);
  });

  it('the publish tracker sends binary payloads as bytes and hands them to onPublished', async () => {
    const sent: unknown[] = [];
    const seen: Array<Buffer | undefined> = [];
    const client = { publish: (_t: string, p: unknown, _o: unknown, cb: (e?: Error) => void) => (sent.push(p), cb()) } as unknown as MqttClient;
    const tracker = new PublishTracker((_topic, _payload, message) => seen.push(message.bytes));
    const bytes = Buffer.from([0x08, 0x80, 0x01]);
    tracker.publish(client, { topic: 't', payload: bytes.toString('base64'), bytes, readings: 1 }, false, true);
    expect(await tracker.drain(100)).toBe(true);
    expect(sent).toEqual([bytes]);
    expect(seen).toEqual([bytes]);
  });
});
