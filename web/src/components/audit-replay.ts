import { chartPointCount, mountPowerChart } from '../charts/power-chart.js';
import { el, setData, setText } from '../lib/dom.js';
import { formatKw, formatNumber } from '../lib/format.js';
import { frameTask } from '../lib/raf.js';
import { fetchReplay, type ReplayQuery } from '../views/audit-api.js';
import { offsetMs } from '../../../server/src/energy/time.js';
import { Playback, REPLAY_SPEEDS, ReplayFeed, siteWallClock, windowFor, type ReplaySpeed } from '../views/audit-playback.js';
import { localTime } from '../views/audit-route.js';
import { button, errorText, panel } from './audit-table.js';

/**
 * Replay: a past range played back through the same live chart the operators watch (mountPowerChart on a feed),
 * at 1×–3600×, with pause, seek and a time cursor. The range is fetched once (GET /api/replay, from rollups for
 * long ranges); playing is moving an index over it, once per animation frame.
 *
 * The chart's axis reads the site's clock (audit-playback.ts `siteWallClock`), as the cursor does.
 *
 * For browser tests the root carries `data-cursor` (ms), `data-state`, `data-frames` (redraws asked of the chart)
 * and `data-chart-points` (points the chart holds).
 */
export interface ReplayPanel {
  readonly root: HTMLElement;
  load(q: ReplayQuery, tz: string, speed: ReplaySpeed | null): Promise<void>;
  /** The speed chosen (or loaded with). */
  speed(): ReplaySpeed;
  destroy(): void;
}

const SLIDER_STEPS = 10_000;

export function createReplayPanel(): ReplayPanel {
  const canvas = el('canvas', { testid: 'replay-chart', attrs: { role: 'img', 'aria-label': 'Replayed load, kW' } });
  const play = button('Play', 'replay-play', () => toggle());
  const speeds = el('div', { className: 'audit-speeds', attrs: { role: 'radiogroup', 'aria-label': 'Speed' } });
  const speedButtons = new Map<ReplaySpeed, HTMLButtonElement>();
  for (const s of REPLAY_SPEEDS) {
    const b = button(`${formatNumber(s, 0)}×`, `replay-speed-${s}`, () => setSpeed(s));
    b.setAttribute('role', 'radio');
    speedButtons.set(s, b);
    speeds.append(b);
  }
  const slider = el('input', { className: 'audit-slider', testid: 'replay-seek', attrs: { type: 'range', min: '0', max: String(SLIDER_STEPS), value: '0', 'aria-label': 'Seek' } });
  const cursorText = el('span', { className: 'audit-cursor', testid: 'replay-cursor', text: '—' });
  const kwText = el('span', { className: 'audit-cursor-kw', testid: 'replay-kw', text: '—' });
  const status = el('p', { className: 'audit-status', text: 'Pick a site and a range, then Load.' });
  const { root, note } = panel('Replay', 'stored history, not live data', 'replay-panel', [
    el('div', { className: 'audit-controls' }, [play, speeds, el('span', { className: 'audit-cursor-box' }, [cursorText, kwText])]),
    slider,
    el('div', { className: 'chart-box' }, [canvas]),
    status,
  ]);

  let playback: Playback | null = null;
  let feed: ReplayFeed | null = null;
  let unmountChart: (() => void) | null = null;
  let tz = 'UTC';
  let speed: ReplaySpeed = 60;
  let stepMs = 60_000;
  let frames = 0;
  let aborter: AbortController | null = null;
  const clock = { now: () => performance.now() };

  const frame = frameTask(() => {
    if (!playback || !feed) return;
    const t = playback.cursor();
    if (feed.showUntil(t)) frames += 1;
    render(t);
    if (playback.state === 'playing') frame.request();
  });

  function render(t: number): void {
    if (!playback || !feed) return;
    setText(cursorText, localTime(Math.floor(t), tz));
    const p = feed.at(t);
    setText(kwText, p ? `${formatKw(p.y * 1000)} kW` : '—');
    const pos = Math.round(((t - playback.from) / (playback.to - playback.from)) * SLIDER_STEPS);
    if (document.activeElement !== slider) slider.value = String(pos);
    setText(play, playback.state === 'playing' ? 'Pause' : 'Play');
    setData(root, 'cursor', String(Math.floor(t)));
    setData(root, 'state', playback.state);
    setData(root, 'frames', String(frames));
    setData(root, 'chartPoints', String(chartPointCount(canvas)));
  }

  function toggle(): void {
    if (!playback) return;
    if (playback.state === 'playing') playback.pause();
    else playback.play();
    frame.request();
  }

  function setSpeed(s: ReplaySpeed): void {
    speed = s;
    for (const [value, b] of speedButtons) b.setAttribute('aria-checked', String(value === s));
    if (!playback || !feed) return;
    playback.setSpeed(s);
    feed.setWindow(windowFor(s, stepMs));
    frame.request();
  }

  slider.addEventListener('input', () => {
    if (!playback) return;
    playback.seek(playback.from + (Number(slider.value) / SLIDER_STEPS) * (playback.to - playback.from));
    frame.request();
  });

  setSpeed(speed);

  return {
    root,
    speed: () => speed,
    async load(q, siteTz, wanted) {
      aborter?.abort();
      aborter = new AbortController();
      const signal = aborter.signal;
      tz = siteTz;
      setText(status, 'Loading…');
      setData(root, 'state', 'loading');
      try {
        const data = await fetchReplay(q, signal);
        if (signal.aborted) return;
        unmountChart?.();
        stepMs = data.stepMs;
        playback = new Playback(q.from, q.to, clock, wanted ?? speed);
        feed = new ReplayFeed(data.points, windowFor(wanted ?? speed, stepMs), siteWallClock((ts) => offsetMs(ts, siteTz)));
        unmountChart = mountPowerChart(canvas, feed);
        frames = 0;
        setSpeed(wanted ?? speed);
        feed.showUntil(q.from);
        const scope = q.rig ? `rig ${q.rig}` : q.pdu ? `PDU ${q.pdu}` : `site ${q.site}`;
        setText(note, `${scope} · ${data.points.length} points of ${formatNumber(data.stepMs / 1000, 0)} s · from ${data.resolution === 'raw' ? 'raw readings' : `${data.resolution} rollups`}`);
        setText(status, data.points.length === 0 ? 'No stored readings in this range.' : '');
        frame.request();
      } catch (error) {
        if (signal.aborted) return;
        setText(status, `Replay failed: ${errorText(error)}`);
        setData(root, 'state', 'error');
      }
    },
    destroy() {
      aborter?.abort();
      frame.cancel();
      unmountChart?.();
      root.remove();
    },
  };
}
