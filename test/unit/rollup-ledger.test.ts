import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirtyLedger } from '../../server/src/rollup/ledger.js';

const M = 60_000;
const H = 3_600_000;
const T = Date.parse('2026-03-01T10:00:00Z');

describe('DirtyLedger: what the rollups still owe, on disk', () => {
  let dir: string;
  let ledger: DirtyLedger;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kw-ledger-'));
    ledger = new DirtyLedger(join(dir, 'rollup.db'));
    ledger.open();
  });
  afterEach(() => {
    ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps marks across a reopen (a crash after the store took a batch loses nothing)', () => {
    expect(ledger.created).toBe(true);
    ledger.markFresh('a', [T + 5, T + 59_999, T + M + 1, T + 3 * M]);
    ledger.close();
    ledger = new DirtyLedger(join(dir, 'rollup.db'));
    ledger.open();
    expect(ledger.created).toBe(false);
    expect(ledger.freshRuns(10)).toEqual([
      { site: 'a', from: T, to: T + 2 * M, seq: 1 },
      { site: 'a', from: T + 3 * M, to: T + 4 * M, seq: 1 },
    ]);
    expect(ledger.backlog()).toEqual({ fresh: 3, minutes: 0, hours: 0 });
  });

  it('expands a fresh run into dirty minutes, then clears only what was not marked again meanwhile', () => {
    ledger.markFresh('a', [T + 10 * M]);
    const [run] = ledger.freshRuns(10);
    ledger.expanded(run!, T + 8 * M, T + 12 * M);
    const chunk = ledger.nextMinutes(T + H, H)!;
    expect(chunk.site).toBe('a');
    expect(chunk.marks.map((m) => (m.minute - T) / M)).toEqual([8, 9, 10, 11]);
    // Minute 9 gets a new reading while the chunk is being computed: it stays dirty.
    ledger.markFresh('a', [T + 9 * M]);
    ledger.recomputed('a', chunk.marks);
    expect(ledger.dirtyIn('a', T, T + H, 0)).toEqual({ minutes: new Set([T + 9 * M]), hours: new Set([T]), fresh: true });
    // The hour waits until none of its minutes is dirty.
    expect(ledger.readyHours(T + 2 * H, 10)).toEqual([]);
    const [again] = ledger.freshRuns(10);
    ledger.expanded(again!, T + 9 * M, T + 10 * M);
    ledger.recomputed('a', ledger.nextMinutes(T + H, H)!.marks);
    const [hour] = ledger.readyHours(T + 2 * H, 10);
    expect(hour).toMatchObject({ site: 'a', hour: T });
    expect(ledger.readyHours(T + H - 1, 10)).toEqual([]); // an hour is rebuilt only once it has ended
    ledger.hourRebuilt('a', T, hour!.seq);
    expect(ledger.backlog()).toEqual({ fresh: 0, minutes: 0, hours: 0 });
  });

  it('leaves minutes that have not ended by `until`, and marks whole spans for a backfill', () => {
    ledger.markDirty('b', T, T + 3 * M + 1);
    expect(ledger.nextMinutes(T + 2 * M, H)!.marks.map((m) => m.minute)).toEqual([T, T + M]);
    expect(ledger.nextMinutes(T, H)).toBeNull();
    expect(ledger.backlog().minutes).toBe(4);
  });
});
