import { ApiError, getJson, isRecord } from './api.js';
import type { GroupEfficiency, Nameplate, Overhead, RigEfficiency, SiteEfficiency } from './contract.js';

/**
 * GET /api/efficiency, checked at the boundary. The field types come from the server's report
 * (server/src/energy/efficiency.ts) through contract.ts, so a renamed or retyped field is a compile
 * error here; the readers below catch what the compiler cannot — an answer that does not match them.
 * Only the fields the site page shows are kept.
 */

export type RigHour = Pick<
  RigEfficiency,
  'rig' | 'pdu' | 'model' | 'kwh' | 'th' | 'jth' | 'drift' | 'note' | 'energy_completeness' | 'hash_completeness'
> & {
  nameplate: Pick<Nameplate, 'model' | 'jth'> | null;
};
export type PduHour = Pick<GroupEfficiency, 'kwh' | 'th' | 'jth' | 'rigs'> & { pdu: string };
export type TotalHour = Pick<
  SiteEfficiency,
  'kwh' | 'th' | 'jth' | 'energy_completeness' | 'hash_completeness' | 'meter_kwh' | 'jth_facility'
>;
export type OverheadHour = Pick<Overhead, 'ratio' | 'meter_kwh' | 'it_kwh'>;

export interface EfficiencyAnswer {
  site: string;
  from: number;
  to: number;
  total: TotalHour;
  overhead: OverheadHour;
  pdus: PduHour[];
  rigs: RigHour[];
  /** Entries of `pdus`/`rigs` left out because they did not match the shape. */
  skipped: number;
}

/** Reads one field: returns it typed, or throws an ApiError naming where it went wrong. */
type Read<T> = (value: unknown, where: string) => T;
type Shape<T> = { readonly [K in keyof T]-?: Read<T[K]> };

function bad(where: string, expected: string): ApiError {
  return new ApiError(`${where} is not ${expected}`);
}

/** Finite only: NaN or Infinity in a figure is as wrong as a string. */
const finite: Read<number> = (v, where) => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  throw bad(where, 'a finite number');
};
const text: Read<string> = (v, where) => {
  if (typeof v === 'string') return v;
  throw bad(where, 'a string');
};
const orNull =
  <T>(read: Read<T>): Read<T | null> =>
  (v, where) =>
    v === null ? null : read(v, where);

/** An object with exactly the keys of `shape` (others the server sends are dropped). */
function object<T>(shape: Shape<T>): Read<T> {
  return (value, where) => {
    if (!isRecord(value)) throw bad(where, 'an object');
    const out: Partial<T> = {};
    for (const key of Object.keys(shape) as (keyof T & string)[]) out[key] = shape[key](value[key], `${where}.${key}`);
    return out as T;
  };
}

const readTotal = object<TotalHour>({
  kwh: finite,
  th: finite,
  jth: orNull(finite),
  energy_completeness: finite,
  hash_completeness: finite,
  meter_kwh: orNull(finite),
  jth_facility: orNull(finite),
});
const readOverhead = object<OverheadHour>({ ratio: orNull(finite), meter_kwh: orNull(finite), it_kwh: finite });
const readPdu = object<PduHour>({ pdu: text, kwh: finite, th: finite, jth: orNull(finite), rigs: finite });
const readRig = object<RigHour>({
  rig: text,
  pdu: orNull(text),
  model: orNull(text),
  kwh: orNull(finite),
  th: finite,
  jth: orNull(finite),
  drift: orNull(finite),
  note: orNull(text),
  energy_completeness: orNull(finite),
  hash_completeness: finite,
  nameplate: orNull(object<Pick<Nameplate, 'model' | 'jth'>>({ model: text, jth: finite })),
});

/** Each entry `read` accepts; the rest are counted, not kept. */
function entries<T>(list: unknown, read: Read<T>, where: string): { kept: T[]; skipped: number } {
  if (!Array.isArray(list)) throw bad(where, 'an array');
  const kept: T[] = [];
  list.forEach((item: unknown, i) => {
    try {
      kept.push(read(item, `${where}[${i}]`));
    } catch {
      // One bad rig must not blank the whole table; the caller reports the count.
    }
  });
  return { kept, skipped: list.length - kept.length };
}

/**
 * Parses the answer. A bad envelope, total or overhead throws an ApiError (nothing on the page can be
 * trusted then); a bad rig or PDU entry is left out and counted in `skipped`.
 */
export function parseEfficiency(body: unknown): EfficiencyAnswer {
  const head = object<Pick<EfficiencyAnswer, 'site' | 'from' | 'to'>>({ site: text, from: finite, to: finite })(body, 'efficiency');
  const record = body as Record<string, unknown>;
  const pdus = entries(record.pdus, readPdu, 'pdus');
  const rigs = entries(record.rigs, readRig, 'rigs');
  return {
    ...head,
    total: readTotal(record.total, 'total'),
    overhead: readOverhead(record.overhead, 'overhead'),
    pdus: pdus.kept,
    rigs: rigs.kept,
    skipped: pdus.skipped + rigs.skipped,
  };
}

export interface EfficiencyQuery {
  site: string;
  from: number;
  to: number;
}

/** GET /api/efficiency for one site over [from, to). An answer about another site is an error. */
export async function fetchEfficiency(query: EfficiencyQuery, signal?: AbortSignal): Promise<EfficiencyAnswer> {
  const params = new URLSearchParams({
    site: query.site,
    from: String(Math.floor(query.from)),
    to: String(Math.ceil(query.to)),
  });
  const answer = parseEfficiency(await getJson(`/api/efficiency?${params.toString()}`, signal));
  if (answer.site !== query.site) throw new ApiError(`efficiency answer is for site ${answer.site}, not ${query.site}`);
  return answer;
}
