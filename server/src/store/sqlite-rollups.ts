import type Database from 'better-sqlite3';
import {
  ROLLUP_FIELDS, ROLLUP_LEVELS, ROLLUP_MAX_FIELDS, ROLLUP_RESOLUTIONS, type RollupFields, type RollupLevel, type RollupQuery, type RollupResolution,
  type RollupRow, type RollupTotal,
} from './store.js';

/**
 * The rollup tables of the SQLite store, named and shaped like the InfluxDB measurements (docs/schema.md):
 * `rig_1m`, `pdu_1h`, `site_1m`, … with the level's tag as a column (none for a site), `ts` (bucket start) and
 * one REAL column per field. Tags plus ts are the primary key, and a write replaces the whole row.
 */

/** The tag naming a bucket's rig, PDU or meter; a site bucket has none. */
export const ROLLUP_KEY_TAG: Readonly<Record<RollupLevel, string | null>> = { rig: 'rig', pdu: 'pdu', site: null, meter: 'meter' };

export function rollupMeasurement(level: RollupLevel, resolution: RollupResolution): string {
  return `${level}_${resolution}`;
}

export function rollupTableSql(): string {
  const fields = ROLLUP_FIELDS.map((f) => `${f} REAL NOT NULL`).join(', ');
  return ROLLUP_LEVELS.flatMap((level) =>
    ROLLUP_RESOLUTIONS.map((res) => {
      const tag = ROLLUP_KEY_TAG[level];
      const key = tag ? `site, ${tag}, ts` : 'site, ts';
      return `CREATE TABLE IF NOT EXISTS ${rollupMeasurement(level, res)} (site TEXT NOT NULL, ${tag ? `${tag} TEXT NOT NULL, ` : ''}ts INTEGER NOT NULL, ${fields}, PRIMARY KEY (${key})) WITHOUT ROWID;`;
    }),
  ).join('\n');
}

type Row = Record<string, string | number>;

export class SqliteRollups {
  private readonly upserts = new Map<string, Database.Statement>();
  private readonly writeAll: (rows: readonly RollupRow[]) => void;

  constructor(private readonly db: Database.Database) {
    for (const level of ROLLUP_LEVELS) {
      for (const res of ROLLUP_RESOLUTIONS) {
        const tag = ROLLUP_KEY_TAG[level];
        const cols = ['site', ...(tag ? [tag] : []), 'ts', ...ROLLUP_FIELDS];
        this.upserts.set(rollupMeasurement(level, res), db.prepare(`INSERT OR REPLACE INTO ${rollupMeasurement(level, res)} (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`));
      }
    }
    this.writeAll = db.transaction((rows: readonly RollupRow[]) => {
      for (const r of rows) {
        const tag = ROLLUP_KEY_TAG[r.level];
        this.upserts.get(rollupMeasurement(r.level, r.resolution))!.run({ site: r.site, ...(tag && { [tag]: r.key }), ts: r.ts, ...r.fields });
      }
    });
  }

  write(rows: readonly RollupRow[]): void {
    this.writeAll(rows);
  }

  rows(q: RollupQuery): RollupRow[] {
    const { where, params, tag } = filter(q);
    const rows = this.db.prepare(`SELECT * FROM ${rollupMeasurement(q.level, q.resolution)} WHERE ${where} ORDER BY ts${tag ? `, ${tag}` : ''}`).all(params) as Row[];
    return rows.map((row) => ({
      resolution: q.resolution,
      level: q.level,
      site: String(row.site),
      key: tag ? String(row[tag]) : '',
      ts: Number(row.ts),
      fields: Object.fromEntries(ROLLUP_FIELDS.map((f) => [f, Number(row[f])])) as RollupFields,
    }));
  }

  totals(q: RollupQuery): RollupTotal[] {
    const { where, params, tag } = filter(q);
    const aggregates = ROLLUP_FIELDS.map((f) => `${ROLLUP_MAX_FIELDS.has(f) ? 'max' : 'sum'}(${f}) AS ${f}`).join(', ');
    const sql = `SELECT ${tag ? `${tag} AS key` : `'' AS key`}, count(*) AS buckets, ${aggregates} FROM ${rollupMeasurement(q.level, q.resolution)} WHERE ${where}${tag ? ` GROUP BY ${tag}` : ''}`;
    const rows = (this.db.prepare(sql).all(params) as Row[]).filter((row) => Number(row.buckets) > 0);
    return rows.map((row) => ({
      key: String(row.key),
      buckets: Number(row.buckets),
      fields: Object.fromEntries(ROLLUP_FIELDS.map((f) => [f, Number(row[f])])) as RollupFields,
    }));
  }
}

function filter(q: RollupQuery): { where: string; params: Row; tag: string | null } {
  const tag = ROLLUP_KEY_TAG[q.level];
  const parts = ['site = @site', 'ts >= @from', 'ts < @to'];
  const params: Row = { site: q.site, from: q.from, to: q.to };
  if (q.key !== undefined && tag) {
    parts.push(`${tag} = @key`);
    params.key = q.key;
  }
  return { where: parts.join(' AND '), params, tag };
}
