import { Router } from 'express';
import { z } from 'zod';
import type { Store } from '../../store/store.js';
import { HttpError, id, parseQuery, range } from '../params.js';

const MAX_POINTS = 10_000;
const query = range({ site: id.optional(), step: z.coerce.number().int().min(1000).max(86_400_000).default(60_000) }, 366);

/** GET /api/series — mean power per step for a site (or the whole facility), for charts. */
export function seriesRouter(store: Store): Router {
  const router = Router();
  router.get('/series', async (req, res) => {
    const q = parseQuery(query, req.query);
    const points = Math.ceil((q.to - q.from) / q.step);
    if (points > MAX_POINTS) throw new HttpError(400, `${points} points asked; at most ${MAX_POINTS}: raise step or narrow the range`);
    const buckets = await store.powerBuckets({ from: q.from, to: q.to, stepMs: q.step, ...(q.site && { site: q.site }) });
    res.json({ site: q.site ?? null, from: q.from, to: q.to, step_ms: q.step, points: buckets });
  });
  return router;
}
