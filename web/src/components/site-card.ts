import { mountSparkline } from '../charts/sparkline.js';
import { el, setData, setText } from '../lib/dom.js';
import { formatCount, formatHashrate, formatJth, formatKw, formatKwh, formatPue } from '../lib/format.js';
import type { SeriesFeed } from '../lib/live-series.js';
import { routeHash } from '../lib/route.js';
import type { SiteFrame } from '../live/contract.js';

export interface SiteCard {
  readonly site: string;
  readonly root: HTMLElement;
  /** Writes the frame's figures; `stale` marks a site whose own frame has stopped advancing. */
  update(frame: SiteFrame, stale: boolean): void;
  destroy(): void;
}

interface Stat {
  root: HTMLElement;
  value: HTMLElement;
  unit: HTMLElement;
}

function stat(label: string, unit: string, testid: string): Stat {
  const value = el('span', { className: 'stat-value', text: '—', testid });
  const unitNode = el('span', { className: 'stat-unit', text: unit });
  const root = el('div', { className: 'stat' }, [
    el('dt', { text: label }),
    el('dd', {}, [value, unitNode]),
  ]);
  return { root, value, unit: unitNode };
}

/** An "N on · M off" pair; the offline count turns amber when non-zero. */
function onOff(label: string, testid: string): { root: HTMLElement; on: HTMLElement; off: HTMLElement } {
  const on = el('span', { className: 'stat-value', text: '—', testid: `${testid}-online` });
  const off = el('span', { className: 'stat-value count-offline', text: '—', testid: `${testid}-offline` });
  const root = el('div', { className: 'stat' }, [
    el('dt', { text: label }),
    el('dd', {}, [
      on,
      el('span', { className: 'stat-unit', text: 'on' }),
      off,
      el('span', { className: 'stat-unit', text: 'off' }),
    ]),
  ]);
  return { root, on, off };
}

/**
 * One site's card, a link to the site's page. Built once when the site first appears; after that
 * `update` only rewrites text and data attributes, and the sparkline redraws from the site's bounded
 * series.
 */
export function createSiteCard(site: string, feed: SeriesFeed): SiteCard {
  const kw = el('span', { className: 'figure-value', text: '—', testid: 'site-kw' });
  const kwh = stat('Energy today', 'kWh', 'site-kwh');
  const jth = stat('Efficiency', 'J/TH', 'site-jth');
  const hashrate = stat('Hashrate', 'TH/s', 'site-hashrate');
  const pue = stat('PUE', '', 'site-pue');
  const rigs = onOff('Rigs', 'site-rigs');
  const pdus = onOff('PDUs', 'site-pdus');
  const canvas = el('canvas', {
    className: 'sparkline',
    testid: 'site-sparkline',
    attrs: { role: 'img', 'aria-label': `${site} load, last ${Math.round(feed.windowMs / 60_000)} minutes` },
  });

  const root = el('article', { className: 'site-card', testid: 'site-card' }, [
    el('header', { className: 'site-head' }, [
      // The title is the link to the site page; styles.css stretches its hit area over the card.
      el('h2', { className: 'site-name' }, [
        el('a', { className: 'site-link', testid: 'site-link', attrs: { href: routeHash({ view: 'site', site }) } }, [
          document.createTextNode(site),
          // Wall screens have no hover: the chevron says "there is more behind this card".
          el('span', { className: 'site-go', text: ' ›', attrs: { 'aria-hidden': 'true' } }),
        ]),
      ]),
      el('span', { className: 'site-window', text: `last ${Math.round(feed.windowMs / 60_000)} min` }),
    ]),
    el('div', { className: 'site-load' }, [
      el('div', { className: 'figure-reading' }, [kw, el('span', { className: 'figure-unit', text: 'kW' })]),
      canvas,
    ]),
    el('dl', { className: 'site-stats' }, [kwh.root, jth.root, hashrate.root, pue.root, rigs.root, pdus.root]),
  ]);
  root.dataset.site = site;
  const unmountSparkline = mountSparkline(canvas, feed);

  return {
    site,
    root,
    update(frame, stale) {
      setText(kw, formatKw(frame.power_w));
      setText(kwh.value, formatKwh(frame.kwh_today));
      setText(jth.value, formatJth(frame.j_per_th));
      const rate = formatHashrate(frame.hashrate_ths);
      setText(hashrate.value, rate.value);
      setText(hashrate.unit, rate.unit);
      setText(pue.value, formatPue(frame.pue));
      setText(pue.unit, frame.meter_power_w === null ? '' : `meter ${formatKw(frame.meter_power_w)} kW`);
      setText(rigs.on, formatCount(frame.rigs_online));
      setText(rigs.off, formatCount(frame.rigs_offline));
      setText(pdus.on, formatCount(frame.pdus_online));
      setText(pdus.off, formatCount(frame.pdus_offline));
      setData(rigs.off, 'alert', frame.rigs_offline > 0 ? 'warn' : null);
      setData(pdus.off, 'alert', frame.pdus_offline > 0 ? 'warn' : null);
      setData(root, 'stale', stale ? 'true' : null);
    },
    destroy() {
      unmountSparkline();
      root.remove();
    },
  };
}
