import { Router } from 'express';
import { alertsRouter } from '../api/routes/alerts.js';
import { capacityRouter } from '../api/routes/capacity.js';
import { hierarchyRouter } from '../api/routes/hierarchy.js';
import type { OperationsHub } from './hub.js';

/** What the API needs of the operations part. */
export type OperationsApi = Pick<OperationsHub, 'view' | 'capacity' | 'currentRules' | 'alerts'>;

/** The operations page's routes: /api/hierarchy, /api/capacity, /api/alerts (access in auth/access.ts). */
export function operationsRouter(ops: OperationsApi, clock: () => number): Router {
  const router = Router();
  router.use(hierarchyRouter((node) => ops.view(node)));
  router.use(capacityRouter((site) => ops.capacity(site)));
  router.use(
    alertsRouter(
      { list: (q) => ops.alerts.list(q), ack: (id, by, now) => ops.alerts.ack(id, by, now), rules: () => ops.currentRules() },
      clock,
    ),
  );
  return router;
}
