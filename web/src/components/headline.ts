import type { FacilitySummary } from '../lib/facility.js';
import { el, figure, setData, setText } from '../lib/dom.js';
import { formatCount, formatHashrate, formatJth, formatKw, formatKwh } from '../lib/format.js';

export interface Headline {
  root: HTMLElement;
  /** Shows the summary; null clears to "—" (no frame yet). */
  update(summary: FacilitySummary | null): void;
}

/** The facility's headline figures: load, energy today, efficiency, hashrate, rigs. */
export function createHeadline(): Headline {
  const kw = figure('Facility load', 'kW', 'facility-kw', 'figure figure-primary');
  const kwh = figure('Energy today', 'kWh', 'facility-kwh');
  const jth = figure('Efficiency', 'J/TH', 'facility-jth');
  const hashrate = figure('Hashrate', 'TH/s', 'facility-hashrate');
  const rigs = figure('Rigs online', '', 'rigs-online');
  const rigsOffline = el('span', { className: 'count-offline', text: '—', testid: 'rigs-offline' });
  rigs.sub.append(rigsOffline, document.createTextNode(' offline'));
  const pdus = el('span', { text: '—', testid: 'pdus-summary' });
  kwh.sub.append(document.createTextNode('IT load since 00:00 UTC'));
  jth.sub.append(document.createTextNode('W per TH/s, hashrate-weighted'));
  hashrate.sub.append(pdus);

  const root = el('section', { className: 'headline', attrs: { 'aria-label': 'Facility figures' } }, [
    kw.root,
    kwh.root,
    jth.root,
    hashrate.root,
    rigs.root,
  ]);

  return {
    root,
    update(summary) {
      setText(kw.value, formatKw(summary?.power_w));
      setText(kwh.value, formatKwh(summary?.kwh_today));
      setText(jth.value, formatJth(summary?.j_per_th));
      const rate = formatHashrate(summary?.hashrate_ths);
      setText(hashrate.value, rate.value);
      setText(hashrate.unit, rate.unit);
      setText(rigs.value, formatCount(summary?.rigs_online));
      setText(rigsOffline, formatCount(summary?.rigs_offline));
      setData(rigs.root, 'alert', summary && summary.rigs_offline > 0 ? 'warn' : null);
      setText(
        pdus,
        summary
          ? `PDUs ${formatCount(summary.pdus_online)} online · ${formatCount(summary.pdus_offline)} offline`
          : '',
      );
    },
  };
}
