import { describe, expect, it } from 'vitest';
import {
  compareRows,
  DEFAULT_SORT,
  driftCell,
  formatDrift,
  mergeRigs,
  MIN_JUDGED_COVERAGE,
  nextSort,
  rowFilter,
  visibleRows,
  type RigRow,
} from '../../web/src/lib/rigs.js';
import type { RigLatest } from '../../web/src/live/contract.js';
import type { RigHour } from '../../web/src/live/efficiency.js';

function row(rig: string, fields: Partial<RigRow> = {}): RigRow {
  return {
    rig,
    pdu: 'r01-pdu1',
    outlet: 1,
    model: 'Antminer S19j Pro',
    power_w: 3000,
    hashrate_ths: 100,
    jth_now: 30,
    temp_c: 65,
    online: true,
    last_ts: 1_000,
    jth_hour: 30,
    nameplate_jth: 29.5,
    drift: 0.0169,
    note: null,
    coverage: 1,
    ...fields,
  };
}

const ids = (rows: readonly RigRow[]): string[] => rows.map((r) => r.rig);

describe('formatDrift', () => {
  it('shows a signed percentage with one decimal', () => {
    expect(formatDrift(0.064)).toEqual({ text: '+6.4\u202f%', level: 'warn' });
    expect(formatDrift(-0.02)).toEqual({ text: '-2.0\u202f%', level: 'ok' });
    expect(formatDrift(0)).toEqual({ text: '0.0\u202f%', level: 'ok' });
    expect(formatDrift(1.08)).toEqual({ text: '+108.0\u202f%', level: 'bad' });
  });

  it('never shows a signed zero', () => {
    expect(formatDrift(-0.0004)).toEqual({ text: '0.0\u202f%', level: 'ok' });
    expect(formatDrift(0.0004)).toEqual({ text: '0.0\u202f%', level: 'ok' });
  });

  it('turns amber beyond ±5 % and red beyond ±10 %, judged on the figure shown', () => {
    expect(formatDrift(0.05).level).toBe('ok');
    expect(formatDrift(0.0504)).toEqual({ text: '+5.0\u202f%', level: 'ok' });
    expect(formatDrift(0.051)).toEqual({ text: '+5.1\u202f%', level: 'warn' });
    expect(formatDrift(-0.051)).toEqual({ text: '-5.1\u202f%', level: 'warn' });
    expect(formatDrift(0.1)).toEqual({ text: '+10.0\u202f%', level: 'warn' });
    expect(formatDrift(0.101)).toEqual({ text: '+10.1\u202f%', level: 'bad' });
    expect(formatDrift(-0.25)).toEqual({ text: '-25.0\u202f%', level: 'bad' });
  });

  it('shows an unknown drift as a dash with no level', () => {
    expect(formatDrift(null)).toEqual({ text: '—', level: null });
    expect(formatDrift(undefined)).toEqual({ text: '—', level: null });
    expect(formatDrift(Number.NaN)).toEqual({ text: '—', level: null });
  });
});

