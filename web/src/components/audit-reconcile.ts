import { el, setData, setText } from '../lib/dom.js';
import { formatCount, formatNumber } from '../lib/format.js';
import { fetchReconciliation, type Reconciliation } from '../views/audit-api.js';
import { localTime } from '../views/audit-route.js';
import { errorText, kwh, num, panel, pct, table } from './audit-table.js';

/**
 * Completeness and reconciliation of the range (GET /api/reconcile): the flags first, then the facility meter
 * against the PDUs (per range and per local day), registers against integrated power, coverage per device and
 * every gap, reset and rejected spike with its reason. Flagged rows are marked with a word, not colour alone.
 */
export interface ReconcilePanel {
  readonly root: HTMLElement;
  load(q: { site: string; from: number; to: number }, tz: string): Promise<Reconciliation | null>;
  destroy(): void;
}

/** Rows shown per table; the rest is counted (the API has them all). */
const SHOWN = 200;

export function createReconcilePanel(): ReconcilePanel {
  const summary = el('p', { className: 'audit-summary', testid: 'reconcile-summary', text: '—' });
  const body = el('div', { className: 'audit-sections' });
  const { root, note } = panel('Completeness and reconciliation', 'coverage, gaps and resets, registers vs power, meter vs PDUs', 'reconcile-panel', [summary, body]);
  let aborter: AbortController | null = null;

  return {
    root,
    async load(q, tz) {
      aborter?.abort();
      aborter = new AbortController();
      const signal = aborter.signal;
      setText(summary, 'Checking…');
      setData(root, 'state', 'loading');
      try {
        const r = await fetchReconciliation(q, signal);
        if (signal.aborted) return null;
        body.replaceChildren(...sections(r, tz));
        setText(summary, summaryText(r));
        setData(root, 'state', r.summary.ok ? 'ok' : 'flagged');
        setText(note, `${localTime(r.from, tz)} to ${localTime(r.to, tz)} · read from ${formatNumber(r.answered_from.hours_1h, 0)} h + ${formatNumber(r.answered_from.minutes_1m, 0)} min of rollups, ${formatNumber(r.answered_from.raw_ms / 60_000, 1)} min raw`);
        return r;
      } catch (error) {
        if (signal.aborted) return null;
        setText(summary, `Reconciliation failed: ${errorText(error)}`);
        setData(root, 'state', 'error');
        body.replaceChildren();
        return null;
      }
    },
    destroy() {
      aborter?.abort();
      root.remove();
    },
  };
}

function summaryText(r: Reconciliation): string {
  const e = r.events.outlets;
  const head = r.summary.ok ? 'Every check within tolerance.' : `${formatCount(r.summary.flags)} flag${r.summary.flags === 1 ? '' : 's'}.`;
  return `${head} ${formatCount(r.summary.devices)} devices (${formatCount(r.summary.devices_flagged)} flagged) · outlets: ${e.gaps} gaps, ${e.resets} resets, ${e.spikes_rejected} spikes rejected, ${e.glitches} glitches, ${e.recoveries} recoveries, ${e.rollovers} rollovers`;
}

function sections(r: Reconciliation, tz: string): HTMLElement[] {
  return [flagsSection(r), meterSection(r), methodsSection(r), coverageSection(r), eventsSection(r, tz)];
}

function section(title: string, testid: string, children: readonly Node[]): HTMLElement {
  return el('section', { className: 'audit-section', testid }, [el('h3', { text: title }), ...children]);
}

function flagged(on: boolean): string {
  return on ? 'FLAG' : 'ok';
}

function flagsSection(r: Reconciliation): HTMLElement {
  if (r.flags.length === 0) return section('Flags', 'reconcile-flags', [el('p', { className: 'audit-ok', text: 'None: every difference is within tolerance.' })]);
  const items = r.flags.slice(0, SHOWN).map((f) => el('li', { className: 'audit-flag' }, [el('b', { text: `${f.check.replace('_', ' ')} · ${f.subject}` }), el('span', { text: ` — ${f.message}` })]));
  return section('Flags', 'reconcile-flags', [el('ul', { className: 'audit-flags' }, items), more(r.flags.length)]);
}

