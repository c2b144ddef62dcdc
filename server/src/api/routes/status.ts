import { Router } from 'express';
import type { LiveState } from '../../live/state.js';

export interface HealthReport {
  status: 'ok' | 'degraded';
  [key: string]: unknown;
}

/** GET /api/health and GET /api/sites: what the server is doing now, from memory (no store query). */
export function statusRouter(health: () => HealthReport, live: LiveState, clock: () => number): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    const report = health();
    // 200 while degraded too: the process is alive and spooling; the body says what is wrong.
    res.json(report);
  });
  router.get('/sites', (_req, res) => {
    const now = clock();
    res.json({ sites: live.siteIds().map((site) => live.frame(site, now)) });
  });
  return router;
}
