import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { AlertFacts, AlertRecord } from './contract.js';

/**
 * Alerts on disk (`DATA_DIR/alerts.db`): raised, acknowledged and cleared, so the list and the active state
 * survive a restart; and the webhook outbox, so a notification owed when the process stopped is still sent.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS alert (
  id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL,
  site TEXT NOT NULL, node TEXT NOT NULL, subject TEXT NOT NULL, message TEXT NOT NULL,
  value REAL, peak REAL, threshold REAL, unit TEXT NOT NULL, clear_for_ms INTEGER NOT NULL,
  since INTEGER NOT NULL, raised_at INTEGER NOT NULL, cleared_at INTEGER, acked_at INTEGER, acked_by TEXT);
CREATE UNIQUE INDEX IF NOT EXISTS alert_active_key ON alert (key) WHERE cleared_at IS NULL;
CREATE INDEX IF NOT EXISTS alert_raised ON alert (raised_at);
CREATE TABLE IF NOT EXISTS webhook_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
  next_at INTEGER NOT NULL, last_error TEXT);
`;

export interface NewAlert extends AlertFacts {
  clearForMs: number;
  since: number;
  raisedAt: number;
}

export interface OutboxItem {
  id: number;
  body: string;
  attempts: number;
  next_at: number;
}

type Row = AlertRecord & { clear_for_ms: number };

const COLUMNS = 'id, key, rule, severity, site, node, subject, message, value, peak, threshold, unit, since, raised_at, cleared_at, acked_at, acked_by, clear_for_ms';

export class AlertStore {
  private db: Database.Database | null = null;

  constructor(private readonly path: string) {}

  open(): void {
    if (this.path !== ':memory:') mkdirSync(dirname(this.path), { recursive: true });
    const db = new Database(this.path);
    db.pragma('journal_mode = WAL');
    db.exec(SCHEMA);
    this.db = db;
  }

  close(): void {
    this.db?.close();
    this.db = null;
  }

  private get conn(): Database.Database {
    if (!this.db) throw new Error('alert store is not open');
    return this.db;
  }

  insert(a: NewAlert): AlertRecord {
    const info = this.conn
      .prepare(
        `INSERT INTO alert (key, rule, severity, site, node, subject, message, value, peak, threshold, unit, clear_for_ms, since, raised_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(a.key, a.rule, a.severity, a.site, a.node, a.subject, a.message, a.value, a.value, a.threshold, a.unit, a.clearForMs, a.since, a.raisedAt);
    return this.get(Number(info.lastInsertRowid))!;
  }

  get(id: number): AlertRecord | null {
    const row = this.conn.prepare(`SELECT ${COLUMNS} FROM alert WHERE id = ?`).get(id) as Row | undefined;
    return row ? record(row) : null;
  }

  activeByKey(key: string): AlertRecord | null {
    const row = this.conn.prepare(`SELECT ${COLUMNS} FROM alert WHERE key = ? AND cleared_at IS NULL`).get(key) as Row | undefined;
    return row ? record(row) : null;
  }

  /** Active alerts with how long each needs to be seen over before it clears (for the engine after a restart). */
  active(): (AlertRecord & { clearForMs: number })[] {
    const rows = this.conn.prepare(`SELECT ${COLUMNS} FROM alert WHERE cleared_at IS NULL ORDER BY raised_at DESC, id DESC`).all() as Row[];
    return rows.map((r) => ({ ...record(r), clearForMs: r.clear_for_ms }));
  }

  /** Newest first: active ones, or all (cleared too) raised since `since`; at most `limit`. */
  list(q: { state: 'active' | 'all'; site?: string | undefined; limit: number }): AlertRecord[] {
    const where = [q.state === 'active' ? 'cleared_at IS NULL' : '1 = 1', q.site !== undefined ? 'site = @site' : '1 = 1'].join(' AND ');
    const rows = this.conn.prepare(`SELECT ${COLUMNS} FROM alert WHERE ${where} ORDER BY raised_at DESC, id DESC LIMIT @limit`).all({ site: q.site, limit: q.limit }) as Row[];
    return rows.map(record);
  }

  clear(id: number, at: number): AlertRecord | null {
    this.conn.prepare('UPDATE alert SET cleared_at = ? WHERE id = ? AND cleared_at IS NULL').run(at, id);
    return this.get(id);
  }

  /** Acknowledge once: a second acknowledgement changes nothing. Null for an unknown id. */
  ack(id: number, by: string, at: number): { alert: AlertRecord; changed: boolean } | null {
    const changed = this.conn.prepare('UPDATE alert SET acked_at = ?, acked_by = ? WHERE id = ? AND acked_at IS NULL').run(at, by, id).changes > 0;
    const alert = this.get(id);
    return alert ? { alert, changed } : null;
  }

  setPeak(id: number, peak: number): void {
    this.conn.prepare('UPDATE alert SET peak = ? WHERE id = ?').run(peak, id);
  }

  /** Cleared alerts raised before `before` go; active ones stay whatever their age. */
  prune(before: number): number {
    return this.conn.prepare('DELETE FROM alert WHERE cleared_at IS NOT NULL AND raised_at < ?').run(before).changes;
  }

  enqueue(body: string, at: number): void {
    this.conn.prepare('INSERT INTO webhook_outbox (body, next_at) VALUES (?, ?)').run(body, at);
  }

  /** The oldest queued deliveries, in order (the first may not be due yet: nothing overtakes it). */
  queued(limit: number): OutboxItem[] {
    return this.conn.prepare('SELECT id, body, attempts, next_at FROM webhook_outbox ORDER BY id LIMIT ?').all(limit) as OutboxItem[];
  }

  delivered(id: number): void {
    this.conn.prepare('DELETE FROM webhook_outbox WHERE id = ?').run(id);
  }

  retryLater(id: number, attempts: number, nextAt: number, error: string): void {
    this.conn.prepare('UPDATE webhook_outbox SET attempts = ?, next_at = ?, last_error = ? WHERE id = ?').run(attempts, nextAt, error, id);
  }

  outboxSize(): number {
    return (this.conn.prepare('SELECT count(*) AS n FROM webhook_outbox').get() as { n: number }).n;
  }
}

function record(r: Row): AlertRecord {
  const { clear_for_ms: _drop, ...rest } = r;
  return rest;
}
