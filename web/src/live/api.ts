import type { XY } from '../lib/live-series.js';
import type { FacilityFrame, SiteFrame } from './contract.js';

/**
 * REST reads (same origin). The server's types for these bodies are not exported the way the socket
 * contract is, so each answer is checked here before use: a malformed answer becomes one clear error
 * at this boundary rather than NaN in a chart.
 */

export interface SeriesQuery {
  from: number;
  to: number;
  stepMs: number;
  /** Omit for the facility total. */
  site?: string;
}

export class ApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function getJson(path: string, signal?: AbortSignal): Promise<unknown> {
  const response = await fetch(path, { headers: { accept: 'application/json' }, signal: signal ?? null });
  if (!response.ok) throw new ApiError(`GET ${path}: HTTP ${response.status}`);
  return (await response.json()) as unknown;
}

/** Parses `{ points: { ts, power_w }[] }` into chart points (x ms, y kW); bad points are skipped. */
export function parseSeriesPoints(body: unknown): XY[] {
  if (!isRecord(body) || !Array.isArray(body.points)) {
    throw new ApiError('series answer has no points array');
  }
  const points: XY[] = [];
  for (const item of body.points as unknown[]) {
    if (!isRecord(item)) continue;
    const { ts, power_w: powerW } = item;
    if (typeof ts !== 'number' || typeof powerW !== 'number') continue;
    if (!Number.isFinite(ts) || !Number.isFinite(powerW)) continue;
    points.push({ x: ts, y: powerW / 1000 });
  }
  return points;
}

/** GET /api/series: mean power per step bucket, as chart points in kW. */
export async function fetchSeries(query: SeriesQuery, signal?: AbortSignal): Promise<XY[]> {
  const params = new URLSearchParams({
    from: String(Math.floor(query.from)),
    to: String(Math.ceil(query.to)),
    step: String(query.stepMs),
  });
  if (query.site !== undefined) params.set('site', query.site);
  return parseSeriesPoints(await getJson(`/api/series?${params.toString()}`, signal));
}

const SITE_NUMBERS = [
  'ts',
  'power_w',
  'kwh_today',
  'hashrate_ths',
  'rigs_online',
  'rigs_offline',
  'pdus_online',
  'pdus_offline',
] as const;
const SITE_NULLABLE = ['meter_power_w', 'pue', 'j_per_th'] as const;

function isSiteFrame(value: unknown): value is SiteFrame {
  if (!isRecord(value) || typeof value.site !== 'string') return false;
  return (
    SITE_NUMBERS.every((key) => typeof value[key] === 'number') &&
    SITE_NULLABLE.every((key) => value[key] === null || typeof value[key] === 'number')
  );
}

/** Parses `{ sites: SiteFrame[] }`; a site that does not match the contract is skipped. */
export function parseSites(body: unknown): SiteFrame[] {
  if (!isRecord(body) || !Array.isArray(body.sites)) throw new ApiError('sites answer has no sites array');
  return (body.sites as unknown[]).filter(isSiteFrame);
}

/**
 * GET /api/sites as a facility frame, so the page has figures before the first socket frame. The
 * facility totals are the sums over sites, as in `facility:frame`.
 */
export async function fetchSitesSnapshot(signal?: AbortSignal): Promise<FacilityFrame | null> {
  const sites = parseSites(await getJson('/api/sites', signal));
  if (sites.length === 0) return null;
  return {
    ts: Math.max(...sites.map((s) => s.ts)),
    power_w: sites.reduce((sum, s) => sum + s.power_w, 0),
    kwh_today: sites.reduce((sum, s) => sum + s.kwh_today, 0),
    sites,
  };
}
