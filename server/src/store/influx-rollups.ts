import { escape, type IPoint } from 'influx';
import { ROLLUP_KEY_TAG, rollupMeasurement } from './sqlite-rollups.js';
import { ROLLUP_FIELDS, ROLLUP_MAX_FIELDS, type RollupFields, type RollupQuery, type RollupRow, type RollupTotal } from './store.js';

/** One flattened InfluxQL answer row with its series' tags (see InfluxStore.rows). */
export type TaggedRow = { tags: Record<string, string>; row: Record<string, unknown> };

/**
 * Rollup buckets as ordinary InfluxDB measurements (`rig_1m`, `site_1h`, …; docs/schema.md), written over the
 * v1 API like readings — no continuous queries, which 2.x and 3.x do not have. A bucket is one point: the
 * level's tag, the bucket start as its time and every field, so writing it again replaces it whole.
 */
export class InfluxRollups {
  constructor(private readonly query: (q: string) => Promise<TaggedRow[]>) {}

  points(rows: readonly RollupRow[]): IPoint[] {
    return rows.map((r) => {
      const tag = ROLLUP_KEY_TAG[r.level];
      return {
        measurement: rollupMeasurement(r.level, r.resolution),
        tags: tag ? { site: r.site, [tag]: r.key } : { site: r.site },
        fields: { ...r.fields },
        timestamp: r.ts,
      };
    });
  }

  async rows(q: RollupQuery): Promise<RollupRow[]> {
    const tag = ROLLUP_KEY_TAG[q.level];
    const rows = await this.query(`SELECT ${ROLLUP_FIELDS.map((f) => `"${f}"`).join(', ')} FROM ${rollupMeasurement(q.level, q.resolution)} WHERE ${where(q)}${tag ? ` GROUP BY "${tag}"` : ''}`);
    return rows
      .map(({ tags, row }) => ({ resolution: q.resolution, level: q.level, site: q.site, key: tag ? (tags[tag] ?? '') : '', ts: Number(row.time), fields: fieldsOf(row) }))
      .sort((a, b) => a.ts - b.ts || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async totals(q: RollupQuery): Promise<RollupTotal[]> {
    const tag = ROLLUP_KEY_TAG[q.level];
    // Sums of whole numbers held as floats are exact below 2^53, whatever order InfluxDB adds them in.
    const aggregates = ROLLUP_FIELDS.map((f) => `${ROLLUP_MAX_FIELDS.has(f) ? 'max' : 'sum'}("${f}") AS "${f}"`).join(', ');
    const rows = await this.query(`SELECT count("series_ms") AS buckets, ${aggregates} FROM ${rollupMeasurement(q.level, q.resolution)} WHERE ${where(q)}${tag ? ` GROUP BY "${tag}"` : ''}`);
    return rows
      .filter(({ row }) => Number(row.buckets) > 0)
      .map(({ tags, row }) => ({ key: tag ? (tags[tag] ?? '') : '', buckets: Number(row.buckets), fields: fieldsOf(row) }));
  }
}

function where(q: RollupQuery): string {
  const parts = [`"site" = ${escape.stringLit(q.site)}`, `time >= ${Math.trunc(q.from)}ms`, `time < ${Math.trunc(q.to)}ms`];
  const tag = ROLLUP_KEY_TAG[q.level];
  if (q.key !== undefined && tag) parts.push(`"${tag}" = ${escape.stringLit(q.key)}`);
  return parts.join(' AND ');
}

function fieldsOf(row: Record<string, unknown>): RollupFields {
  return Object.fromEntries(ROLLUP_FIELDS.map((f) => [f, Number(row[f] ?? 0)])) as RollupFields;
}
