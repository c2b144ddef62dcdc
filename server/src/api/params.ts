import { z } from 'zod';
import { ID_PATTERN } from '../domain/ids.js';

/** A point in time as ms epoch digits or an ISO 8601 / RFC 3339 string with a zone. */
export const instant = z.string().transform((value, ctx) => {
  const ms = /^\d{1,16}$/.test(value) ? Number(value) : /\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) {
    ctx.addIssue({ code: 'custom', message: `"${value.slice(0, 40)}" is neither ms since the epoch nor an ISO 8601 time` });
    return z.NEVER;
  }
  return ms;
});

export const id = z.string().regex(ID_PATTERN, 'must be 1–64 characters of A-Z a-z 0-9 _ . -');

/** [from, to) with from < to and at most `maxDays` long. */
export function range<T extends z.ZodRawShape>(extra: T, maxDays: number) {
  return z
    .object({ from: instant, to: instant, ...extra })
    .refine((q) => span(q).from < span(q).to, { message: 'from must be before to', path: ['from'] })
    .refine((q) => span(q).to - span(q).from <= maxDays * 86_400_000, { message: `the range may span at most ${maxDays} days`, path: ['to'] });
}

// zod cannot see through the generic spread that from/to are there; they are, by construction.
function span(q: unknown): { from: number; to: number } {
  return q as { from: number; to: number };
}

/** Parse a query string against a schema; a failure becomes a 400 naming each bad parameter. */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  const result = schema.safeParse(query);
  if (!result.success) {
    const detail = result.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`).join('; ');
    throw new HttpError(400, detail);
  }
  return result.data;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
