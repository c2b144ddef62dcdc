import { el, setData, setText } from '../lib/dom.js';
import { formatCount, formatNumber } from '../lib/format.js';
import { fetchMonthlyReport, reportPath, type MonthlyReport } from '../views/audit-api.js';
import { createDownloadSlot, type DownloadSlot } from './audit-download.js';
import { button, errorText, kwh, mwh, num, panel, pct, table } from './audit-table.js';

/**
 * The monthly facility report of a site (GET /api/reports/monthly): the figures the EIA-862 survey asked for,
 * shown here from the JSON form, with the JSON, CSV and printable HTML forms offered for download, each with its
 * manifest. Every fetch of the report is an export and is in the audit log.
 */
export interface ReportPanel {
  readonly root: HTMLElement;
  /** Sets the site and the month picker's month; `show` also loads the report. */
  select(site: string, month: string, show: boolean): void;
  destroy(): void;
}

export function createReportPanel(onExport: () => void): ReportPanel {
  const monthInput = el('input', { className: 'control audit-input', testid: 'report-month', attrs: { type: 'month', 'aria-label': 'Month' } });
  const figures = el('div', { className: 'audit-report', testid: 'report-figures' }, [el('p', { className: 'panel-note', text: 'Pick a month and show its report.' })]);
  const slots: Record<'json' | 'csv' | 'html', DownloadSlot> = {
    json: createDownloadSlot('report-json', onExport),
    csv: createDownloadSlot('report-csv', onExport),
    html: createDownloadSlot('report-html', onExport),
  };
  const printable = el('a', { className: 'control audit-button', text: 'Open printable page', testid: 'report-print', attrs: { target: '_blank', rel: 'noopener' } });
  let site = '';
  const show = button('Show report', 'report-show', () => void load());
  const downloads = el('div', { className: 'audit-downloads' }, [
    el('div', {}, [button('CSV', 'report-csv-prepare', () => void slots.csv.offer(reportPath(site, monthInput.value, 'csv'))), slots.csv.root]),
    el('div', {}, [button('HTML', 'report-html-prepare', () => void slots.html.offer(reportPath(site, monthInput.value, 'html'))), slots.html.root]),
    el('div', {}, [el('span', { className: 'audit-label', text: 'JSON' }), slots.json.root]),
    printable,
  ]);
  const { root, note } = panel('Monthly facility report', 'the figures regulators ask for (EIA-862)', 'report-panel', [el('div', { className: 'audit-controls' }, [monthInput, show]), figures, downloads]);
  let aborter: AbortController | null = null;

  async function load(): Promise<void> {
    if (!site || !/^\d{4}-\d{2}$/.test(monthInput.value)) return;
    aborter?.abort();
    aborter = new AbortController();
    const signal = aborter.signal;
    printable.href = reportPath(site, monthInput.value, 'html');
    setData(root, 'state', 'loading');
    setText(note, 'Loading…');
    try {
      const { report, file } = await fetchMonthlyReport({ site, month: monthInput.value }, signal);
      if (signal.aborted) return;
      figures.replaceChildren(...render(report));
      await slots.json.offer(file);
      setText(note, `${report.period.local_from.slice(0, 16)} to ${report.period.local_to.slice(0, 16)} (${report.time_zone}, ${formatCount(report.period.hours)} h)`);
      setData(root, 'state', 'ready');
    } catch (error) {
      if (signal.aborted) return;
      figures.replaceChildren(el('p', { className: 'audit-error', text: `Report failed: ${errorText(error)}` }));
      setText(note, '');
      setData(root, 'state', 'error');
    }
  }

  return {
    root,
    select(newSite, month, andShow) {
      site = newSite;
      monthInput.value = month;
      printable.href = reportPath(site, month, 'html');
      if (andShow) void load();
    },
    destroy() {
      aborter?.abort();
      for (const s of Object.values(slots)) s.destroy();
      root.remove();
    },
  };
}

function figure(label: string, value: string, unit: string, testid: string, sub = ''): HTMLElement {
  return el('div', { className: 'figure' }, [
    el('div', { className: 'figure-label', text: label }),
    el('div', { className: 'figure-reading' }, [el('span', { className: 'figure-value', text: value, testid }), el('span', { className: 'figure-unit', text: unit })]),
    el('div', { className: 'figure-sub', text: sub }),
  ]);
}

function render(r: MonthlyReport): HTMLElement[] {
  const c = r.consumption;
  const source = c.source === 'meter' ? 'facility meter' : c.source === 'it' ? 'Σ PDU outlets (no meter)' : 'no readings';
  const peak = r.peak_load;
  const head = el('div', { className: 'headline' }, [
    figure('Consumption', mwh(c.mwh), 'MWh', 'report-mwh', `${source} · completeness ${pct(c.source === 'meter' ? c.meter_completeness : c.it_completeness)}`),
    figure('Used for mining', pct(r.mining.share), '', 'report-mining-share', `${mwh(r.mining.mwh)} MWh to rigs`),
    figure('Peak load (15 min)', formatNumber(peak?.kw ?? null, 1), 'kW', 'report-peak', peak ? `${peak.local_start.replace('T', ' ')} · ${peak.source}` : ''),
    figure('Maximum hashrate', formatNumber(r.hashrate.max_ths, 1), 'TH/s', 'report-hashrate', `nameplate ${formatNumber(r.hashrate.nameplate_ths, 1)} TH/s`),
  ]);
  const energy = table(
    ['', num('MWh'), num('kWh')],
    [
      ['Facility meter', num(mwh(c.meter_kwh === null ? null : c.meter_kwh / 1000)), num(kwh(c.meter_kwh))],
      ['Σ PDU outlets (IT)', num(mwh(c.it_kwh / 1000)), num(kwh(c.it_kwh))],
      ['Mining (outlets feeding rigs)', num(mwh(r.mining.mwh)), num(kwh(r.mining.kwh))],
      ['Other IT', num(mwh(r.mining.other_it_kwh / 1000)), num(kwh(r.mining.other_it_kwh))],
      ['Overhead (meter − IT)', num(mwh(r.mining.overhead_kwh === null ? null : r.mining.overhead_kwh / 1000)), num(kwh(r.mining.overhead_kwh))],
    ],
    'report-energy',
  );
  const suppliers = table(
    ['Supplier', 'Account', 'Meters', num('MWh'), num('Share')],
    r.suppliers.map((s) => [s.name ?? '(not named)', s.account ?? '—', s.meters.join(', ') || '—', num(mwh(s.mwh)), num(pct(s.share))]),
    'report-suppliers',
  );
  const fleet = table(
    ['Model', 'Manufacturer', num('Released'), num('Age (years)'), num('Rigs'), num('Active'), num('TH/s each')],
    r.fleet.models.map((m) => [m.model, m.manufacturer ?? '—', num(m.release_year === null ? '—' : String(m.release_year)), num(m.age_years === null ? '—' : String(m.age_years)), num(formatCount(m.rigs)), num(formatCount(m.rigs_active)), num(formatNumber(m.nameplate_ths_each, 1))]),
    'report-fleet',
  );
  return [
    head,
    el('h3', { text: 'Consumption' }),
    energy,
    el('h3', { text: 'Consumption per electricity supplier' }),
    suppliers,
    el('h3', { text: `ASIC fleet by model and age — ${formatCount(r.fleet.rigs)} rigs, ${formatCount(r.fleet.rigs_active)} active` }),
    fleet,
  ];
}