describe('sorting', () => {
  const rows = [
    row('site-1-r01-u02', { drift: 0.02, power_w: 3100, online: true }),
    row('site-1-r01-u10', { drift: null, power_w: null, online: false }),
    row('site-1-r01-u01', { drift: 0.12, power_w: 2900, online: true }),
    row('site-1-r01-u03', { drift: -0.07, power_w: 3300, online: false }),
  ];

  it('defaults to drift descending, worst first, unknown drift last', () => {
    expect(DEFAULT_SORT).toEqual({ key: 'drift', dir: 'desc' });
    expect(ids([...rows].sort(compareRows(DEFAULT_SORT)))).toEqual([
      'site-1-r01-u01',
      'site-1-r01-u02',
      'site-1-r01-u03',
      'site-1-r01-u10',
    ]);
  });

  it('keeps unknown values last in ascending order too', () => {
    expect(ids([...rows].sort(compareRows({ key: 'drift', dir: 'asc' })))).toEqual([
      'site-1-r01-u03',
      'site-1-r01-u02',
      'site-1-r01-u01',
      'site-1-r01-u10',
    ]);
    expect(ids([...rows].sort(compareRows({ key: 'kw', dir: 'asc' })))).toEqual([
      'site-1-r01-u01',
      'site-1-r01-u02',
      'site-1-r01-u03',
      'site-1-r01-u10',
    ]);
  });

  it('sorts ids in numeric order and breaks ties by rig', () => {
    const unpadded = [row('rig-10'), row('rig-2'), row('rig-1')];
    expect(ids(unpadded.sort(compareRows({ key: 'rig', dir: 'asc' })))).toEqual(['rig-1', 'rig-2', 'rig-10']);
    const tied = [row('b', { temp_c: 70 }), row('c', { temp_c: 60 }), row('a', { temp_c: 70 })];
    expect(ids(tied.sort(compareRows({ key: 'temp', dir: 'desc' })))).toEqual(['a', 'b', 'c']);
  });

  it('puts offline rigs first when sorting the status column descending', () => {
    expect(ids([...rows].sort(compareRows({ key: 'online', dir: 'desc' })))).toEqual([
      'site-1-r01-u03',
      'site-1-r01-u10',
      'site-1-r01-u01',
      'site-1-r01-u02',
    ]);
  });

  it('sorts PDU/outlet by PDU then outlet number', () => {
    const wired = [row('x', { pdu: 'r01-pdu2', outlet: 1 }), row('y', { pdu: 'r01-pdu1', outlet: 10 }), row('z', { pdu: 'r01-pdu1', outlet: 9 })];
    expect(ids(wired.sort(compareRows({ key: 'pdu', dir: 'asc' })))).toEqual(['z', 'y', 'x']);
  });

  it('flips on the same column and starts another at its natural direction', () => {
    expect(nextSort({ key: 'drift', dir: 'desc' }, 'drift')).toEqual({ key: 'drift', dir: 'asc' });
    expect(nextSort({ key: 'drift', dir: 'asc' }, 'drift')).toEqual({ key: 'drift', dir: 'desc' });
    expect(nextSort({ key: 'drift', dir: 'desc' }, 'rig')).toEqual({ key: 'rig', dir: 'asc' });
    expect(nextSort({ key: 'rig', dir: 'asc' }, 'temp')).toEqual({ key: 'temp', dir: 'desc' });
    expect(nextSort({ key: 'rig', dir: 'desc' }, 'model')).toEqual({ key: 'model', dir: 'asc' });
  });
});

describe('filtering', () => {
  const rows = [
    row('site-1-r01-u01', { model: 'Antminer S19j Pro', pdu: 'r01-pdu1' }),
    row('site-1-r03-u05', { model: 'Antminer S21', pdu: 'r03-pdu1' }),
    row('site-1-r03-u17', { model: 'Whatsminer M30S++', pdu: 'r03-pdu2' }),
    row('site-1-r04-u01', { model: null, pdu: null }),
  ];

  it('matches the rig id, model or PDU, case-insensitively', () => {
    expect(ids(rows.filter(rowFilter('S21')))).toEqual(['site-1-r03-u05']);
    expect(ids(rows.filter(rowFilter('whatsminer')))).toEqual(['site-1-r03-u17']);
    expect(ids(rows.filter(rowFilter('R03-PDU2')))).toEqual(['site-1-r03-u17']);
    expect(ids(rows.filter(rowFilter('u01')))).toEqual(['site-1-r01-u01', 'site-1-r04-u01']);
  });

  it('needs every term to match', () => {
    expect(ids(rows.filter(rowFilter('  antminer   r03 ')))).toEqual(['site-1-r03-u05']);
    expect(ids(rows.filter(rowFilter('s21 r01')))).toEqual([]);
  });

  it('matches everything when empty', () => {
    expect(ids(rows.filter(rowFilter('')))).toHaveLength(4);
    expect(ids(rows.filter(rowFilter('   ')))).toHaveLength(4);
  });

  it('filters, then sorts', () => {
    const shown = visibleRows(
      [row('a', { model: 'S21', drift: 0.01 }), row('b', { model: 'S19', drift: 0.2 }), row('c', { model: 'S21', drift: 0.3 })],
      DEFAULT_SORT,
      's21',
    );
    expect(ids(shown)).toEqual(['c', 'a']);
  });
});

