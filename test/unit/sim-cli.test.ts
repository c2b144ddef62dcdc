import { describe, expect, it } from 'vitest';
import { formatFinalLine, formatFleetLine, formatProgressLine } from '../../simulators/src/cli/format.js';
import { CLI_DEFAULTS, toSimulationOptions, type RawCliOptions } from '../../simulators/src/cli/options.js';
import { createFleet } from '../../simulators/src/fleet.js';
import { loadAsicSpecs } from '../../simulators/src/models.js';
import { redactUrl } from '../../simulators/src/mqtt/clients.js';
import type { SimStats } from '../../simulators/src/stats.js';

const with_ = (over: Partial<RawCliOptions>): RawCliOptions => ({ ...CLI_DEFAULTS, ...over });

describe('CLI options', () => {
  it('defaults to 2 sites of 200 rigs every second, seed 42, on the local broker', () => {
    expect(toSimulationOptions(with_({}))).toEqual({ url: 'mqtt://127.0.0.1:1883', sites: 2, rigs: 200, intervalMs: 1000, seed: 42 });
  });

  it('takes duration, outlets per PDU and credentials', () => {
    const opts = toSimulationOptions(with_({ duration: '60', outletsPerPdu: '24', username: 'sim', password: 's3cret' }));
    expect(opts).toMatchObject({ durationS: 60, outletsPerPdu: 24, mqtt: { username: 'sim', password: 's3cret' } });
  });

  it.each([
    [{ rigs: '0' }, '--rigs must be a whole number from 1 to 100000 (got "0")'],
    [{ rigs: '1e3' }, '--rigs must be a whole number from 1 to 100000 (got "1e3")'],
    [{ rigs: '2.5' }, '--rigs must be a whole number from 1 to 100000 (got "2.5")'],
    [{ sites: '-1' }, '--sites must be a whole number from 1 to 1000 (got "-1")'],
    [{ interval: 'fast' }, '--interval must be a whole number from 10 to 3600000 (got "fast")'],
    [{ seed: '4294967296' }, '--seed must be a whole number from 0 to 4294967295 (got "4294967296")'],
    [{ duration: '0' }, '--duration must be a whole number from 1 to 31536000 (got "0")'],
    [{ outletsPerPdu: '49' }, '--outlets-per-pdu must be a whole number from 1 to 48 (got "49")'],
    [{ sites: '20', rigs: '100000' }, '--sites × --rigs must be at most 1000000 rigs in all (got 2000000)'],
    [{ url: '127.0.0.1:1883' }, '--url must be a broker URL such as mqtt://127.0.0.1:1883 (got "127.0.0.1:1883")'],
    [{ url: 'localhost:1883' }, '--url must be a broker URL such as mqtt://127.0.0.1:1883 (got "localhost:1883")'],
    [{ url: 'http://broker' }, '--url must use one of mqtt, mqtts, tcp, ssl, tls, ws, wss (got "http")'],
    [{ url: 'not a url' }, '--url must be a broker URL such as mqtt://127.0.0.1:1883 (got "not a url")'],
    [{ password: 'x' }, '--password needs --username'],
  ])('refuses %o', (over, message) => {
    expect(() => toSimulationOptions(with_(over))).toThrow(message);
  });
});

describe('CLI output', () => {
  it('summarises the fleet in one line, without the broker password', () => {
    const fleet = createFleet({ sites: 2, rigsPerSite: 200, seed: 42 }, loadAsicSpecs());
    expect(formatFleetLine(fleet.summary(), { url: 'mqtt://sim:pw@127.0.0.1:1883', intervalMs: 1000, seed: 42 })).toBe(
      '2 sites, 34 PDUs (12 outlets), 400 rigs: 120 × Antminer S19, 96 × Antminer S19 XP, 96 × Antminer S21 XP, ' +
        '48 × Antminer S17e, 32 × Antminer S21 Pro, 8 × Whatsminer M60S → mqtt://sim:***@127.0.0.1:1883 every 1000 ms, ' +
        'seed 42, until Ctrl-C',
    );
  });

  const stats: SimStats = {
    messages: 4360,
    readings: 8020,
    errors: 1,
    startedAt: 0,
    elapsedMs: 10_000,
    msgsPerSec: 436,
    readingsPerSec: 802,
    pending: 3,
    dropped: 0,
    ticks: 10,
    skippedTicks: 0,
    disconnects: 2,
    connectionErrors: 2,
    lastError: 'connect ECONNREFUSED 127.0.0.1:18830',
  };

  it('prints progress and the final summary', () => {
    expect(formatProgressLine(stats)).toBe(
      '10.0 s: 4360 msgs (436.0/s), 8020 readings (802.0/s), 1 error, 3 pending, 2 disconnects',
    );
    expect(formatFinalLine(stats)).toBe(
      'stopped after 10.0 s and 10 ticks: 4360 msgs and 8020 readings acknowledged (436.0 msgs/s), 1 error, ' +
        '0 dropped, 3 unacknowledged, 2 disconnects, 0 ticks skipped (last error: connect ECONNREFUSED 127.0.0.1:18830)',
    );
  });

  it('redacts only the password of a broker URL', () => {
    expect(redactUrl('mqtts://user:secret@broker.example:8883')).toBe('mqtts://user:***@broker.example:8883');
    expect(redactUrl('mqtt://127.0.0.1:1883')).toBe('mqtt://127.0.0.1:1883');
  });
});
