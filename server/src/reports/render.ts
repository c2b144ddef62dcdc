/**
 * The monthly report as CSV (one figure per row: section, field, value, unit, definition) and as a printable HTML
 * page. Deterministic: the same report gives the same bytes, so a file regenerated from the same data has the
 * same SHA-256. When and by whom a file was made is in its manifest, not in the file.
 */
import { createHash } from 'node:crypto';
import { DEFINITIONS, type MonthlyReport } from './monthly.js';

type Cell = string | number | null;
type Row = [section: string, field: string, value: Cell, unit: string, definition: string];

export const REPORT_CSV_COLUMNS = ['section', 'field', 'value', 'unit', 'definition'];

export function reportRows(r: MonthlyReport): Row[] {
  const d = DEFINITIONS;
  const rows: Row[] = [
    ['report', 'site', r.site, '', ''],
    ['report', 'site_name', r.site_name, '', ''],
    ['report', 'month', r.month, '', ''],
    ['report', 'time_zone', r.time_zone, '', ''],
    ['report', 'period_start', r.period.local_from, '', ''],
    ['report', 'period_end', r.period.local_to, '', ''],
    ['report', 'hours', r.period.hours, 'h', ''],
    ['consumption', 'total', r.consumption.mwh, 'MWh', d.consumption],
    ['consumption', 'source', r.consumption.source, '', ''],
    ['consumption', 'facility_meter', mwh(r.consumption.meter_kwh), 'MWh', ''],
    ['consumption', 'pdu_outlets', mwh(r.consumption.it_kwh), 'MWh', ''],
    ['consumption', 'meter_completeness', r.consumption.meter_completeness, 'ratio', d.completeness],
    ['consumption', 'pdu_completeness', r.consumption.it_completeness, 'ratio', d.completeness],
    ['mining', 'energy', r.mining.mwh, 'MWh', d.mining],
    ['mining', 'share', r.mining.share, 'ratio', ''],
    ['mining', 'other_it', mwh(r.mining.other_it_kwh), 'MWh', d.other_it],
    ['mining', 'overhead', mwh(r.mining.overhead_kwh), 'MWh', d.overhead],
  ];
  for (const s of r.suppliers) {
    const section = `supplier:${s.name ?? '(not named)'}`;
    rows.push([section, 'consumption', s.mwh, 'MWh', d.suppliers], [section, 'share', s.share, 'ratio', ''], [section, 'account', s.account, '', ''], [section, 'meters', s.meters.join(' '), '', '']);
  }
  const p = r.peak_load;
  rows.push(['peak_load', 'demand', p?.kw ?? null, 'kW', d.peak_load], ['peak_load', 'interval_start', p?.local_start ?? null, '', ''], ['peak_load', 'source', p?.source ?? null, '', ''], ['peak_load', 'coverage', p?.coverage ?? null, 'ratio', '']);
  rows.push(['hashrate', 'max', r.hashrate.max_ths, 'TH/s', d.max_hashrate], ['hashrate', 'max_at', r.hashrate.local_max_at, '', ''], ['hashrate', 'nameplate', r.hashrate.nameplate_ths, 'TH/s', d.nameplate_hashrate]);
  rows.push(['fleet', 'rigs', r.fleet.rigs, 'count', d.fleet], ['fleet', 'rigs_active', r.fleet.rigs_active, 'count', ''], ['fleet', 'unknown_model', r.fleet.unknown_model, 'count', '']);
  for (const m of r.fleet.models) {
    const section = `fleet:${m.model}`;
    rows.push(
      [section, 'rigs', m.rigs, 'count', ''],
      [section, 'rigs_active', m.rigs_active, 'count', ''],
      [section, 'manufacturer', m.manufacturer, '', ''],
      [section, 'release_year', m.release_year, '', ''],
      [section, 'age_years', m.age_years, 'years', d.age],
      [section, 'nameplate_hashrate_each', m.nameplate_ths_each, 'TH/s', ''],
      [section, 'nameplate_power_each', m.nameplate_w_each, 'W', ''],
    );
  }
  return rows;
}

/** RFC 4180, CRLF line ends, a header row; an unknown value is an empty cell. */
export function reportCsv(r: MonthlyReport): Buffer {
  const lines = [REPORT_CSV_COLUMNS.join(','), ...reportRows(r).map((row) => row.map(csvCell).join(','))];
  return Buffer.from(`${lines.join('\r\n')}\r\n`);
}

export function reportJson(r: MonthlyReport): Buffer {
  return Buffer.from(`${JSON.stringify(r, null, 2)}\n`);
}

function csvCell(value: Cell): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function mwh(kwh: number | null): number | null {
  return kwh === null ? null : kwh / 1000;
}

/** Black on white, A4, no colour needed to read it; tables do not break inside a row. */
export const REPORT_CSS = `
@page { size: A4; margin: 16mm 14mm; }
body { font: 10.5pt/1.4 system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #111; background: #fff; margin: 2rem auto; max-width: 52rem; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.05rem; margin: 1.6rem 0 .4rem; border-bottom: 1px solid #999; padding-bottom: .15rem; }
.sub { color: #444; margin: 0 0 1rem; }
table { border-collapse: collapse; width: 100%; margin: .25rem 0 .5rem; }
th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid #ddd; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr { break-inside: avoid; }
.key { font-size: 1.9rem; font-weight: 700; }
.figures { display: grid; grid-template-columns: repeat(3, 1fr); gap: .75rem; }
.figures div { border: 1px solid #bbb; padding: .5rem .75rem; }
.figures .label { color: #444; font-size: .85rem; }
dl { font-size: .85rem; color: #333; }
dt { font-weight: 600; margin-top: .4rem; }
dd { margin: 0 0 0 1rem; }
footer { margin-top: 2rem; font-size: .8rem; color: #444; }
@media print { body { margin: 0; max-width: none; padding: 0; } h2 { break-after: avoid; } }
`;

