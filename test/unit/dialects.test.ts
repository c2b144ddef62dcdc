import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDialects } from '../../server/src/ingest/dialects/index.js';
import { TopicRouter } from '../../server/src/ingest/router.js';

/**
 * Telegraf-style fixture runner: every folder test/fixtures/dialects/<dialect>/<case>/ holds `topic`,
 * `input` (the payload bytes as sent) and `expected.json` (readings, statuses, rejection reasons).
 * A bug found in the field becomes a new folder, not new code here.
 */
const ROOT = join(import.meta.dirname, '../fixtures/dialects');
// Every case is decoded as if the server clock read 2026-01-01T00:00:00Z.
const NOW = Date.UTC(2026, 0, 1);
const router = new TopicRouter(createDialects({ topicRoot: 'kilowatch' }), 256 * 1024);

interface Expected {
  readings: unknown[];
  statuses: unknown[];
  rejects: string[];
}

for (const dialect of readdirSync(ROOT)) {
  describe(`dialect ${dialect}`, () => {
    for (const name of readdirSync(join(ROOT, dialect))) {
      const dir = join(ROOT, dialect, name);
      it(name, () => {
        const topic = readFileSync(join(dir, 'topic'), 'utf8').trim();
        const payload = readFileSync(join(dir, 'input'));
        const nowFile = join(dir, 'now');
        const now = existsSync(nowFile) ? Number(readFileSync(nowFile, 'utf8')) : NOW;
        const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
        const decoded = router.decode(topic, payload, { now, maxFutureSkewMs: 5 * 60_000 });
        expect(decoded.readings).toEqual(expected.readings);
        expect(decoded.statuses).toEqual(expected.statuses);
        expect(decoded.rejects.map((r) => r.reason)).toEqual(expected.rejects);
      });
    }
  });
}

describe('topic router', () => {
  it('rejects a payload above the size limit before decoding it', () => {
    const small = new TopicRouter(createDialects({ topicRoot: 'kilowatch' }), 64);
    const payload = Buffer.from(JSON.stringify({ ts: NOW, power_w: 1, pad: 'x'.repeat(64) }));
    const decoded = small.decode('kilowatch/s/meter/m', payload, { now: NOW, maxFutureSkewMs: 0 });
    expect(decoded.rejects).toEqual([{ reason: 'too_large', message: expect.stringContaining('above the 64-byte limit') }]);
  });

  it('rejects topics outside every dialect', () => {
    const decoded = router.decode('other/thing', Buffer.from('{}'), { now: NOW, maxFutureSkewMs: 0 });
    expect(decoded.rejects.map((r) => r.reason)).toEqual(['unknown_topic']);
  });

  it('uses the configured topic root', () => {
    const custom = new TopicRouter(createDialects({ topicRoot: 'plant7' }), 1024);
    expect(custom.subscriptions).toEqual(['plant7/#']);
    const decoded = custom.decode('plant7/s/meter/m', Buffer.from(`{"ts":${NOW},"power_w":7}`), { now: NOW, maxFutureSkewMs: 0 });
    expect(decoded.readings).toEqual([{ kind: 'meter', site: 's', meter: 'm', ts: NOW, power_w: 7 }]);
  });
});
