import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export interface AuditEntry {
  seq: number;
  at: number;
  actor: string;
  role: string;
  action: string;
  target: string;
  detail: Record<string, unknown>;
  prev: string;
  hash: string;
}

export type NewEntry = Omit<AuditEntry, 'seq' | 'prev' | 'hash'>;

export interface ChainCheck {
  ok: boolean;
  entries: number;
  /** The first entry whose hash or link does not hold, when the chain is broken. */
  brokenAt: number | null;
  reason: string | null;
}

const GENESIS = '0'.repeat(64);

/**
 * Who viewed or exported what, and when: append-only, each entry chained to the one before by
 * SHA-256 over its content and the previous hash, so a changed, removed or inserted entry breaks
 * the chain from that point on. SQLite triggers refuse UPDATE and DELETE; the chain catches edits
 * made around them (another tool, a restored backup).
 */
export class AuditLog {
  private db: Database.Database | null = null;
  private last: { seq: number; hash: string } = { seq: 0, hash: GENESIS };

  constructor(private readonly path: string) {}

  open(): void {
    if (this.path !== ':memory:') mkdirSync(dirname(this.path), { recursive: true });
    const db = new Database(this.path);
    db.pragma('journal_mode = WAL');
    db.exec(`CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL,
        action TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL);
      CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;`);
    const row = db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
    if (row) this.last = row;
    this.db = db;
  }

  close(): void {
    this.db?.close();
    this.db = null;
  }

  append(entry: NewEntry): AuditEntry {
    const seq = this.last.seq + 1;
    const full: AuditEntry = { ...entry, seq, prev: this.last.hash, hash: '' };
    full.hash = entryHash(full);
    this.database()
      .prepare('INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(seq, full.at, full.actor, full.role, full.action, full.target, JSON.stringify(full.detail), full.prev, full.hash);
    this.last = { seq, hash: full.hash };
    return full;
  }

  /** Entries in [from, to), at most `limit`: the oldest first, or with `newest` the newest first. */
  list(from: number, to: number, limit: number, newest = false): AuditEntry[] {
    const sql = `SELECT * FROM audit WHERE at >= ? AND at < ? ORDER BY seq ${newest ? 'DESC' : 'ASC'} LIMIT ?`;
    const rows = this.database().prepare(sql).all(from, to, limit) as (Omit<AuditEntry, 'detail'> & { detail: string })[];
    return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }

  /** Walk the whole chain. */
  verify(): ChainCheck {
    let prev = GENESIS;
    let n = 0;
    for (const r of this.database().prepare('SELECT * FROM audit ORDER BY seq').iterate() as Iterable<Omit<AuditEntry, 'detail'> & { detail: string }>) {
      n += 1;
      const entry: AuditEntry = { ...r, detail: JSON.parse(r.detail) as Record<string, unknown> };
      if (entry.seq !== n) return { ok: false, entries: n, brokenAt: entry.seq, reason: `entry ${n} is missing` };
      if (entry.prev !== prev) return { ok: false, entries: n, brokenAt: entry.seq, reason: 'does not link to the entry before it' };
      if (entryHash(entry) !== entry.hash) return { ok: false, entries: n, brokenAt: entry.seq, reason: 'its content does not match its hash' };
      prev = entry.hash;
    }
    return { ok: true, entries: n, brokenAt: null, reason: null };
  }

  private database(): Database.Database {
    if (!this.db) throw new Error('audit log is not open');
    return this.db;
  }
}

/** SHA-256 over the previous hash and the entry's fields in a fixed order (canonical JSON). */
export function entryHash(e: AuditEntry): string {
  const content = JSON.stringify([e.seq, e.at, e.actor, e.role, e.action, e.target, canonical(e.detail), e.prev]);
  return createHash('sha256').update(content).digest('hex');
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  return value;
}
