/**
 * Replies of the cgminer-style miner API (TCP 4028, `{"command":"summary"}`), as real firmware sends
 * them: a trailing NUL, `}{` between objects, bare `nan`, `\'` escapes, numbers as strings, and each
 * firmware's own hashrate unit (test/fixtures/miners/, from shared/fixtures/miners/miner-api-notes.md).
 * Pure: text in, figures out, or a MinerReplyError naming what was wrong.
 */

export type MinerReplyProblem = 'not_json' | 'status_error' | 'no_hashrate' | 'not_finite';

export class MinerReplyError extends Error {
  constructor(
    readonly problem: MinerReplyProblem,
    detail: string,
  ) {
    super(`${problem}: ${detail}`);
    this.name = 'MinerReplyError';
  }
}

export interface MinerSummary {
  hashrate_ths: number;
  /** The miner's own clock (`STATUS[0].When`), ms; null when absent. */
  when: number | null;
  /** The field the hashrate came from, e.g. `MHS 1m` — the audit trail of the unit conversion. */
  field: string;
  temp_c?: number;
}

// Hashrate fields by preference, with their unit as a factor to TH/s. Short averages (1–5 min) first:
// 5-second rates are noisy, and `av` (since start) is meaningless right after a restart. Antminer stock
// firmware reports only `GHS 5s` and `GHS av` (GH/s); Braiins OS and Whatsminer report MH/s.
const HASHRATE_FIELDS: readonly [string, number][] = [
  ['MHS 1m', 1e-6],
  ['MHS 5m', 1e-6],
  ['MHS 15m', 1e-6],
  ['GHS 5s', 1e-3],
  ['MHS 5s', 1e-6],
  ['GHS av', 1e-3],
  ['MHS av', 1e-6],
];

export function parseSummary(reply: string): MinerSummary {
  const body = parseLenient(reply);
  const top = (Array.isArray(body.summary) ? body.summary[0] : body) as Record<string, unknown> | undefined;
  const status = (top?.STATUS as Record<string, unknown>[] | undefined)?.[0];
  if (status?.STATUS === 'E') throw new MinerReplyError('status_error', `miner says: ${String(status.Msg ?? 'error')}`);
  const summary = ((top?.SUMMARY ?? top?.STATS) as Record<string, unknown>[] | undefined)?.find((s) => HASHRATE_FIELDS.some(([f]) => f in s));
  if (!summary) throw new MinerReplyError('no_hashrate', 'no SUMMARY with a hashrate field');
  for (const [field, factor] of HASHRATE_FIELDS) {
    if (!(field in summary)) continue;
    const value = toNumber(summary[field]);
    if (value === null) throw new MinerReplyError('not_finite', `${field} is ${JSON.stringify(summary[field])}`);
    const result: MinerSummary = { hashrate_ths: round(value * factor), when: toWhen(status?.When), field };
    const temp = toNumber(summary.Temperature);
    if (temp !== null) result.temp_c = temp;
    return result;
  }
  throw new MinerReplyError('no_hashrate', 'no hashrate field');
}

/** JSON as firmware writes it, repaired only where the repair cannot change a value. */
function parseLenient(reply: string): Record<string, unknown> {
  const text = reply
    .replace(/\0+$/, '')
    .replace(/}\s*{/g, '},{') // old bmminer: missing comma between objects
    .replace(/:\s*-?(nan|inf(inity)?)\b/gi, ':null') // cgminer prints NaN as bare nan
    .replace(/\\'/g, "'"); // Whatsminer: \' is not a JSON escape
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    // `{…}{…}` at the top level became `{…},{…}`: read the objects as one.
    try {
      body = Object.assign({}, ...(JSON.parse(`[${text}]`) as object[]));
    } catch {
      throw new MinerReplyError('not_json', (err as Error).message);
    }
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new MinerReplyError('not_json', 'not a JSON object');
  return body as Record<string, unknown>;
}

function toNumber(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : null;
}

function toWhen(value: unknown): number | null {
  const s = toNumber(value);
  return s !== null && s > 946_684_800 ? s * 1000 : null; // after 2000-01-01: a clock that was set
}

/** 0.01 TH/s, the resolution the native format uses. */
function round(ths: number): number {
  return Math.round(ths * 100) / 100;
}
