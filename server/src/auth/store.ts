import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { isRole, type Role } from './roles.js';

export interface Principal {
  /** A user's name, or `token:<name>` for an API token. */
  name: string;
  role: Role;
  kind: 'user' | 'token';
}

export interface UserInfo {
  name: string;
  role: Role;
  created_at: number;
}

export interface TokenInfo {
  id: string;
  name: string;
  role: Role;
  created_at: number;
  last_used_at: number | null;
}

export class AuthError extends Error {
  override name = 'AuthError';
}

const USER_NAME = /^[A-Za-z0-9_.@-]{1,64}$/;
const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * Users, sessions and API tokens in DATA_DIR/auth.db. Secrets are stored only as hashes: passwords
 * with scrypt, session ids and token secrets (random 256-bit values, so a fast hash suffices) with
 * SHA-256 — a copy of the database lets nobody log in.
 */
export class AuthStore {
  private db: Database.Database | null = null;
  private anyUser: Database.Statement | null = null;

  constructor(
    private readonly path: string,
    private readonly sessionTtlMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  open(): void {
    if (this.path !== ':memory:') mkdirSync(dirname(this.path), { recursive: true });
    const db = new Database(this.path);
    db.pragma('journal_mode = WAL');
    // The server and `npm run user` may hold the file at once.
    db.pragma('busy_timeout = 5000');
    db.exec(`CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, role TEXT NOT NULL, password TEXT NOT NULL, created_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS sessions (id BLOB PRIMARY KEY, user TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE, expires_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS tokens (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, role TEXT NOT NULL, secret BLOB NOT NULL, created_at INTEGER NOT NULL, last_used_at INTEGER);`);
    db.pragma('foreign_keys = ON');
    this.db = db;
    this.anyUser = db.prepare('SELECT EXISTS (SELECT 1 FROM users) AS any');
  }

  close(): void {
    this.db?.close();
    this.db = null;
  }

  /**
   * Authentication is configured once any user exists. Read from the database every time (it is a
   * microsecond), so a user added with `npm run user` while the server runs takes effect at once.
   */
  get hasUsers(): boolean {
    return (this.anyUser?.get() as { any: number } | undefined)?.any === 1;
  }

  async addUser(name: string, role: string, password: string): Promise<void> {
    if (!USER_NAME.test(name)) throw new AuthError('a user name is 1–64 characters of A-Z a-z 0-9 _ . @ -');
    if (!isRole(role)) throw new AuthError(`role must be one of operator, energy_manager, auditor, admin`);
    const problem = passwordProblem(password);
    if (problem) throw new AuthError(problem);
    if (this.database().prepare('SELECT 1 FROM users WHERE name = ?').get(name)) throw new AuthError(`user ${name} exists`);
    this.database().prepare('INSERT INTO users VALUES (?, ?, ?, ?)').run(name, role, await hashPassword(password), this.clock());
  }

  async setPassword(name: string, password: string): Promise<void> {
    const problem = passwordProblem(password);
    if (problem) throw new AuthError(problem);
    const hash = await hashPassword(password);
    const db = this.database();
    if (db.prepare('UPDATE users SET password = ? WHERE name = ?').run(hash, name).changes === 0) throw new AuthError(`no user ${name}`);
    db.prepare('DELETE FROM sessions WHERE user = ?').run(name); // a new password ends every old session
  }

  removeUser(name: string): void {
    if (this.database().prepare('DELETE FROM users WHERE name = ?').run(name).changes === 0) throw new AuthError(`no user ${name}`);
  }

  listUsers(): UserInfo[] {
    return this.database().prepare('SELECT name, role, created_at FROM users ORDER BY name').all() as UserInfo[];
  }

  /** A new session id for good credentials, or null. Always spends the same scrypt time, user or not. */
  async login(name: string, password: string): Promise<{ sessionId: string; principal: Principal } | null> {
    const row = this.database().prepare('SELECT name, role, password FROM users WHERE name = ?').get(name) as { name: string; role: Role; password: string } | undefined;
    const ok = await verifyPassword(password, row?.password ?? DUMMY_HASH);
    if (!row || !ok) return null;
    const sessionId = randomBytes(32).toString('base64url');
    this.database().prepare('INSERT INTO sessions VALUES (?, ?, ?)').run(sha256(sessionId), row.name, this.clock() + this.sessionTtlMs);
    return { sessionId, principal: { name: row.name, role: row.role, kind: 'user' } };
  }

  session(sessionId: string): Principal | null {
    const db = this.database();
    const row = db.prepare('SELECT u.name, u.role, s.expires_at FROM sessions s JOIN users u ON u.name = s.user WHERE s.id = ?').get(sha256(sessionId)) as { name: string; role: Role; expires_at: number } | undefined;
    if (!row) return null;
    if (row.expires_at <= this.clock()) {
      db.prepare('DELETE FROM sessions WHERE id = ?').run(sha256(sessionId));
      return null;
    }
    return { name: row.name, role: row.role, kind: 'user' };
  }

  logout(sessionId: string): void {
    this.database().prepare('DELETE FROM sessions WHERE id = ?').run(sha256(sessionId));
  }

  /** Returns the token text, shown once: `kwt_<id>_<secret>`. */
  addToken(name: string, role: string): string {
    if (!USER_NAME.test(name)) throw new AuthError('a token name is 1–64 characters of A-Z a-z 0-9 _ . @ -');
    if (!isRole(role)) throw new AuthError(`role must be one of operator, energy_manager, auditor, admin`);
    const id = randomBytes(6).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    try {
      this.database().prepare('INSERT INTO tokens VALUES (?, ?, ?, ?, ?, NULL)').run(id, name, role, sha256(secret), this.clock());
    } catch {
      throw new AuthError(`a token named ${name} exists`);
    }
    return `kwt_${id}_${secret}`;
  }

  token(text: string): Principal | null {
    const match = /^kwt_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/.exec(text);
    if (!match) return null;
    const row = this.database().prepare('SELECT name, role, secret FROM tokens WHERE id = ?').get(match[1]) as { name: string; role: Role; secret: Buffer } | undefined;
    if (!row || !timingSafeEqual(row.secret, sha256(match[2]!))) return null;
    this.database().prepare('UPDATE tokens SET last_used_at = ? WHERE id = ?').run(this.clock(), match[1]);
    return { name: `token:${row.name}`, role: row.role, kind: 'token' };
  }

  listTokens(): TokenInfo[] {
    return this.database().prepare('SELECT id, name, role, created_at, last_used_at FROM tokens ORDER BY name').all() as TokenInfo[];
  }

  removeToken(idOrName: string): void {
    if (this.database().prepare('DELETE FROM tokens WHERE id = ? OR name = ?').run(idOrName, idOrName).changes === 0) throw new AuthError(`no token ${idOrName}`);
  }

  private database(): Database.Database {
    if (!this.db) throw new Error('auth store is not open');
    return this.db;
  }
}

// Verified against when the user does not exist, so a wrong name costs as long as a wrong password.
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
