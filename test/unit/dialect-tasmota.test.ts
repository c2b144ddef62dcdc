import { describe, expect, it } from 'vitest';
import { tasmotaDialect } from '../../server/src/ingest/dialects/tasmota.js';

/** Tasmota's device-local `Time` and its configurable FullTopic. */
const NOW = Date.UTC(2026, 0, 1);
const ctx = { now: NOW, maxFutureSkewMs: 300_000 };
const sensor = (time: string) => Buffer.from(JSON.stringify({ Time: time, ENERGY: { Power: 100 } }));
const tsOf = (d: ReturnType<typeof tasmotaDialect>, topic: string, time: string) => d.decode(topic, sensor(time), ctx).readings[0]?.ts;

describe('tasmota time', () => {
  it('reads Time with the device offset in minutes, else the default offset', () => {
    const d = tasmotaDialect({ utcOffsets: { plug1: 120 }, defaultUtcOffset: -300 });
    expect(tsOf(d, 'tele/plug1/SENSOR', '2025-07-01T12:00:00')).toBe(Date.UTC(2025, 6, 1, 10));
    expect(tsOf(d, 'tele/plug2/SENSOR', '2025-07-01T12:00:00')).toBe(Date.UTC(2025, 6, 1, 17));
  });

  it('follows daylight saving with an IANA zone', () => {
    const d = tasmotaDialect({ defaultUtcOffset: 'America/Chicago' });
    expect(tsOf(d, 'tele/p/SENSOR', '2025-07-01T12:00:00')).toBe(Date.UTC(2025, 6, 1, 17)); // CDT, UTC-5
    expect(tsOf(d, 'tele/p/SENSOR', '2025-12-01T12:00:00')).toBe(Date.UTC(2025, 11, 1, 18)); // CST, UTC-6
    // 2025-11-02 01:30 happens twice in Chicago: the first (CDT) one is taken; 2025-03-09 02:30 never
    // happens: read with the offset before the change (CST), it lands at 03:30 CDT.
    expect(tsOf(d, 'tele/p/SENSOR', '2025-11-02T01:30:00')).toBe(Date.UTC(2025, 10, 2, 6, 30));
    expect(tsOf(d, 'tele/p/SENSOR', '2025-03-09T02:30:00')).toBe(Date.UTC(2025, 2, 9, 8, 30));
    // East of Greenwich the same rule: Berlin's repeated 02:30 on 2025-10-26 is the CEST one.
    expect(tsOf(tasmotaDialect({ defaultUtcOffset: 'Europe/Berlin' }), 'tele/p/SENSOR', '2025-10-26T02:30:00')).toBe(Date.UTC(2025, 9, 26, 0, 30));
  });

  it('lets a zone in the text (SetOption52) win over any configured offset', () => {
    const d = tasmotaDialect({ defaultUtcOffset: 'Asia/Tokyo' });
    expect(tsOf(d, 'tele/p/SENSOR', '2025-07-01T12:00:00+02:00')).toBe(Date.UTC(2025, 6, 1, 10));
  });

  it('refuses a bad offset or zone at start-up', () => {
    expect(() => tasmotaDialect({ defaultUtcOffset: 'Mars/Olympus' })).toThrow(RangeError);
    expect(() => tasmotaDialect({ utcOffsets: { p: 90.5 } })).toThrow(RangeError);
  });
});

describe('tasmota topics', () => {
  it('follows a custom FullTopic', () => {
    const d = tasmotaDialect({ fullTopic: 'tasmota/%topic%/%prefix%/' });
    expect(d.subscriptions).toEqual(['tasmota/+/tele/SENSOR', 'tasmota/+/tele/STATE', 'tasmota/+/tele/LWT']);
    expect(d.matches('tele/p/SENSOR')).toBe(false);
    const out = d.decode('tasmota/rack4-plug/tele/LWT', Buffer.from('Online'), ctx);
    expect(out.statuses).toEqual([{ kind: 'status', site: 'unassigned', pdu: 'tasmota.rack4-plug', online: true }]);
  });

  it('does not own other tele topics', () => {
    const d = tasmotaDialect();
    expect(d.matches('tele/p/MARGINS')).toBe(false);
    expect(d.matches('stat/p/POWER')).toBe(false);
    expect(d.matches('tele/a/b/SENSOR')).toBe(false);
  });

  it('refuses a FullTopic without a device token', () => {
    expect(() => tasmotaDialect({ fullTopic: '%prefix%/fixed/' })).toThrow(RangeError);
  });
});
