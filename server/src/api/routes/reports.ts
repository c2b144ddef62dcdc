import { Router } from 'express';
import { z } from 'zod';
import { fileTime, sendExport } from '../../exports/send.js';
import type { ExportRegistry } from '../../exports/registry.js';
import type { FleetRegistry } from '../../fleet/registry.js';
import { utcSites, type SiteDirectory } from '../../energy/sites.js';
import { loadAsicCatalog, type AsicCatalog } from '../../reports/catalog.js';
import { gatherMonthly, monthRange } from '../../reports/gather.js';
import { buildMonthlyReport } from '../../reports/monthly.js';
import { REPORT_CSV_COLUMNS, reportCsp, reportCsv, reportHtml, reportJson, reportRows } from '../../reports/render.js';
import type { RollupEngine } from '../../rollup/engine.js';
import type { RangeReader } from '../../rollup/reader.js';
import type { Store } from '../../store/store.js';
import { id, parseQuery } from '../params.js';
import { timeZone } from './demand.js';

/** What the auditors' routes (reports, replay, reconcile) are built from. */
export interface AuditingRouteDeps {
  store: Store;
  /** Rollups for long ranges; without them everything is read raw (31 days at most). */
  rollups: RollupEngine | null;
  reader?: RangeReader;
  sites?: SiteDirectory;
  fleet: () => FleetRegistry;
  exports: ExportRegistry;
  catalog?: AsicCatalog;
  clock?: () => number;
}

const FORMATS = {
  json: { mediaType: 'application/json', disposition: 'inline' },
  csv: { mediaType: 'text/csv; charset=utf-8', disposition: 'attachment' },
  html: { mediaType: 'text/html; charset=utf-8', disposition: 'inline' },
} as const;

const query = z.object({
  site: id,
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM'),
  tz: timeZone.optional(),
  format: z.enum(['json', 'csv', 'html']).default('json'),
});

/**
 * GET /api/reports/monthly?site=&month=YYYY-MM[&format=json|csv|html] — the monthly facility report (the figures
 * the EIA-862 survey asked for) for the site's local month: JSON, CSV, or a printable HTML page. Every answer is an
 * export: it comes with a manifest (`X-Kilowatch-Manifest`), and the audit log records its hashes.
 */
export function reportsRouter(deps: AuditingRouteDeps): Router {
  const sites = deps.sites ?? utcSites;
  const clock = deps.clock ?? Date.now;
  let catalog = deps.catalog ?? null;
  const router = Router();
  router.get('/reports/monthly', async (req, res) => {
    const q = parseQuery(query, req.query);
    const tz = q.tz ?? sites.timeZoneOf(q.site);
    catalog ??= loadAsicCatalog();
    const input = await gatherMonthly({ store: deps.store, rollups: deps.rollups, catalog }, { site: q.site, month: q.month, tz, fleetSite: deps.fleet().site(q.site) });
    const report = buildMonthlyReport(input);
    const body = q.format === 'json' ? reportJson(report) : q.format === 'csv' ? reportCsv(report) : reportHtml(report);
    const { from, to } = monthRange(q.month, tz);
    const format = FORMATS[q.format];
    if (q.format === 'html') res.setHeader('Content-Security-Policy', reportCsp());
    sendExport(
      req,
      res,
      deps.exports,
      {
        file: `kilowatch-report-${q.site}-${q.month}.${q.format}`,
        mediaType: format.mediaType,
        disposition: format.disposition,
        body,
        rows: reportRows(report).length,
        columns: REPORT_CSV_COLUMNS,
        query: { export: 'report', report: 'monthly', site: q.site, month: q.month, tz, format: q.format, from, to, period: `${fileTime(from)}/${fileTime(to)}` },
      },
      clock(),
    );
  });
  return router;
}
