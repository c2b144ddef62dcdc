import { ApiError, isRecord } from '../live/api.js';
import type { ComparisonAnswer, DailyAnswer } from '../../../server/src/comparison/types.js';

/**
 * GET /api/comparison and /api/comparison/daily for the energy managers' page. The answer types are the
 * server's own (server/src/comparison/types.ts), imported rather than copied, so a renamed field is a
 * compile error here; the checks below catch an answer that does not match them at all.
 */
export type {
  BillingMonth,
  ComparisonAnswer,
  ComparisonTotals,
  CurtailmentEvent,
  DailyAnswer,
  DayFigures,
  PeriodName,
  SiteComparison,
  SiteDays,
  TouPart,
} from '../../../server/src/comparison/types.js';

/** A refusal the page explains in words (403: the role lacks comparison.read; 400: the period; 503: rollups behind). */
export class ComparisonError extends ApiError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function getAnswer(path: string, signal: AbortSignal): Promise<unknown> {
  const response = await fetch(path, { headers: { accept: 'application/json' }, signal });
  if (!response.ok) {
    let reason = `HTTP ${response.status}`;
    try {
      const body = (await response.json()) as unknown;
      if (isRecord(body) && typeof body.error === 'string') reason = body.error;
    } catch {
      // Not JSON: the status says enough.
    }
    throw new ComparisonError(response.status, reason);
  }
  return (await response.json()) as unknown;
}

function sitesOf(body: unknown, what: string): unknown[] {
  if (!isRecord(body) || !Array.isArray(body.sites)) throw new ApiError(`${what} answer has no sites array`);
  return body.sites as unknown[];
}

export async function fetchComparison(query: string, signal: AbortSignal): Promise<ComparisonAnswer> {
  const body = await getAnswer(`/api/comparison?${query}`, signal);
  sitesOf(body, 'comparison').forEach((s, i) => {
    if (!isRecord(s) || typeof s.site !== 'string' || typeof s.kwh !== 'number' || !isRecord(s.curtailment)) throw new ApiError(`comparison sites[${i}] is not a site's figures`);
  });
  if (!isRecord((body as Record<string, unknown>).totals)) throw new ApiError('comparison answer has no totals');
  return body as ComparisonAnswer;
}

export async function fetchDaily(query: string, signal: AbortSignal): Promise<DailyAnswer> {
  const body = await getAnswer(`/api/comparison/daily?${query}`, signal);
  sitesOf(body, 'daily').forEach((s, i) => {
    if (!isRecord(s) || typeof s.site !== 'string' || !Array.isArray(s.days)) throw new ApiError(`daily sites[${i}] has no days`);
  });
  return body as DailyAnswer;
}
