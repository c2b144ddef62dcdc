import { describe, expect, it } from 'vitest';
import { encodeRollups, ROLLUP_EXPORT_COLUMNS } from '../../server/src/exports/rollups-export.js';
import { fileTime } from '../../server/src/exports/send.js';
import { replayStep, staleRuns } from '../../server/src/replay/series.js';
import { zeroRollupFields, type RollupRow } from '../../server/src/store/store.js';
import { auditHash, fromLocalInput, localTime, parseAuditRoute, toLocalInput } from '../../web/src/views/audit-route.js';

const T = Date.UTC(2025, 10, 1, 5);
const MINUTE = 60_000;
const HOUR = 3_600_000;

describe('rollup exports', () => {
  const row = (ts: number, key: string, register: number): RollupRow => ({ resolution: '1h', level: 'pdu', site: 's1', key, ts, fields: { ...zeroRollupFields(), register_mwh: register, series: 2, power_mean_w: 6400.5 } });

  it('writes every stored field and marks the buckets held out of date', () => {
    const rows = [row(T, 'p1', 6_400_500), row(T + HOUR, 'p1', 6_401_000)];
    const csv = encodeRollups('csv', rows, (r) => r.ts === T + HOUR).toString().split('\r\n');
    expect(csv[0]).toBe(ROLLUP_EXPORT_COLUMNS.join(','));
    expect(csv[0]).toBe(
      'time,ts_ms,site,level,key,resolution,stale,register_mwh,integrated_mwh,integrated_frac,register_ms,integrated_ms,covered_ms,series_ms,series,samples,power_mean_w,power_max_w,hash_ghs,hash_frac,hashrate_mean_ths,hash_covered_ms,miner_series_ms,miner_samples,resets,rollovers,spikes,glitches,recoveries,gaps',
    );
    expect(csv[1]).toBe('2025-11-01T05:00:00.000Z,1761973200000,s1,pdu,p1,1h,0,6400500,0,0,0,0,0,0,2,0,6400.5,0,0,0,0,0,0,0,0,0,0,0,0,0');
    expect(csv[2]!.split(',').slice(0, 8)).toEqual(['2025-11-01T06:00:00.000Z', '1761976800000', 's1', 'pdu', 'p1', '1h', '1', '6401000']);
    expect(csv).toHaveLength(4);
    const json = JSON.parse(encodeRollups('json', rows, () => false).toString()) as { columns: string[]; rows: Array<Record<string, number | string>> };
    expect(json.rows[1]).toMatchObject({ key: 'p1', stale: 0, register_mwh: 6_401_000, power_mean_w: 6400.5 });
  });

  it('names files with a time that fits in a file name', () => {
    expect(fileTime(T + 1234)).toBe('20251101T050001Z');
  });
});

describe('replay steps and out-of-date buckets', () => {
  it('picks the smallest step within the points asked for', () => {
    expect(replayStep(HOUR, 2000)).toBe(2000);
    expect(replayStep(24 * HOUR, 2000)).toBe(MINUTE);
    expect(replayStep(31 * 24 * HOUR, 2000)).toBe(30 * MINUTE);
    expect(replayStep(366 * 24 * HOUR, 2000)).toBe(6 * HOUR);
    expect(replayStep(10 * 366 * 24 * HOUR, 2000)).toBe(24 * HOUR);
  });

  it('joins consecutive out-of-date buckets into runs, cut to the range', () => {
    const minutes = [T + 3 * MINUTE, T + MINUTE, T, T + 2 * MINUTE, T + 10 * MINUTE, T - MINUTE, T + 99 * MINUTE];
    expect(staleRuns(minutes, MINUTE, T + 30_000, T + 60 * MINUTE)).toEqual([
      { from: T + 30_000, to: T + 4 * MINUTE },
      { from: T + 10 * MINUTE, to: T + 11 * MINUTE },
    ]);
  });
});

describe('the auditors\' page address', () => {
  it('reads the site, range, month and speed from the hash, and writes them back', () => {
    const route = parseAuditRoute('#/audit/site-1?from=2025-11-01T00:00:00-05:00&to=1762059600000&month=2025-11&speed=600');
    expect(route).toEqual({ site: 'site-1', from: T, to: T + 24 * HOUR, month: '2025-11', speed: 600 });
    expect(auditHash(route!)).toBe('#/audit/site-1?from=2025-11-01T05%3A00%3A00.000Z&to=2025-11-02T05%3A00%3A00.000Z&month=2025-11&speed=600');
    expect(parseAuditRoute('#/audit')).toEqual({ site: null, from: null, to: null, month: null, speed: null });
    expect(parseAuditRoute('#/audit/bad%zz')).toBeNull();
    expect(parseAuditRoute('#/audit/x?speed=7&month=2025-13')).toMatchObject({ site: 'x', speed: null, month: null });
    expect(parseAuditRoute('#/overview')).toBeNull();
  });

  it('reads and writes range inputs on the site\'s clock, DST included', () => {
    expect(toLocalInput(T, 'America/Chicago')).toBe('2025-11-01T00:00');
    expect(fromLocalInput('2025-11-01T00:00', 'America/Chicago')).toBe(T);
    // 01:30 happens twice on 2 November in Chicago: the earlier one, still on daylight time.
    expect(fromLocalInput('2025-11-02T01:30', 'America/Chicago')).toBe(Date.UTC(2025, 10, 2, 6, 30));
    expect(fromLocalInput('2025-11-02 01:30', 'America/Chicago')).toBeNull();
    expect(localTime(Date.UTC(2025, 10, 2, 7, 30), 'America/Chicago')).toBe('2025-11-02 01:30:00 -06:00');
  });
});
