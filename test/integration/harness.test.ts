// Proves the harness itself against the real binaries: if these fail, every integration, e2e and
// bench run that builds on the harness would fail for reasons unrelated to Kilowatch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { startInfluxd, startMosquitto, type InfluxdHandle, type MosquittoHandle } from '../harness/index.js';

let broker: MosquittoHandle;
let influx: InfluxdHandle;

beforeAll(async () => {
  [broker, influx] = await Promise.all([startMosquitto(), startInfluxd()]);
});

afterAll(async () => {
  await Promise.all([broker?.stop(), influx?.dispose()]);
});

interface Received {
  topic: string;
  payload: string;
  qos: number;
}

function nextMessage(client: MqttClient): Promise<Received> {
  return new Promise((resolve) => {
    client.once('message', (topic, payload, packet) => {
      resolve({ topic, payload: payload.toString(), qos: packet.qos });
    });
  });
}

describe('mosquitto', () => {
  it('listens on its own port, not 1883', () => {
    expect(broker.port).not.toBe(1883);
    expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);
  });

  it('round-trips a QoS 1 message', async () => {
    const client = await mqtt.connectAsync(broker.url, { clientId: 'harness-roundtrip', reconnectPeriod: 0 });
    try {
      await client.subscribeAsync('kilowatch/test/roundtrip', { qos: 1 });
      const received = nextMessage(client);
      await client.publishAsync('kilowatch/test/roundtrip', '{"w":3250}', { qos: 1 });
      expect(await received).toEqual({ topic: 'kilowatch/test/roundtrip', payload: '{"w":3250}', qos: 1 });
    } finally {
      await client.endAsync();
    }
  });

  it('restart() keeps a persistent session and its queued QoS 1 message', async () => {
    const session = { clientId: 'harness-persistent', clean: false, reconnectPeriod: 0 } as const;
    const subscriber = await mqtt.connectAsync(broker.url, session);
    await subscriber.subscribeAsync('kilowatch/test/queued', { qos: 1 });
    await subscriber.endAsync();

    const publisher = await mqtt.connectAsync(broker.url, { clientId: 'harness-publisher', reconnectPeriod: 0 });
    await publisher.publishAsync('kilowatch/test/queued', 'while-away', { qos: 1 });
    await publisher.endAsync();

    await broker.restart();

    // The listener goes on before CONNACK: the broker sends the queued message right after it.
    const back = mqtt.connect(broker.url, session);
    const received = nextMessage(back);
    const connack = await new Promise<{ sessionPresent: boolean }>((resolve, reject) => {
      back.once('connect', resolve);
      back.once('error', reject);
    });
    try {
      expect(connack.sessionPresent).toBe(true);
      expect(await received).toEqual({ topic: 'kilowatch/test/queued', payload: 'while-away', qos: 1 });
    } finally {
      await back.endAsync();
    }
  });

  it('writes its log into the temp dir', () => {
    expect(broker.logs()).toContain('New client connected');
  });
});

describe('influxd', () => {
  const db = 'kilowatch_harness';
  const expected = {
    results: [
      {
        statement_id: 0,
        series: [
          {
            name: 'rig_power',
            columns: ['time', 'rig', 'watts'],
            values: [
              [1_700_000_000_000, 'r1', 3250],
              [1_700_000_001_000, 'r2', 3312.5],
            ],
          },
        ],
      },
    ],
  };
  const select = 'SELECT rig, watts FROM rig_power ORDER BY time';

  it('writes line protocol and reads it back exactly', async () => {
    await influx.query(`CREATE DATABASE ${db}`, db);
    const lines = [
      'rig_power,site=s1,rig=r1 watts=3250 1700000000000',
      'rig_power,site=s1,rig=r2 watts=3312.5 1700000001000',
    ];
    const res = await fetch(`${influx.url}/write?db=${db}&precision=ms`, {
      method: 'POST',
      body: lines.join('\n'),
    });
    expect(res.status).toBe(204);
    expect(await influx.query(select, db)).toEqual(expected);
  });

  it('stop() then start() keeps the data', async () => {
    await influx.stop();
    await expect(fetch(`${influx.url}/ping`)).rejects.toThrow();
    await influx.start();
    expect(await influx.query(select, db)).toEqual(expected);
  });

  it('reports a failing statement as an error', async () => {
    await expect(influx.query('SELECT * FROM', db)).rejects.toThrow(/influxd query failed/);
  });
});
