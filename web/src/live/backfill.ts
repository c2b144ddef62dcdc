import type { LiveSeries } from '../lib/live-series.js';
import { fetchSeries } from './api.js';

/** Back-fill resolution; the server averages power over each step. */
export const HISTORY_STEP_MS = 5000;

/** Merges GET /api/series history from `from` to now into `series` (the facility's, or `site`'s). */
export type Backfill = (series: LiveSeries, from: number, site?: string) => void;

/** A back-filler whose requests all end with `signal` (the view's unmount). */
export function backfiller(signal: AbortSignal): Backfill {
  return (series, from, site) => {
    const to = Date.now();
    // A blip shorter than one bucket leaves nothing to fill (and the server wants from < to).
    if (to - from < HISTORY_STEP_MS) return;
    const query = { from, to, stepMs: HISTORY_STEP_MS, ...(site === undefined ? {} : { site }) };
    fetchSeries(query, signal)
      .then((points) => series.merge(points, HISTORY_STEP_MS))
      .catch((error: unknown) => {
        // A failed back-fill only costs history; the live line carries on regardless.
        if (!signal.aborted) console.warn('kilowatch: back-fill failed', site ?? 'facility', error);
      });
  };
}
