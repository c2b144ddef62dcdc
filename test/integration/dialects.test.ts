import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutletReading } from '../../server/src/domain/reading.js';
import { DIALECT_NAMES } from '../../server/src/ingest/dialects/names.js';
import { startInfluxd, startMosquitto, type InfluxdHandle, type MosquittoHandle } from '../harness/index.js';
import { startKilowatch, waitFor } from '../support/kilowatch.js';

/**
 * Real device payloads (the fixture cases, copied from shared/fixtures with their sources) published
 * with mosquitto_pub to a real Mosquitto, through the server, into a real InfluxDB: each lands as the
 * exact readings its fixture expects — units converted, device timestamps kept — with no fleet file
 * (site `unassigned`) and with one that binds every device to a PDU.
 */
const FIXTURES = join(import.meta.dirname, '../fixtures/dialects');
const CASES = [
  'tasmota/sensor-2channel-shelly25',
  'tasmota/sensor-1phase',
  'shelly-gen2/status-switch0-plusplug',
  'shelly-gen2/events-notifystatus-power',
  'sparkplug/pdu-nbirth-two-outlets',
  'line-protocol/pdu-outlet-ns-timestamp',
  'line-protocol/kwh-exact',
];

type Expected = OutletReading & { source: NonNullable<OutletReading['source']> };
const expected = CASES.flatMap((c) => (JSON.parse(readFileSync(join(FIXTURES, c, 'expected.json'), 'utf8')) as { readings: Expected[] }).readings);
const devices = [...new Map(expected.map((r) => [`${r.source.dialect}/${r.source.device}`, r.source])).values()];

const stored = (r: Expected): OutletReading => {
  const { source: _source, ...rest } = r;
  return rest;
};
const order = (a: OutletReading, b: OutletReading) => a.ts - b.ts || a.pdu.localeCompare(b.pdu) || a.outlet - b.outlet;

describe('device dialects end to end', () => {
  let mosquitto: MosquittoHandle;
  let influxd: InfluxdHandle;
  let dir: string;

  beforeAll(async () => {
    [mosquitto, influxd] = await Promise.all([startMosquitto(), startInfluxd()]);
    dir = mkdtempSync(join(tmpdir(), 'kw-dialects-'));
  });
  afterAll(async () => {
    await Promise.all([mosquitto?.stop(), influxd?.dispose()]);
    rmSync(dir, { recursive: true, force: true });
  });

  async function publishAllAndRead(settings: Record<string, string>): Promise<OutletReading[]> {
    const kw = await startKilowatch({ MQTT_URL: mosquitto.url, INFLUX_URL: influxd.url, DIALECTS: DIALECT_NAMES.join(','), ...settings });
    try {
      for (const c of CASES) {
        const topic = readFileSync(join(FIXTURES, c, 'topic'), 'utf8').trim();
        execFileSync('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(mosquitto.port), '-q', '1', '-t', topic, '-f', join(FIXTURES, c, 'input')]);
      }
      const read = () => kw.app.store.outlets({ from: 0, to: Date.UTC(2030, 0, 1) });
      await waitFor(async () => (await read()).length >= expected.length, async () => `${(await read()).length} of ${expected.length} stored; ${JSON.stringify((await kw.health()).counters)}`);
      return (await read()).sort(order);
    } finally {
      await kw.stop();
    }
  }

  it('stores every device reading under site unassigned without a fleet file', async () => {
    const got = await publishAllAndRead({ INFLUX_DB: 'dialects_unbound' });
    expect(got).toEqual(expected.map(stored).sort(order));
  });

  it('stores them as the fleet file names them', async () => {
    const fleetFile = join(dir, 'fleet.yaml');
    const pdus = DIALECT_NAMES.filter((d) => d !== 'native').map((d) => `          - { id: p-${d}, rating_a: 32, voltage_v: 230, outlets: [{ outlet: 1, rig: rig-${d}-1 }] }`);
    const bindings = devices.map((s) => `  - { match: { dialect: ${s.dialect}, device: "${s.device}" }, to: { site: lab, pdu: p-${s.dialect} } }`);
    writeFileSync(fleetFile, ['version: 1', 'sites:', '  - id: lab', '    racks:', '      - id: r1', '        pdus:', ...pdus, 'bindings:', ...bindings, ''].join('\n'));
    const got = await publishAllAndRead({ INFLUX_DB: 'dialects_bound', FLEET_FILE: fleetFile });
    const bound = expected.map((r) => {
      const b: OutletReading = { ...stored(r), site: 'lab', pdu: `p-${r.source.dialect}`, outlet: r.source.channel! };
      if (b.outlet === 1) b.rig = `rig-${r.source.dialect}-1`;
      return b;
    });
    expect(got).toEqual(bound.sort(order));
  });
});
