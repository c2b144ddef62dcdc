import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Reading } from '../domain/reading.js';

export interface SpoolBatch {
  /** Highest spool row in the batch: `ack(lastId)` removes the batch. */
  lastId: number;
  messages: number;
  readings: Reading[];
  bytes: number;
}

export interface SpoolDepth {
  messages: number;
  readings: number;
  /** Size of the spooled readings as stored (JSON text), the figure the size limit applies to. */
  bytes: number;
}

/**
 * The durable buffer between the broker and the store. A QoS 1 message is acknowledged to the
 * broker only after its readings are committed here, and they leave only after the store took them.
 *
 * MQTT.js hands over QoS 1 messages one at a time and sends PUBACK when we return, so waiting for a
 * networked store per message would cap ingestion at one message per write. A local SQLite commit
 * takes microseconds instead. WAL with synchronous=NORMAL makes a commit survive a crash of this
 * process at once; the periodic checkpoint fsyncs, bounding what a power loss can take to about a second.
 */
export class Spool {
  private db: Database.Database | null = null;
  private statements: ReturnType<typeof prepare> | null = null;
  private depthNow: SpoolDepth = { messages: 0, readings: 0, bytes: 0 };
  private checkpointTimer: NodeJS.Timeout | null = null;

  /** `maxBytes`: above this the spool is full and takes nothing more (see `hasRoom`). */
  constructor(
    private readonly path: string,
    private readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {}

  open(): void {
    if (this.path !== ':memory:') mkdirSync(dirname(this.path), { recursive: true });
    const db = new Database(this.path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(`CREATE TABLE IF NOT EXISTS spool (id INTEGER PRIMARY KEY AUTOINCREMENT, readings TEXT NOT NULL, n INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS dead_letter (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, reason TEXT NOT NULL, reading TEXT NOT NULL);`);
    this.db = db;
    this.statements = prepare(db);
    const row = db.prepare('SELECT count(*) AS messages, coalesce(sum(n), 0) AS readings, coalesce(sum(length(readings)), 0) AS bytes FROM spool').get() as SpoolDepth;
    this.depthNow = { ...row };
    this.checkpointTimer = setInterval(() => this.db?.pragma('wal_checkpoint(PASSIVE)'), 1000);
    this.checkpointTimer.unref();
  }

  close(): void {
    if (this.checkpointTimer) clearInterval(this.checkpointTimer);
    this.db?.pragma('wal_checkpoint(TRUNCATE)');
    this.db?.close();
    this.db = null;
    this.statements = null;
  }

  /** Commit one message's readings. Synchronous: when it returns, the readings are on disk. */
  append(readings: readonly Reading[]): void {
    const text = JSON.stringify(readings);
    this.stmts().insert.run(text, readings.length);
    this.depthNow.messages += 1;
    this.depthNow.readings += readings.length;
    this.depthNow.bytes += text.length;
  }

  /**
   * Below `share` of its size limit. A full spool takes nothing: the caller stops acknowledging
   * instead, and resumes below a lower share so that it does not flap at the limit.
   */
  hasRoom(share = 1): boolean {
    return this.depthNow.bytes < this.maxBytes * share;
  }

  get limitBytes(): number {
    return this.maxBytes;
  }

  /** The oldest messages, whole, until at least `maxReadings` readings (or the spool) are taken. */
  peek(maxReadings: number): SpoolBatch | null {
    const batch: SpoolBatch = { lastId: 0, messages: 0, readings: [], bytes: 0 };
    for (const row of this.stmts().oldest.iterate() as Iterable<{ id: number; readings: string }>) {
      for (const r of JSON.parse(row.readings) as Reading[]) batch.readings.push(r);
      batch.lastId = row.id;
      batch.messages += 1;
      batch.bytes += row.readings.length;
      if (batch.readings.length >= maxReadings) break;
    }
    return batch.messages > 0 ? batch : null;
  }

  /** The store has the batch: forget it. */
  ack(batch: SpoolBatch): void {
    this.stmts().remove.run(batch.lastId);
    this.depthNow.messages -= batch.messages;
    this.depthNow.readings -= batch.readings.length;
    this.depthNow.bytes -= batch.bytes;
  }

  /** A reading the store refuses for good is kept here, with the reason, never silently dropped. */
  deadLetter(reading: Reading, reason: string, at: number): void {
    this.stmts().dead.run(at, reason, JSON.stringify(reading));
  }

  deadLetters(): { at: number; reason: string; reading: Reading }[] {
    const rows = this.db?.prepare('SELECT at, reason, reading FROM dead_letter ORDER BY id').all() as { at: number; reason: string; reading: string }[];
    return rows.map((r) => ({ at: r.at, reason: r.reason, reading: JSON.parse(r.reading) as Reading }));
  }

  depth(): SpoolDepth {
    return { ...this.depthNow };
  }

  private stmts(): ReturnType<typeof prepare> {
    if (!this.statements) throw new Error('spool is not open');
    return this.statements;
  }
}

function prepare(db: Database.Database) {
  return {
    insert: db.prepare('INSERT INTO spool (readings, n) VALUES (?, ?)'),
    oldest: db.prepare('SELECT id, readings FROM spool ORDER BY id'),
    remove: db.prepare('DELETE FROM spool WHERE id <= ?'),
    dead: db.prepare('INSERT INTO dead_letter (at, reason, reading) VALUES (?, ?, ?)'),
  };
}
