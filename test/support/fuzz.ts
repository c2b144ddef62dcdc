import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../../simulators/src/prng.js';

/** Deterministic PRNG (the simulators' mulberry32), so a failure names a seed that reproduces it. */
export const rng = mulberry32;

const ODD_VALUES: unknown[] = [null, true, 'x', '', 'nan', 'NaN', '-Infinity', -1, 0, 1e400, -1e400, -0, 2 ** 60, 1.5, -5e9, 1e15, [], [null], {}, { a: [1] }, [1, 2, 3, 4], '2025-01-01T00:00:00', 0, 4102444800000];

/** Replace random leaves (and whole subtrees) of a JSON value by odd values: the shapes that crash decoders. */
export function mutateJson(value: unknown, next: () => number): unknown {
  if (next() < 0.15) return ODD_VALUES[Math.floor(next() * ODD_VALUES.length)];
  if (Array.isArray(value)) return value.map((v) => mutateJson(v, next));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mutateJson(v, next)]));
  return value;
}

/** A few random bytes changed, and now and then the payload cut short. */
export function mutateBytes(input: Buffer, next: () => number): Buffer {
  const out = Buffer.from(input);
  const edits = 1 + Math.floor(next() * 4);
  for (let i = 0; i < edits && out.length > 0; i++) out[Math.floor(next() * out.length)] = Math.floor(next() * 256);
  return next() < 0.3 ? out.subarray(0, Math.floor(next() * out.length)) : out;
}

export interface FixtureCase {
  dialect: string;
  name: string;
  topic: string;
  input: Buffer;
}

/** Every fixture case of every dialect (test/fixtures/dialects/<dialect>/<case>/). */
export function fixtureCases(root: string): FixtureCase[] {
  return readdirSync(root).flatMap((dialect) =>
    readdirSync(join(root, dialect)).map((name) => ({
      dialect,
      name,
      topic: readFileSync(join(root, dialect, name, 'topic'), 'utf8').trim(),
      input: readFileSync(join(root, dialect, name, 'input')),
    })),
  );
}

/** One adversarial message: a mutated real payload, or one of the classic attacks. */
export function adversarial(cases: readonly FixtureCase[], next: () => number, maxPayloadBytes: number): { topic: string; payload: Buffer } {
  const c = cases[Math.floor(next() * cases.length)]!;
  const roll = next();
  if (roll < 0.35) {
    let json: unknown;
    try {
      json = JSON.parse(c.input.toString('utf8'));
    } catch {
      return { topic: c.topic, payload: mutateBytes(c.input, next) };
    }
    return { topic: c.topic, payload: Buffer.from(JSON.stringify(mutateJson(json, next))) };
  }
  if (roll < 0.6) return { topic: c.topic, payload: mutateBytes(c.input, next) };
  if (roll < 0.68) return { topic: c.topic, payload: randomBytes(next, 1 + Math.floor(next() * 512)) };
  if (roll < 0.72) return { topic: c.topic, payload: Buffer.from(`${'['.repeat(20_000)}${']'.repeat(next() < 0.5 ? 20_000 : 3)}`) };
  if (roll < 0.74) return { topic: c.topic, payload: Buffer.alloc(maxPayloadBytes + 1 + Math.floor(next() * 1000), 0x7b) };
  if (roll < 0.80) return { topic: c.topic, payload: Buffer.concat([c.input.subarray(0, 10), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), c.input.subarray(10)]) };
  if (roll < 0.86) return { topic: injectedTopic(c.topic, next), payload: c.input };
  if (roll < 0.92) return { topic: 'kilowatch/fuzz-site/pdu/p1', payload: Buffer.from(JSON.stringify({ ts: [0, 1e3, 4102444800000, -1, 2 ** 60][Math.floor(next() * 5)], outlets: [{ outlet: 1, power_w: [-1, 1e12, Number.MAX_VALUE, 0.5][Math.floor(next() * 4)] }] })) };
  return { topic: 'telegraf/fuzz/pdu', payload: Buffer.from(['pdu,host=a\\ b\\,c\\=d,outlet=1 power_w=1 1767225600000000000', 'pdu,host=a power_w="1" 1', 'pdu,host= power_w=1i', 'pdu power_w=1u 99999999999999999999', 'p\\\\,\\ =x power_w=1', ',host=x power_w=1', 'pdu,host=x power_w=t'][Math.floor(next() * 7)]!) };
}

function randomBytes(next: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(next() * 256);
  return b;
}

/** Topics a hostile device might try: traversal, empty levels, over-long ids, odd characters, extra levels. */
function injectedTopic(topic: string, next: () => number): string {
  const tricks = [
    (t: string) => `${t}/../../x`,
    (t: string) => t.replace(/\/[^/]+/, '//'),
    (t: string) => t.replace(/\/([^/]+)/, `/${'a'.repeat(300)}`),
    (t: string) => t.replace(/\/([^/]+)/, '/sité ✓'),
    (t: string) => `${t}/extra/levels`,
    (t: string) => `${t}/status`,
  ];
  return tricks[Math.floor(next() * tricks.length)]!(topic);
}