function meterSection(r: Reconciliation): HTMLElement {
  const m = r.meter_vs_it;
  const t = r.tolerances;
  const lead = el('p', {
    text: `Facility meter ${kwh(m.meter_kwh)} kWh vs Σ PDU outlets ${kwh(m.it_kwh)} kWh: difference ${kwh(m.difference_kwh)} kWh, ratio ${m.ratio === null ? '—' : m.ratio.toFixed(4)} (allowed: meter ≥ PDUs − ${t.energy_pct} %, ratio ≤ ${t.max_overhead}). ${m.note ?? ''}`,
  });
  const rows = m.days.map((d) => [d.local_start.slice(0, 10), num(kwh(d.meter_kwh)), num(kwh(d.it_kwh)), num(d.ratio === null ? '—' : d.ratio.toFixed(4)), flagged(d.flagged), d.note ?? '']);
  return section('Facility meter vs Σ PDUs', 'reconcile-meter', [lead, table(['Local day', num('Meter kWh'), num('PDUs kWh'), num('Ratio'), 'Check', 'Note'], rows)]);
}

function methodsSection(r: Reconciliation): HTMLElement {
  const rows = r.energy_methods.map((m) => [
    `${m.subject} ${m.id}`,
    m.method,
    num(kwh(m.kwh)),
    num(kwh(m.kwh_from_registers)),
    num(kwh(m.kwh_integrated)),
    num(kwh(m.kwh_power_integral)),
    num(m.difference_pct === null ? '—' : `${formatNumber(m.difference_pct, 3)} %`),
    flagged(m.flagged),
    m.note ?? '',
  ]);
  const lead = el('p', { text: `Energy as accounted (registers where present) against the plain integral of reported power over the same series; allowed: ${r.tolerances.energy_pct} % or 1 Wh per series.` });
  return section('Registers vs integrated power', 'reconcile-methods', [lead, table(['Series', 'Method', num('kWh'), num('from registers'), num('integrated'), num('∫ power kWh'), num('Difference'), 'Check', 'Note'], rows)]);
}

function coverageSection(r: Reconciliation): HTMLElement {
  const sorted = [...r.coverage].sort((a, b) => Number(b.flagged) - Number(a.flagged) || (a.coverage ?? 0) - (b.coverage ?? 0));
  const rows = sorted.slice(0, SHOWN).map((c) => [
    `${c.kind} ${c.id}`,
    num(`${c.series_seen}/${c.series_expected}`),
    num(c.interval_ms === null ? '—' : `${formatNumber(c.interval_ms / 1000, 1)} s`),
    num(c.expected === null ? '—' : formatCount(c.expected)),
    num(formatCount(c.received)),
    num(pct(c.coverage)),
    num(pct(c.completeness)),
    num(`${c.gaps}/${c.resets}/${c.spikes_rejected}`),
    flagged(c.flagged),
    c.note ?? '',
  ]);
  const lead = el('p', { text: `A device is flagged below ${pct(r.tolerances.min_coverage)} of the readings its interval implies (the interval inferred per device unless given).` });
  return section('Coverage per device', 'reconcile-coverage', [lead, table(['Device', num('Series'), num('Interval'), num('Expected'), num('Received'), num('Coverage'), num('Completeness'), num('Gaps/resets/spikes'), 'Check', 'Note'], rows), more(sorted.length)]);
}

function eventsSection(r: Reconciliation, tz: string): HTMLElement {
  const e = r.events;
  const lead = el('p', {
    text: e.complete
      ? 'Every event the counts count is listed.'
      : `Counts are complete; the items of ${e.hours_read} of ${e.hours_with_events} hours with events are listed (narrow the range to list the rest).`,
  });
  const gaps = e.gaps.slice(0, SHOWN).map((g) => [`${g.series_kind} ${g.series}`, localTime(g.start, tz), localTime(g.end, tz), num(`${formatNumber((g.end - g.start) / 60_000, 1)} min`), g.bridged_by_register ? 'register (exact)' : 'missing']);
  const adjustments = e.adjustments.slice(0, SHOWN).map((a) => [a.kind, `${a.series_kind} ${a.series}`, localTime(a.to, tz), num(formatNumber(a.counted_wh, 3)), a.counted_from, a.reason]);
  return section('Gaps, resets and rejected spikes', 'reconcile-events', [
    lead,
    el('h4', { text: `Gaps over 5 min (${e.gaps.length})` }),
    table(['Series', 'From', 'To', num('Length'), 'Energy across'], gaps, 'reconcile-gaps'),
    el('h4', { text: `Register adjustments (${e.adjustments.length})` }),
    table(['Kind', 'Series', 'At', num('Counted Wh'), 'From', 'Why'], adjustments, 'reconcile-adjustments'),
  ]);
}

function more(total: number): HTMLElement {
  return el('p', { className: 'panel-note', text: total > SHOWN ? `${formatCount(total - SHOWN)} more not shown` : '' });
}
