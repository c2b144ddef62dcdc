import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { HOUR_MS, MINUTE_MS } from './accounting.js';

/**
 * Which rollup buckets are out of date, kept on disk (`DATA_DIR/rollup.db`) so that a crash or a restart never
 * loses one: the drainer marks the minutes of every stored batch here before the spool lets the batch go.
 *
 * - A minute marked `fresh` received readings; the minutes whose context holds those readings (up to three
 *   readings away, across a gap however long) are not known yet. Expanding a fresh run marks them, and
 *   the run itself, as plain dirty minutes, which the worker recomputes.
 * - Recomputed minutes mark their hour, which is rebuilt from its 60 minute buckets once none is dirty.
 * - Every mark carries a sequence number. Clearing a mark names the number it saw, so a minute marked again
 *   while it was being recomputed stays dirty.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS dirty_minute (site TEXT NOT NULL, minute INTEGER NOT NULL, fresh INTEGER NOT NULL, seq INTEGER NOT NULL,
  PRIMARY KEY (site, minute)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS dirty_minute_time ON dirty_minute (fresh, minute);
CREATE TABLE IF NOT EXISTS dirty_hour (site TEXT NOT NULL, hour INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (site, hour)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

export interface Mark {
  minute: number;
  seq: number;
}

export interface FreshRun {
  site: string;
  /** [from, to): contiguous fresh minutes. */
  from: number;
  to: number;
  /** The highest mark in the run when it was read. */
  seq: number;
}

export interface DirtyState {
  /** Minutes marked (fresh or not) and hours marked, in the range asked for. */
  minutes: Set<number>;
  hours: Set<number>;
  /** Fresh runs not yet expanded touch the range's neighbourhood: the caller must expand them first. */
  fresh: boolean;
}

export interface Backlog {
  fresh: number;
  minutes: number;
  hours: number;
}

type Statements = ReturnType<typeof prepare>;

export class DirtyLedger {
  private db: Database.Database | null = null;
  private st: Statements | null = null;
  private seq = 0;
  private markMany: ((site: string, minutes: Iterable<number>, fresh: boolean) => void) | null = null;
  /** True when the file was created by this open: existing data has no rollups yet. */
  created = false;

  constructor(private readonly path: string) {}

