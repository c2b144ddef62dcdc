import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/src/config/config.js';

describe('configuration', () => {
  it('has the documented defaults: embedded broker and SQLite on loopback', () => {
    const c = loadConfig({});
    expect(c.MQTT_URL).toBeUndefined();
    expect(c.INFLUX_URL).toBeUndefined();
    expect(c).toMatchObject({ MQTT_PORT: 1883, INFLUX_DB: 'kilowatch', DATA_DIR: './data', PORT: 3000, HOST: '127.0.0.1', MQTT_CLIENT_ID: 'kilowatch-ingest' });
  });

  it('treats empty values as unset, as docker-compose passes them', () => {
    const c = loadConfig({ MQTT_URL: '', INFLUX_URL: ' ' });
    expect([c.MQTT_URL, c.INFLUX_URL]).toEqual([undefined, undefined]);
  });

  it('lists every bad key at once with what it must be', () => {
    const attempt = () => loadConfig({ PORT: 'http', MQTT_URL: 'localhost:1883', INFLUX_DB: 'a b' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/MQTT_URL: must be an mqtt:\/\//);
    expect(attempt).toThrow(/INFLUX_DB: must be 1–64 characters/);
    expect(attempt).toThrow(/PORT: must be a port number from 1 to 65535/);
  });

  it('reads a JSON config file, with the environment taking precedence', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kw-config-'));
    const file = join(dir, 'kilowatch.json');
    writeFileSync(file, JSON.stringify({ PORT: 4000, INFLUX_URL: 'http://influx:8086' }));
    expect(loadConfig({ KILOWATCH_CONFIG: file, PORT: '5000' })).toMatchObject({ PORT: 5000, INFLUX_URL: 'http://influx:8086' });
    writeFileSync(file, JSON.stringify({ PROT: 1 }));
    expect(() => loadConfig({ KILOWATCH_CONFIG: file })).toThrow(/unknown keys PROT/);
    expect(() => loadConfig({ KILOWATCH_CONFIG: join(dir, 'missing.json') })).toThrow(/cannot read config file/);
  });
});
