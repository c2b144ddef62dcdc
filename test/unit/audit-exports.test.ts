import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../server/src/audit/log.js';
import { sha256Hex, verifyAgainst } from '../../server/src/exports/manifest.js';
import { encodeReadings } from '../../server/src/exports/readings-export.js';
import { ExportRegistry } from '../../server/src/exports/registry.js';

describe('audit log', () => {
  let dir: string;
  let log: AuditLog;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kw-audit-'));
    log = new AuditLog(join(dir, 'audit.db'));
    log.open();
    for (let i = 0; i < 5; i++) log.append({ at: 1000 + i, actor: 'alice', role: 'auditor', action: 'GET /api/energy', target: `site=s${i}`, detail: { status: 200, b: 1, a: 2 } });
  });
  afterEach(() => {
    log.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('chains every entry to the one before it, across a reopen', () => {
    log.close();
    log = new AuditLog(join(dir, 'audit.db'));
    log.open();
    const e = log.append({ at: 2000, actor: 'bob', role: 'admin', action: 'POST /api/users', target: '', detail: {} });
    expect(e.seq).toBe(6);
    expect(e.prev).toBe(log.list(1004, 1005, 1)[0]!.hash);
    expect(log.verify()).toEqual({ ok: true, entries: 6, brokenAt: null, reason: null });
  });

  it('refuses updates and deletes', () => {
    const db = new Database(join(dir, 'audit.db'));
    expect(() => db.prepare("UPDATE audit SET actor = 'mallory' WHERE seq = 2").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit WHERE seq = 2').run()).toThrow(/append-only/);
    db.close();
  });

  it('shows where an entry was changed or removed behind its back', () => {
    const db = new Database(join(dir, 'audit.db'));
    db.exec('DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;');
    db.prepare("UPDATE audit SET target = 'site=elsewhere' WHERE seq = 3").run();
    expect(log.verify()).toEqual({ ok: false, entries: 3, brokenAt: 3, reason: 'its content does not match its hash' });
    db.prepare("UPDATE audit SET target = 'site=s2' WHERE seq = 3").run();
    db.prepare('DELETE FROM audit WHERE seq = 4').run();
    expect(log.verify()).toMatchObject({ ok: false, brokenAt: 5, reason: 'entry 4 is missing' });
    db.close();
  });
});

describe('exports and manifests', () => {
  const readings = [
    { kind: 'outlet' as const, site: 's', pdu: 'p,1', outlet: 1, rig: 'r"1', ts: Date.UTC(2026, 0, 1), power_w: 0.1 + 0.2, energy_wh: 9_007_199_254_740_991 },
    { kind: 'outlet' as const, site: 's', pdu: 'p2', outlet: 2, ts: Date.UTC(2026, 0, 1, 0, 0, 1), power_w: 3250.5, pf: 0.998 },
  ];

  it('writes CSV that reads back to the exact stored values', () => {
    const { body, columns } = encodeReadings('outlet', 'csv', readings);
    expect(columns).toEqual(['time', 'ts_ms', 'site', 'pdu', 'outlet', 'rig', 'power_w', 'energy_wh', 'voltage_v', 'current_a', 'pf']);
    expect(body.toString()).toBe(
      'time,ts_ms,site,pdu,outlet,rig,power_w,energy_wh,voltage_v,current_a,pf\r\n' +
        '2026-01-01T00:00:00.000Z,1767225600000,s,"p,1",1,"r""1",0.30000000000000004,9007199254740991,,,\r\n' +
        '2026-01-01T00:00:01.000Z,1767225601000,s,p2,2,,3250.5,,,,0.998\r\n',
    );
  });

  it('verifies a file against its manifest, and fails on one changed byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kw-export-'));
    const { body, columns } = encodeReadings('outlet', 'json', readings);
    const manifest = new ExportRegistry(dir, '0.1.0').create('x.json', 'application/json', body, 2, columns, { site: 's' }, 'alice', 0);
    expect(manifest).toMatchObject({ bytes: body.length, sha256: sha256Hex(body), rows: 2, software: { name: 'kilowatch', version: '0.1.0' }, created_at: '1970-01-01T00:00:00.000Z' });
    expect(verifyAgainst(body, manifest)).toEqual({ ok: true, problems: [] });
    const changed = Buffer.from(body);
    changed[20] = changed[20]! ^ 1;
    expect(verifyAgainst(changed, manifest).ok).toBe(false);
    expect(verifyAgainst(changed, manifest).problems).toEqual([expect.stringMatching(/^SHA-256 is [0-9a-f]{64}; the manifest says/)]);
    rmSync(dir, { recursive: true, force: true });
  });
});
