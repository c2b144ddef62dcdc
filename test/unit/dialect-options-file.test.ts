import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDialects } from '../../server/src/ingest/dialects/index.js';
import { readDialectOptions } from '../../server/src/ingest/dialects/options-file.js';
import { TopicRouter } from '../../server/src/ingest/router.js';

describe('DIALECT_OPTIONS_FILE', () => {
  it('gives Tasmota devices their time zone, and refuses unknown sections', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kw-dopts-'));
    const file = join(dir, 'dialects.json');
    writeFileSync(file, JSON.stringify({ tasmota: { defaultUtcOffset: 'America/Chicago', utcOffsets: { 'plug-17': 60 } } }));
    const router = new TopicRouter(createDialects({ ...readDialectOptions(file), topicRoot: 'kilowatch', subscribe: ['tasmota'] }), 4096);
    const decode = (device: string) => router.decode(`tele/${device}/SENSOR`, Buffer.from('{"Time":"2026-01-15T06:00:00","ENERGY":{"Power":100}}'), { now: Date.UTC(2026, 1, 1), maxFutureSkewMs: 0 }).readings[0]?.ts;
    expect(decode('plug-9')).toBe(Date.UTC(2026, 0, 15, 12)); // Chicago is UTC−6 in January
    expect(decode('plug-17')).toBe(Date.UTC(2026, 0, 15, 5)); // +60 minutes
    writeFileSync(file, JSON.stringify({ tasmotta: {} }));
    expect(() => readDialectOptions(file)).toThrow(/unknown sections tasmotta/);
    expect(readDialectOptions(undefined)).toEqual({});
    rmSync(dir, { recursive: true, force: true });
  });
});
