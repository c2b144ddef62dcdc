import type { AuditEntry, ChainCheck } from '../../../server/src/audit/log.js';
import type { Reconciliation } from '../../../server/src/reconcile/reconcile.js';
import type { MonthlyReport } from '../../../server/src/reports/monthly.js';
import type { XY } from '../lib/live-series.js';
import { ApiError, isRecord } from '../live/api.js';

/**
 * The auditors' page's reads. The bodies' types come from the server modules that build them (type-only: no
 * server code reaches the bundle); each answer is still checked at this boundary for the parts the page relies
 * on, so a malformed answer is one clear error rather than NaN on screen.
 */
export type { AuditEntry, ChainCheck, MonthlyReport, Reconciliation };

async function getJson(path: string, signal?: AbortSignal): Promise<{ body: unknown; response: Response }> {
  const response = await fetch(path, { headers: { accept: 'application/json' }, signal: signal ?? null });
  if (!response.ok) throw new ApiError(await errorOf(path, response));
  return { body: (await response.json()) as unknown, response };
}

async function errorOf(path: string, response: Response): Promise<string> {
  const body = (await response.json().catch(() => null)) as { error?: unknown } | null;
  const why = typeof body?.error === 'string' ? body.error : `HTTP ${response.status}`;
  return `${path.split('?')[0]}: ${why}`;
}

export interface FleetSiteInfo {
  id: string;
  name: string | null;
  tz: string;
  pdus: string[];
  rigs: string[];
}

/** Sites of the fleet file with their PDUs and rigs, and any other site seen live. */
export async function fetchAuditSites(signal?: AbortSignal): Promise<FleetSiteInfo[]> {
  const [fleet, live] = await Promise.all([getJson('/api/fleet', signal), getJson('/api/sites', signal)]);
  const sites = new Map<string, FleetSiteInfo>();
  const list = isRecord(fleet.body) && Array.isArray(fleet.body.sites) ? (fleet.body.sites as unknown[]) : [];
  for (const s of list) {
    if (!isRecord(s) || typeof s.id !== 'string') continue;
    const pdus: string[] = [];
    const rigs: string[] = [];
    for (const rack of Array.isArray(s.racks) ? s.racks : []) {
      for (const pdu of isRecord(rack) && Array.isArray(rack.pdus) ? rack.pdus : []) {
        if (!isRecord(pdu) || typeof pdu.id !== 'string') continue;
        pdus.push(pdu.id);
        for (const o of Array.isArray(pdu.outlets) ? pdu.outlets : []) if (isRecord(o) && typeof o.rig === 'string') rigs.push(o.rig);
      }
    }
    sites.set(s.id, { id: s.id, name: typeof s.name === 'string' ? s.name : null, tz: typeof s.time_zone === 'string' ? s.time_zone : 'UTC', pdus, rigs });
  }
  const seen = isRecord(live.body) && Array.isArray(live.body.sites) ? (live.body.sites as unknown[]) : [];
  for (const s of seen) if (isRecord(s) && typeof s.site === 'string' && !sites.has(s.site)) sites.set(s.site, { id: s.site, name: null, tz: 'UTC', pdus: [], rigs: [] });
  return [...sites.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

export interface ReplayQuery {
  site: string;
  from: number;
  to: number;
  pdu?: string;
  rig?: string;
}

export interface ReplayData {
  stepMs: number;
  resolution: string;
  points: XY[];
}

/** GET /api/replay: the range as chart points (x ms, y kW). */
export async function fetchReplay(q: ReplayQuery, signal?: AbortSignal): Promise<ReplayData> {
  // The server's default of 2000 points: a day is one point a minute, from rollups.
  const params = new URLSearchParams({ site: q.site, from: String(q.from), to: String(q.to) });
  if (q.pdu) params.set('pdu', q.pdu);
  if (q.rig) params.set('rig', q.rig);
  const { body } = await getJson(`/api/replay?${params.toString()}`, signal);
  if (!isRecord(body) || !Array.isArray(body.points) || typeof body.step_ms !== 'number') throw new ApiError('replay answer has no points');
  const points: XY[] = [];
  for (const p of body.points as unknown[]) {
    if (isRecord(p) && typeof p.ts === 'number' && typeof p.power_w === 'number' && Number.isFinite(p.power_w)) points.push({ x: p.ts, y: p.power_w / 1000 });
  }
  return { stepMs: body.step_ms, resolution: String(body.resolution), points };
}

export async function fetchReconciliation(q: { site: string; from: number; to: number }, signal?: AbortSignal): Promise<Reconciliation> {
  const params = new URLSearchParams({ site: q.site, from: String(q.from), to: String(q.to) });
  const { body } = await getJson(`/api/reconcile?${params.toString()}`, signal);
  if (!isRecord(body) || !Array.isArray(body.coverage) || !Array.isArray(body.flags) || !isRecord(body.meter_vs_it) || !isRecord(body.events)) throw new ApiError('reconciliation answer is incomplete');
  return body as unknown as Reconciliation;
}

export interface AuditLogPage {
  entries: AuditEntry[];
  chain: ChainCheck;
}

export async function fetchAuditLog(signal?: AbortSignal): Promise<AuditLogPage> {
  const { body } = await getJson('/api/audit?order=desc&limit=200', signal);
  if (!isRecord(body) || !Array.isArray(body.entries) || !isRecord(body.chain)) throw new ApiError('audit answer is incomplete');
  return body as unknown as AuditLogPage;
}

/** A file the server made, held in the page with its manifest's address, ready to save. */
export interface ExportedFile {
  file: string;
  blob: Blob;
  /** An object URL of the bytes, for the download link (revoke with `release`). */
  url: string;
  bytes: number;
  manifestId: string | null;
  manifestUrl: string | null;
  release(): void;
}

/** Fetches an export; the manifest id comes in X-Kilowatch-Manifest. */
export async function fetchExport(path: string, signal?: AbortSignal): Promise<ExportedFile> {
  const response = await fetch(path, { signal: signal ?? null });
  if (!response.ok) throw new ApiError(await errorOf(path, response));
  const blob = await response.blob();
  const file = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'export';
  const manifestId = response.headers.get('x-kilowatch-manifest');
  const url = URL.createObjectURL(blob);
  return {
    blob,
    file,
    url,
    bytes: blob.size,
    manifestId,
    manifestUrl: manifestId ? `/api/exports/${encodeURIComponent(manifestId)}/manifest` : null,
    release: () => URL.revokeObjectURL(url),
  };
}

/** GET /api/reports/monthly as JSON (itself an export with a manifest). */
export async function fetchMonthlyReport(q: { site: string; month: string }, signal?: AbortSignal): Promise<{ report: MonthlyReport; file: ExportedFile }> {
  const file = await fetchExport(reportPath(q.site, q.month, 'json'), signal);
  const body = JSON.parse(await file.blob.text()) as unknown;
  if (!isRecord(body) || !isRecord(body.consumption) || typeof body.consumption.mwh !== 'number' || !isRecord(body.fleet)) throw new ApiError('report answer is incomplete');
  return { report: body as unknown as MonthlyReport, file };
}

export function reportPath(site: string, month: string, format: 'json' | 'csv' | 'html'): string {
  return `/api/reports/monthly?${new URLSearchParams({ site, month, format }).toString()}`;
}