/** The Content-Security-Policy the HTML report is served with: no script, and only its own stylesheet. */
export function reportCsp(): string {
  const hash = createHash('sha256').update(REPORT_CSS).digest('base64');
  return `default-src 'none'; style-src 'sha256-${hash}'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}

export function reportHtml(r: MonthlyReport): Buffer {
  const n = (x: number | null | undefined, digits: number) => (x === null || x === undefined ? '—' : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
  const share = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(2)} %`);
  const c = r.consumption;
  const title = `Monthly facility report — ${r.site_name ?? r.site}, ${r.month}`;
  const suppliers = r.suppliers.map((s) => `<tr><td>${esc(s.name ?? '(not named)')}</td><td>${esc(s.account ?? '—')}</td><td>${esc(s.meters.join(', ') || '—')}</td><td class="num">${n(s.mwh, 3)}</td><td class="num">${share(s.share)}</td></tr>`).join('');
  const models = r.fleet.models.map((m) => `<tr><td>${esc(m.model)}</td><td>${esc(m.manufacturer ?? '—')}</td><td class="num">${m.release_year ?? '—'}</td><td class="num">${m.age_years ?? '—'}</td><td class="num">${m.rigs}</td><td class="num">${m.rigs_active}</td><td class="num">${n(m.nameplate_ths_each, 1)}</td></tr>`).join('');
  const p = r.peak_load;
  const defs = Object.entries(DEFINITIONS).map(([k, v]) => `<dt>${esc(k.replace(/_/g, ' '))}</dt><dd>${esc(v)}</dd>`).join('');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p class="sub">Site <b>${esc(r.site)}</b> · ${esc(r.period.local_from)} to ${esc(r.period.local_to)} (${esc(r.time_zone)}, ${n(r.period.hours, 0)} h)</p>
<div class="figures">
<div><div class="label">Electricity consumption</div><div class="key" id="consumption-mwh">${n(c.mwh, 3)}</div>MWh (${esc(c.source === 'meter' ? 'facility meter' : c.source === 'it' ? 'Σ PDU outlets' : 'no data')})</div>
<div><div class="label">Share used for mining</div><div class="key">${share(r.mining.share)}</div>${n(r.mining.mwh, 3)} MWh to rigs</div>
<div><div class="label">Peak load (15 min)</div><div class="key">${n(p?.kw ?? null, 1)}</div>kW${p ? ` at ${esc(p.local_start)}` : ''}</div>
</div>
<h2>Consumption</h2>
<table><tbody>
<tr><th>Facility meter</th><td class="num">${n(mwh(c.meter_kwh), 3)} MWh</td><th>Completeness</th><td class="num">${share(c.meter_completeness)}</td></tr>
<tr><th>Σ PDU outlets (IT load)</th><td class="num">${n(mwh(c.it_kwh), 3)} MWh</td><th>Completeness</th><td class="num">${share(c.it_completeness)}</td></tr>
<tr><th>Mining (outlets feeding rigs)</th><td class="num">${n(r.mining.mwh, 3)} MWh</td><th>Other IT</th><td class="num">${n(mwh(r.mining.other_it_kwh), 3)} MWh</td></tr>
<tr><th>Overhead (meter − IT)</th><td class="num">${n(mwh(r.mining.overhead_kwh), 3)} MWh</td><th></th><td></td></tr>
</tbody></table>
<h2>Consumption per electricity supplier</h2>
<table><thead><tr><th>Supplier</th><th>Account</th><th>Meters</th><th class="num">MWh</th><th class="num">Share</th></tr></thead><tbody>${suppliers || '<tr><td colspan="5">No supplier or facility meter in the fleet file.</td></tr>'}</tbody></table>
<h2>Hashrate</h2>
<table><tbody>
<tr><th>Maximum (1-minute mean)</th><td class="num">${n(r.hashrate.max_ths, 1)} TH/s</td><td>${esc(r.hashrate.local_max_at ?? '—')}</td></tr>
<tr><th>Nameplate of the fleet</th><td class="num">${n(r.hashrate.nameplate_ths, 1)} TH/s</td><td></td></tr>
</tbody></table>
<h2>ASIC fleet by model and age</h2>
<table><thead><tr><th>Model</th><th>Manufacturer</th><th class="num">Released</th><th class="num">Age (years)</th><th class="num">Rigs</th><th class="num">Active</th><th class="num">TH/s each</th></tr></thead><tbody>${models || '<tr><td colspan="7">No rigs.</td></tr>'}</tbody></table>
<p class="sub">${r.fleet.rigs} rigs, ${r.fleet.rigs_active} active in the month, ${r.fleet.unknown_model} of unknown model.</p>
<h2>Definitions</h2>
<dl>${defs}</dl>
<footer>Kilowatch monthly facility report, format ${r.format_version}. Every figure comes from stored readings through the accounting of docs/energy.md; this file's SHA-256, the query that produced it, the software version and the time are in its manifest (npm run verify -- &lt;file&gt;).</footer>
</body>
</html>
`;
  return Buffer.from(html);
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
