import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type ErrorRequestHandler } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { authRouter, type AuthRouteOptions } from '../auth/routes.js';
import { accessControl, type AuthState } from '../auth/middleware.js';
import type { FleetRegistry } from '../fleet/registry.js';
import type { UnassignedDevices } from '../fleet/unassigned.js';
import type { LiveState } from '../live/state.js';
import { RollupBacklogError } from '../rollup/reader.js';
import type { Store } from '../store/store.js';
import { HttpError } from './params.js';
import { comparisonRouter } from './routes/comparison.js';
import { demandRouter } from './routes/demand.js';
import { efficiencyRouter } from './routes/efficiency.js';
import { devicesRouter } from './routes/devices.js';
import { energyRouter, type EnergyRouteDeps } from './routes/energy.js';
import { seriesRouter } from './routes/series.js';
import { statusRouter, type HealthReport } from './routes/status.js';
import type { AuditLog } from '../audit/log.js';
import { auditTrail } from '../audit/trail.js';
import type { ExportRegistry } from '../exports/registry.js';
import type { RollupEngine } from '../rollup/engine.js';
import { auditRouter } from './routes/audit.js';
import { exportsRouter } from './routes/exports.js';
import { reconcileRouter } from './routes/reconcile.js';
import { replayRouter } from './routes/replay.js';
import { reportsRouter } from './routes/reports.js';
import { operationsRouter, type OperationsApi } from '../operations/api.js';

export interface ApiDeps {
  store: Store;
  live: LiveState;
  health: () => HealthReport;
  readiness: () => { ready: boolean; failing: string[] };
  metrics: Registry;
  auth: { state: AuthState; options: AuthRouteOptions };
  fleet: () => FleetRegistry;
  /** Rollups and site time zones for /api/energy (without them it reads raw readings, in UTC). */
  energy?: Omit<EnergyRouteDeps, 'store'>;
  unassigned: UnassignedDevices;
  /** Auditing: the hash-chained audit log, the export manifests, and the rollups the auditors' long ranges read. */
  audit: { log: AuditLog; exports: ExportRegistry; rollups: RollupEngine | null };
  /** The operations page: drill-down, capacity and alerts (server/src/operations). */
  operations?: OperationsApi;
  /** Behind a TLS-terminating proxy: believe its X-Forwarded-* headers (for secure cookies and origins). */
  trustProxy?: boolean;
  log: Logger;
  /** Built dashboard (web/dist); served at `/`. */
  webDir: string;
  clock?: () => number;
}

export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(
    helmet({
      contentSecurityPolicy: {
        // The dashboard has no inline scripts or styles: everything comes from its own origin.
        useDefaults: false,
        directives: {
          'default-src': ["'self'"],
          'script-src': ["'self'"],
          'style-src': ["'self'"],
          'img-src': ["'self'", 'data:'],
          'connect-src': ["'self'"],
          'font-src': ["'self'"],
          'object-src': ["'none'"],
          'base-uri': ["'self'"],
          'form-action': ["'self'"],
          'frame-ancestors': ["'none'"],
          // No upgrade-insecure-requests: sites run the dashboard over plain HTTP on their own network.
        },
      },
    }),
  );
  if (deps.trustProxy) app.set('trust proxy', true);
  // Who read history, reports or exports, and who changed what — and who was refused: in front of the gate, and
  // written when the answer is sent, by when the gate has said who asked.
  app.use(auditTrail(deps.audit.log, deps.clock ?? Date.now));
  // Every request passes the access gate; what each route needs is the table in auth/access.ts.
  app.use(accessControl(deps.auth.state));
  app.use(probes(deps));
  const api = express.Router();
  api.use(express.json({ limit: '16kb' }));
  api.use(authRouter(deps.auth.state, deps.auth.options));
  api.use(statusRouter(deps.health, deps.live, deps.clock ?? Date.now));
  api.use(energyRouter({ store: deps.store, ...deps.energy }));
  api.use(demandRouter({ store: deps.store, ...deps.energy }));
  api.use(efficiencyRouter({ store: deps.store, rollups: deps.audit.rollups, fleet: deps.fleet }));
  api.use(comparisonRouter({ store: deps.store, fleet: deps.fleet, ...deps.energy, ...(deps.clock && { clock: deps.clock }) }));
  api.use(seriesRouter(deps.store));
  api.use(devicesRouter(deps.fleet, deps.unassigned));
  const auditing = { store: deps.store, fleet: deps.fleet, exports: deps.audit.exports, rollups: deps.audit.rollups, ...deps.energy, ...(deps.clock && { clock: deps.clock }) };
  api.use(exportsRouter(deps.store, deps.audit.exports, deps.clock ?? Date.now, deps.audit.rollups));
  api.use(auditRouter(deps.audit.log));
  api.use(replayRouter(auditing));
  api.use(reconcileRouter(auditing));
  api.use(reportsRouter(auditing));
  if (deps.operations) api.use(operationsRouter(deps.operations, deps.clock ?? Date.now));
  api.use((_req, _res, next) => next(new HttpError(404, 'no such API route')));
  app.use('/api', api);
  app.use(dashboard(deps.webDir));
  app.use(errorHandler(deps.log));
  return app;
}

/** For orchestrators and Prometheus: liveness, readiness (503 naming what fails) and metrics. */
function probes(deps: ApiDeps): express.Router {
  const router = express.Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'alive' });
  });
  router.get('/readyz', (_req, res) => {
    const r = deps.readiness();
    res.status(r.ready ? 200 : 503).json(r);
  });
  router.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.contentType).send(await deps.metrics.metrics());
  });
  return router;
}

function dashboard(webDir: string): express.RequestHandler {
  if (existsSync(join(webDir, 'index.html'))) return express.static(webDir, { index: 'index.html', maxAge: '1h', setHeaders: noCacheForHtml });
  return (_req, res) => {
    res.status(503).type('text/plain').send(`The dashboard is not built (${webDir} has no index.html). Run: npm run build:web`);
  };
}

function noCacheForHtml(res: express.Response, path: string): void {
  if (path.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache');
}

/** The one place errors become responses: a clear message for the client, never a stack trace. */
function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (err instanceof HttpError) {
      res.status(err.status).json({ error: err.message });
      return;
    }
    // Rollups still being built for the range asked: every answer that reads them says so, with the reason.
    if (err instanceof RollupBacklogError) {
      res.status(503).json({ error: err.message });
      return;
    }
    const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) log.error({ err, path: req.path }, 'request failed');
    res.status(status).json({ error: status === 500 ? 'internal error; see the server log' : String(err.message ?? 'bad request') });
  };
}
