import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mutateBytes, mutateJson, rng } from '../support/fuzz.js';
import { describe, expect, it } from 'vitest';
import { createDialects, DIALECT_NAMES } from '../../server/src/ingest/dialects/index.js';
import { TopicRouter } from '../../server/src/ingest/router.js';

const NOW = Date.UTC(2026, 0, 1);
const ROOT = join(import.meta.dirname, '../fixtures/dialects');

describe('dialect registry', () => {
  const dialects = createDialects({ topicRoot: 'kilowatch' });
  const owners = (topic: string) => dialects.filter((d) => d.matches(topic)).map((d) => d.name);

  it('gives every fixture topic to its own dialect only', () => {
    for (const dialect of readdirSync(ROOT)) {
      for (const name of readdirSync(join(ROOT, dialect))) {
        const topic = readFileSync(join(ROOT, dialect, name, 'topic'), 'utf8').trim();
        const expected = JSON.parse(readFileSync(join(ROOT, dialect, name, 'expected.json'), 'utf8')) as { rejects: string[] };
        // A topic no dialect owns is itself the case (counted unknown_topic by the router).
        const want = expected.rejects.includes('unknown_topic') && owners(topic).length === 0 ? [] : [dialect];
        expect({ topic, owners: owners(topic) }).toEqual({ topic, owners: want });
      }
    }
  });

  it('resolves the only overlaps, Shelly Gen2 prefixes under another dialect root, by order', () => {
    expect(owners('telegraf/status/switch:0')).toEqual(['line-protocol', 'shelly-gen2']);
    expect(owners('kilowatch/online')).toEqual(['native', 'shelly-gen2']);
    expect(dialects.map((d) => d.name)).toEqual([...DIALECT_NAMES]);
  });

  it('subscribes to native only unless told, and refuses unknown names', () => {
    expect(new TopicRouter(createDialects({ topicRoot: 'k' }), 1024).subscriptions).toEqual(['k/#']);
    const all = new TopicRouter(createDialects({ topicRoot: 'k', subscribe: DIALECT_NAMES }), 1024).subscriptions;
    expect(all).toEqual(expect.arrayContaining(['k/#', 'tele/+/SENSOR', 'shellies/+/relay/+/power', 'spBv1.0/+/DDATA/+/+', 'telegraf/#', '+/events/rpc']));
    expect(() => createDialects({ topicRoot: 'k', subscribe: ['tasmotta'] })).toThrow(/tasmotta/);
  });
});

describe('dialect robustness', () => {
  it('never fails with anything but a counted reason on mutated fixture payloads', () => {
    const router = new TopicRouter(createDialects({ topicRoot: 'kilowatch' }), 256 * 1024);
    const next = rng(20260101);
    let decoded = 0;
    for (const dialect of readdirSync(ROOT)) {
      for (const name of readdirSync(join(ROOT, dialect))) {
        const dir = join(ROOT, dialect, name);
        const topic = readFileSync(join(dir, 'topic'), 'utf8').trim();
        const input = readFileSync(join(dir, 'input'));
        let json: unknown;
        try {
          json = JSON.parse(input.toString('utf8'));
        } catch {
          json = undefined;
        }
        for (let i = 0; i < 60; i++) {
          const payload = json !== undefined && i % 2 === 0 ? Buffer.from(JSON.stringify(mutateJson(json, next))) : mutateBytes(input, next);
          const out = router.decode(topic, payload, { now: NOW, maxFutureSkewMs: 300_000 });
          const crashes = out.rejects.filter((r) => r.reason === 'decoder_error');
          expect({ topic, payload: payload.toString('base64'), crashes }).toEqual({ topic, payload: payload.toString('base64'), crashes: [] });
          decoded += 1;
        }
      }
    }
    expect(decoded).toBeGreaterThan(5000);
  });
});
