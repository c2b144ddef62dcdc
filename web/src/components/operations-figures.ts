import { el, figure, setData, setText } from '../lib/dom.js';
import { formatCount, formatHashrate, formatJth, formatKw, formatKwh } from '../lib/format.js';
import type { OpsFigures } from '../views/operations-contract.js';
import { formatUtil } from '../views/operations-model.js';

export interface OpsFiguresView {
  root: HTMLElement;
  update(f: OpsFigures | null): void;
}

/** A node's headline: load, energy today, J/TH, rigs online, worst capacity use, alerts. */
export function createOpsFigures(): OpsFiguresView {
  const kw = figure('Load', 'kW', 'ops-kw', 'figure figure-primary');
  const kwh = figure('Energy today', 'kWh', 'ops-kwh');
  const jth = figure('Efficiency', 'J/TH', 'ops-jth');
  const rigs = figure('Rigs online', '', 'ops-rigs-online');
  const capacity = figure('Worst capacity use', '', 'ops-util');
  const alerts = figure('Active alerts', '', 'ops-alerts');
  const total = el('span', { text: '—', testid: 'ops-rigs-total' });
  const hashrate = el('span', { text: '' });
  rigs.sub.append(document.createTextNode('of '), total);
  jth.sub.append(hashrate);
  kwh.sub.append(document.createTextNode('IT load, site local day'));
  capacity.sub.append(document.createTextNode('of the continuous limit (NEC 80 % rule)'));
  alerts.sub.append(document.createTextNode('here and below'));
  const root = el('section', { className: 'headline ops-figures', attrs: { 'aria-label': 'Figures' } }, [kw.root, kwh.root, jth.root, rigs.root, capacity.root, alerts.root]);
  return {
    root,
    update(f) {
      setText(kw.value, formatKw(f?.power_w));
      setText(kwh.value, formatKwh(f?.kwh_today));
      setText(jth.value, formatJth(f?.j_per_th));
      const rate = formatHashrate(f?.hashrate_ths);
      setText(hashrate, f ? `${rate.value} ${rate.unit}` : '');
      setText(rigs.value, formatCount(f?.rigs_online));
      setText(total, formatCount(f?.rigs_total));
      setData(rigs.root, 'alert', f && f.rigs_online < f.rigs_total ? 'warn' : null);
      setText(capacity.value, formatUtil(f?.utilisation ?? null));
      setData(capacity.root, 'level', f?.level ?? null);
      setText(alerts.value, formatCount(f?.alerts));
      setData(alerts.root, 'alert', f && f.alerts > 0 ? 'bad' : null);
    },
  };
}
