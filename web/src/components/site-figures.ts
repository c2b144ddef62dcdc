import { el, figure, setData, setText } from '../lib/dom.js';
import { formatCount, formatHashrate, formatJth, formatKw, formatKwh, formatPue } from '../lib/format.js';
import type { SiteFrame } from '../live/contract.js';

export interface SiteFigures {
  root: HTMLElement;
  /** Writes the frame's figures; null clears to "—" (no frame yet). `stale` dims them. */
  update(frame: SiteFrame | null, stale: boolean): void;
}

/** One site's live headline: load, energy today, efficiency, hashrate, PUE, rigs and PDUs. */
export function createSiteFigures(): SiteFigures {
  const kw = figure('Site load', 'kW', 'site-kw', 'figure figure-primary');
  const kwh = figure('Energy today', 'kWh', 'site-kwh');
  const jth = figure('Efficiency', 'J/TH', 'site-jth');
  const hashrate = figure('Hashrate', 'TH/s', 'site-hashrate');
  const pue = figure('PUE', '', 'site-pue');
  const rigs = figure('Rigs online', '', 'site-rigs-online');
  const rigsOffline = el('span', { className: 'count-offline', text: '—', testid: 'site-rigs-offline' });
  const pdus = el('span', { text: '—', testid: 'site-pdus' });
  rigs.sub.append(rigsOffline, document.createTextNode(' offline'));
  hashrate.sub.append(pdus);
  kwh.sub.append(document.createTextNode('IT load since 00:00 UTC'));
  jth.sub.append(document.createTextNode('W per TH/s, now'));
  const meter = el('span', { text: '', testid: 'site-meter-kw' });
  pue.sub.append(meter);

  const root = el('section', { className: 'headline', attrs: { 'aria-label': 'Site figures' } }, [
    kw.root,
    kwh.root,
    jth.root,
    hashrate.root,
    pue.root,
    rigs.root,
  ]);

  return {
    root,
    update(frame, stale) {
      setText(kw.value, formatKw(frame?.power_w));
      setText(kwh.value, formatKwh(frame?.kwh_today));
      setText(jth.value, formatJth(frame?.j_per_th));
      const rate = formatHashrate(frame?.hashrate_ths);
      setText(hashrate.value, rate.value);
      setText(hashrate.unit, rate.unit);
      setText(pue.value, formatPue(frame?.pue));
      setText(meter, frame?.meter_power_w == null ? 'no meter reading' : `meter ${formatKw(frame.meter_power_w)} kW`);
      setText(rigs.value, formatCount(frame?.rigs_online));
      setText(rigsOffline, formatCount(frame?.rigs_offline));
      setData(rigs.root, 'alert', frame && frame.rigs_offline > 0 ? 'warn' : null);
      setText(
        pdus,
        frame ? `PDUs ${formatCount(frame.pdus_online)} online · ${formatCount(frame.pdus_offline)} offline` : '',
      );
      setData(root, 'stale', stale ? 'true' : null);
    },
  };
}
