import { ROLLUP_FIELDS, type RollupRow } from '../store/store.js';
import type { ExportFormat } from './readings-export.js';

/**
 * Rollup buckets as stored (docs/schema.md#rollups), one row per bucket, as CSV or JSON. `stale` is 1 for a
 * bucket the rollup ledger held out of date when the file was made (late data not yet folded in): its figures
 * are the ones stored then, which /api/energy would not use.
 */
export const ROLLUP_EXPORT_COLUMNS = ['time', 'ts_ms', 'site', 'level', 'key', 'resolution', 'stale', ...ROLLUP_FIELDS];

export function encodeRollups(format: ExportFormat, rows: readonly RollupRow[], isStale: (row: RollupRow) => boolean): Buffer {
  const columns = ROLLUP_EXPORT_COLUMNS;
  const records = rows.map((r) => ({ time: new Date(r.ts).toISOString(), ts_ms: r.ts, site: r.site, level: r.level, key: r.key, resolution: r.resolution, stale: isStale(r) ? 1 : 0, ...r.fields }));
  if (format === 'json') return Buffer.from(`${JSON.stringify({ columns, rows: records })}\n`);
  const cell = (v: string | number) => {
    const text = String(v);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [columns.join(','), ...records.map((rec) => columns.map((c) => cell((rec as Record<string, string | number>)[c]!)).join(','))];
  return Buffer.from(`${lines.join('\r\n')}\r\n`);
}
