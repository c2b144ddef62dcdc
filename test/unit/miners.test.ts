import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MinerReplyError, parseSummary } from '../../server/src/miners/cgminer.js';
import { summaryReply } from '../../simulators/src/miner-api/fake-miner.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/miners', name), 'utf8');

describe('cgminer-style replies', () => {
  it('reads Whatsminer MH/s (1-minute average) and its temperature', () => {
    expect(parseSummary(fixture('cgminer-summary-whatsminer-m31s.json'))).toEqual({ hashrate_ths: 77.91, when: 1_612_175_432_000, field: 'MHS 1m', temp_c: 72 });
  });

  it('reads Braiins OS MH/s', () => {
    expect(parseSummary(fixture('cgminer-summary-braiins-bosminer-plus-s9.json'))).toEqual({ hashrate_ths: 13.97, when: 1_597_187_939_000, field: 'MHS 1m' });
  });

  it('reads Antminer GH/s from the stats reply, skipping the version object', () => {
    expect(parseSummary(fixture('antminer-stats-s19pro.json'))).toMatchObject({ hashrate_ths: 110.79, field: 'GHS 5s' });
  });

  it('survives what real firmware sends: NUL terminator, }{, bare nan, \\\' escapes, numbers as strings', () => {
    const reply = '{"STATUS":[{"STATUS":"S","When":1612175432}],"SUMMARY":[{"GHS 5s":"54997.01","GHS av":nan,"Firmware Version":"\\\'2020\\\'"}]}{"id":1}\0';
    expect(parseSummary(reply)).toEqual({ hashrate_ths: 55, when: 1_612_175_432_000, field: 'GHS 5s' });
  });

  it('says why a reply gives no hashrate', () => {
    const problem = (text: string) => {
      try {
        parseSummary(text);
        return 'parsed';
      } catch (err) {
        return (err as MinerReplyError).problem;
      }
    };
    expect(problem('{"STATUS":[{"STATUS":"E","Msg":"Not ready"}]}')).toBe('status_error');
    expect(problem('{"STATUS":[{"STATUS":"S"}],"SUMMARY":[{"Elapsed":1}]}')).toBe('no_hashrate');
    expect(problem('{"SUMMARY":[{"MHS 1m":nan}]}')).toBe('not_finite');
    expect(problem('{"SUMMARY":[{"MHS 1m":')).toBe('not_json');
  });

  it('reads back what the simulator\'s fake miners send, for every firmware', () => {
    for (const firmware of ['antminer', 'braiins', 'whatsminer'] as const) {
      expect(parseSummary(`${summaryReply(firmware, 104.37, 1_767_225_600)}\0`)).toMatchObject({ hashrate_ths: 104.37, when: 1_767_225_600_000 });
    }
  });
});