  open(): void {
    if (this.path !== ':memory:') mkdirSync(dirname(this.path), { recursive: true });
    const db = new Database(this.path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    this.created = (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'dirty_minute'").get() as { n: number }).n === 0;
    db.exec(SCHEMA);
    this.st = prepare(db);
    const row = db.prepare('SELECT max(s) AS s FROM (SELECT max(seq) AS s FROM dirty_minute UNION ALL SELECT max(seq) FROM dirty_hour)').get() as { s: number | null };
    this.seq = row.s ?? 0;
    this.markMany = db.transaction((site: string, minutes: Iterable<number>, fresh: boolean) => {
      const seq = ++this.seq;
      for (const minute of minutes) (fresh ? this.st!.markFresh : this.st!.markDirty).run(site, minute, seq);
    });
    this.db = db;
  }

  close(): void {
    this.db?.close();
    this.db = null;
    this.st = null;
  }

  /** Readings of `site` were stored at these minutes (ms epoch, any ms inside the minute). One commit. */
  markFresh(site: string, minutes: Iterable<number>): void {
    this.mark(site, minutes, true);
  }

  /** Every minute in [from, to) needs recomputing (no expansion: the caller knows the whole extent). */
  markDirty(site: string, from: number, to: number): void {
    const first = floorMinute(from);
    this.mark(site, (function* () {
      for (let m = first; m < to; m += MINUTE_MS) yield m;
    })(), false);
  }

  private mark(site: string, minutes: Iterable<number>, fresh: boolean): void {
    if (!this.markMany) throw new Error('rollup ledger is not open');
    const distinct = new Set<number>();
    for (const m of minutes) distinct.add(floorMinute(m));
    if (distinct.size > 0) this.markMany(site, distinct, fresh);
  }

  /** Up to `limit` runs of fresh minutes (of minutes before `before`), oldest first. */
  freshRuns(limit: number, before = Number.MAX_SAFE_INTEGER): FreshRun[] {
    const rows = this.stmts().fresh.all(before) as { site: string; minute: number; seq: number }[];
    const runs: FreshRun[] = [];
    const open = new Map<string, FreshRun>();
    for (const r of rows) {
      const last = open.get(r.site);
      if (last && last.to === r.minute) {
        last.to += MINUTE_MS;
        last.seq = Math.max(last.seq, r.seq);
        continue;
      }
      if (runs.length === limit) break;
      const run = { site: r.site, from: r.minute, to: r.minute + MINUTE_MS, seq: r.seq };
      runs.push(run);
      open.set(r.site, run);
    }
    return runs;
  }

  /** The run was expanded: its minutes and [from, to) (which holds it) become plain dirty minutes. One commit. */
  expanded(run: FreshRun, from: number, to: number): void {
    this.database().transaction(() => {
      this.stmts().settleFresh.run(run.site, run.from, run.to, run.seq);
      const seq = ++this.seq;
      for (let m = floorMinute(from); m < to; m += MINUTE_MS) {
        if (m < run.from || m >= run.to) this.stmts().markDirty.run(run.site, m, seq);
      }
    })();
  }

  /**
   * The next minutes to recompute: the earliest dirty (not fresh) minute ending by `until`, and the other
   * dirty minutes of its site within `spanMs` of that minute's hour.
   */
  nextMinutes(until: number, spanMs: number): { site: string; marks: Mark[] } | null {
    const first = this.stmts().firstDirty.get(until - MINUTE_MS) as { site: string; minute: number } | undefined;
    if (!first) return null;
    const from = floorHour(first.minute);
    const marks = this.stmts().dirtyIn.all(first.site, from, Math.min(from + spanMs, until - MINUTE_MS + 1)) as Mark[];
    return { site: first.site, marks };
  }

  /** These minutes were recomputed and written: clear their marks (unless marked again since) and mark their hours. */
  recomputed(site: string, marks: readonly Mark[]): void {
    this.database().transaction(() => {
      const seq = ++this.seq;
      const hours = new Set<number>();
      for (const m of marks) {
        this.stmts().clearMinute.run(site, m.minute, m.seq);
        hours.add(floorHour(m.minute));
      }
      for (const h of hours) this.stmts().markHour.run(site, h, seq);
    })();
  }

  /** Marked hours ending by `until` none of whose minutes is dirty, oldest first. */
  readyHours(until: number, limit: number): { site: string; hour: number; seq: number }[] {
    return this.stmts().readyHours.all(until - HOUR_MS, limit) as { site: string; hour: number; seq: number }[];
  }

  hourRebuilt(site: string, hour: number, seq: number): void {
    this.stmts().clearHour.run(site, hour, seq);
  }

  /** What a query over [from, to) of `site` must not take from rollups. `reach`: how far fresh runs can matter. */
  dirtyIn(site: string, from: number, to: number, reach: number): DirtyState {
    const s = this.stmts();
    const minutes = new Set((s.marksIn.all(site, floorMinute(from), to) as { minute: number }[]).map((r) => r.minute));
    const hours = new Set((s.hoursIn.all(site, floorHour(from), to) as { hour: number }[]).map((r) => r.hour));
    const fresh = (s.freshNear.get(site, from - reach, to + reach) as { n: number }).n > 0;
    return { minutes, hours, fresh };
  }

  backlog(): Backlog {
    return this.stmts().backlog.get() as Backlog;
  }

  getMeta(key: string): string | null {
    return (this.stmts().getMeta.get(key) as { value: string } | undefined)?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.stmts().setMeta.run(key, value);
  }

  private stmts(): Statements {
    if (!this.st) throw new Error('rollup ledger is not open');
    return this.st;
  }

  private database(): Database.Database {
    if (!this.db) throw new Error('rollup ledger is not open');
    return this.db;
  }
}

function prepare(db: Database.Database) {
  return {
    markFresh: db.prepare('INSERT INTO dirty_minute VALUES (?, ?, 1, ?) ON CONFLICT DO UPDATE SET fresh = 1, seq = excluded.seq'),
    markDirty: db.prepare('INSERT INTO dirty_minute VALUES (?, ?, 0, ?) ON CONFLICT DO UPDATE SET seq = excluded.seq'),
    // Bounded: a run cut here is a valid run too, and the rest of it is expanded in a later pass.
    fresh: db.prepare('SELECT site, minute, seq FROM dirty_minute WHERE fresh = 1 AND minute < ? ORDER BY minute, site LIMIT 100000'),
    settleFresh: db.prepare('UPDATE dirty_minute SET fresh = 0 WHERE site = ? AND minute >= ? AND minute < ? AND fresh = 1 AND seq <= ?'),
    firstDirty: db.prepare('SELECT site, minute FROM dirty_minute WHERE fresh = 0 AND minute <= ? ORDER BY minute LIMIT 1'),
    dirtyIn: db.prepare('SELECT minute, seq FROM dirty_minute WHERE site = ? AND fresh = 0 AND minute >= ? AND minute < ? ORDER BY minute'),
    clearMinute: db.prepare('DELETE FROM dirty_minute WHERE site = ? AND minute = ? AND seq = ? AND fresh = 0'),
    markHour: db.prepare('INSERT INTO dirty_hour VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET seq = excluded.seq'),
    readyHours: db.prepare(`SELECT site, hour, seq FROM dirty_hour h WHERE hour <= ? AND NOT EXISTS
      (SELECT 1 FROM dirty_minute m WHERE m.site = h.site AND m.minute >= h.hour AND m.minute < h.hour + ${HOUR_MS}) ORDER BY hour LIMIT ?`),
    clearHour: db.prepare('DELETE FROM dirty_hour WHERE site = ? AND hour = ? AND seq = ?'),
    marksIn: db.prepare('SELECT minute FROM dirty_minute WHERE site = ? AND minute >= ? AND minute < ?'),
    hoursIn: db.prepare('SELECT hour FROM dirty_hour WHERE site = ? AND hour >= ? AND hour < ?'),
    freshNear: db.prepare('SELECT count(*) AS n FROM dirty_minute WHERE site = ? AND fresh = 1 AND minute >= ? AND minute < ?'),
    backlog: db.prepare(`SELECT (SELECT count(*) FROM dirty_minute WHERE fresh = 1) AS fresh, (SELECT count(*) FROM dirty_minute WHERE fresh = 0) AS minutes,
      (SELECT count(*) FROM dirty_hour) AS hours`),
    getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    setMeta: db.prepare('INSERT INTO meta VALUES (?, ?) ON CONFLICT DO UPDATE SET value = excluded.value'),
  };
}

export function floorMinute(ts: number): number {
  return Math.floor(ts / MINUTE_MS) * MINUTE_MS;
}

export function floorHour(ts: number): number {
  return Math.floor(ts / HOUR_MS) * HOUR_MS;
}