describe('mergeRigs', () => {
  const live: RigLatest = {
    rig: 'site-1-r01-u01',
    pdu: 'r01-pdu1',
    outlet: 1,
    power_w: 3100,
    hashrate_ths: 101,
    j_per_th: 30.69,
    model: 'Antminer S19j Pro',
    temp_c: 66,
    online: true,
    last_ts: 5_000,
  };
  const hour: RigHour = {
    rig: 'site-1-r01-u01',
    pdu: 'r01-pdu1',
    model: 'Antminer S19j Pro',
    kwh: 3.1,
    th: 360_000,
    jth: 31,
    drift: 0.0508,
    note: null,
    nameplate: { model: 'Antminer S19j Pro', jth: 29.5 },
    energy_completeness: 0.98,
    hash_completeness: 0.97,
  };

  it('joins the live figures and the hour by rig', () => {
    expect(mergeRigs([live], [hour])).toEqual([
      {
        rig: 'site-1-r01-u01',
        pdu: 'r01-pdu1',
        outlet: 1,
        model: 'Antminer S19j Pro',
        power_w: 3100,
        hashrate_ths: 101,
        jth_now: 30.69,
        temp_c: 66,
        online: true,
        last_ts: 5_000,
        jth_hour: 31,
        nameplate_jth: 29.5,
        drift: 0.0508,
        note: null,
        coverage: 0.97,
      },
    ]);
  });

  it('keeps a live rig the hour does not know, with unknown hour figures', () => {
    const [only] = mergeRigs([live], []);
    expect(only).toMatchObject({ rig: live.rig, jth_hour: null, drift: null, note: null, coverage: null, online: true });
  });

  it('adds a rig only the hour knows, offline and without live figures', () => {
    const gone: RigHour = { ...hour, rig: 'site-1-r01-u02', pdu: 'r01-pdu1', jth: null, drift: null, note: 'no miner readings' };
    const rows = mergeRigs([live], [hour, gone]);
    expect(ids(rows)).toEqual(['site-1-r01-u01', 'site-1-r01-u02']);
    expect(rows[1]).toMatchObject({
      rig: 'site-1-r01-u02',
      pdu: 'r01-pdu1',
      outlet: null,
      power_w: null,
      online: false,
      last_ts: null,
      note: 'no miner readings',
    });
  });
});

describe('driftCell', () => {
  it('colours a drift with five minutes of the hour or more behind it', () => {
    expect(MIN_JUDGED_COVERAGE).toBe(5 / 60);
    expect(driftCell({ drift: 0.12, coverage: 5 / 60 })).toEqual({ text: '+12.0\u202f%', level: 'bad', provisional: false });
    expect(driftCell({ drift: 0.06, coverage: 1 })).toEqual({ text: '+6.0\u202f%', level: 'warn', provisional: false });
  });

  it('shows a younger drift uncoloured, as provisional', () => {
    expect(driftCell({ drift: 1.08, coverage: 0.001 })).toEqual({ text: '+108.0\u202f%', level: null, provisional: true });
    expect(driftCell({ drift: 0.01, coverage: null })).toEqual({ text: '+1.0\u202f%', level: null, provisional: true });
  });

  it('leaves an unknown drift a plain dash', () => {
    expect(driftCell({ drift: null, coverage: 1 })).toEqual({ text: '—', level: null, provisional: false });
  });
});
