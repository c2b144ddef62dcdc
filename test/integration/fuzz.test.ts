import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutletReading } from '../../server/src/domain/reading.js';
import { createDialects } from '../../server/src/ingest/dialects/index.js';
import { DIALECT_NAMES } from '../../server/src/ingest/dialects/names.js';
import { startMosquitto, type MosquittoHandle } from '../harness/index.js';
import { adversarial, fixtureCases, rng } from '../support/fuzz.js';
import { startKilowatch, waitFor, type RunningKilowatch } from '../support/kilowatch.js';

/**
 * 100,000 malformed and adversarial payloads across every dialect, through a real Mosquitto into the
 * server, interleaved with valid readings: nothing crashes, every valid reading is stored with its exact
 * value, and every message is accounted for (a reading, or a rejection under a reason — never a decoder error).
 */
const HOSTILE = 100_000;
const VALID_EVERY = 20;
const MAX_PAYLOAD = 64 * 1024;
const SEED = 20261128;
const FIXTURES = join(import.meta.dirname, '../fixtures/dialects');

describe('hostile input', () => {
  let mosquitto: MosquittoHandle;
  let kw: RunningKilowatch;
  const valid: OutletReading[] = [];
  /** Messages whose topic the server subscribes to: the broker delivers only those. */
  let delivered = 0;
  const filters = createDialects({ topicRoot: 'kilowatch', subscribe: DIALECT_NAMES }).flatMap((d) => d.subscriptions);

  beforeAll(async () => {
    mosquitto = await startMosquitto();
    kw = await startKilowatch({ MQTT_URL: mosquitto.url, DIALECTS: DIALECT_NAMES.join(','), MAX_PAYLOAD_BYTES: MAX_PAYLOAD });
    const client = await mqtt.connectAsync(mosquitto.url, { clientId: `kw-fuzz-${process.pid}`, protocolVersion: 5 });
    const next = rng(SEED);
    const cases = fixtureCases(FIXTURES);
    const t0 = Date.UTC(2026, 0, 1);
    let inFlight: Promise<unknown>[] = [];
    for (let i = 0; i < HOSTILE; i++) {
      const m = adversarial(cases, next, MAX_PAYLOAD);
      inFlight.push(client.publishAsync(m.topic, m.payload, { qos: 1 }));
      if (filters.some((f) => topicMatches(f, m.topic))) delivered += 1;
      if (i % VALID_EVERY === 0) {
        // A site no hostile payload names: what is stored there must be exactly this.
        const reading: OutletReading = { kind: 'outlet', site: 'fuzz-valid', pdu: 'p1', outlet: 1 + (i % 7), ts: t0 + i, power_w: Math.round(next() * 4_000_000) / 1000 };
        valid.push(reading);
        inFlight.push(client.publishAsync('kilowatch/fuzz-valid/pdu/p1', JSON.stringify({ ts: reading.ts, outlets: [{ outlet: reading.outlet, power_w: reading.power_w }] }), { qos: 1 }));
        delivered += 1;
      }
      if (inFlight.length >= 2000) {
        await Promise.all(inFlight);
        inFlight = [];
      }
    }
    await Promise.all(inFlight);
    await client.endAsync();
    await waitFor(async () => {
      const h = await kw.health();
      return h.counters.messages_received >= delivered && h.spool.pending_messages === 0;
    }, async () => `delivered ${delivered}; ${JSON.stringify((await kw.health()).counters)}`, 300_000);
  }, 600_000);
  afterAll(async () => {
    await kw?.stop();
    await mosquitto?.stop();
  });

  it('stores every valid reading with its exact value, and nothing else under its site', async () => {
    const stored = await kw.app.store.outlets({ site: 'fuzz-valid', from: 0, to: Date.UTC(2030, 0, 1) });
    expect(stored).toEqual(valid.sort((a, b) => a.ts - b.ts));
  });

  it('accounts for every message, with no decoder error, and keeps running', async () => {
    const h = await kw.health();
    expect(h.counters.messages_received).toBe(delivered);
    expect(h.counters.rejected_by_reason.decoder_error).toBe(0);
    expect(h.counters.readings_rejected).toBeGreaterThan(HOSTILE / 2);
    expect(h.counters.rejected_by_reason.too_large).toBeGreaterThan(0);
    expect(h.status).toBe('ok');
    expect((await fetch(`${kw.url}/healthz`)).status).toBe(200);
  });
});

/** MQTT topic filter matching (MQTT 3.1.1 §4.7): `+` one level, `#` the rest. */
function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length || (f[i] !== '+' && f[i] !== t[i])) return false;
  }
  return f.length === t.length;
}
