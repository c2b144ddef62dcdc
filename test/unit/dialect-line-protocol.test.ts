import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lineProtocolDialect } from '../../server/src/ingest/dialects/line-protocol.js';
import { parseLineProtocol, type FieldValue, type ParsedLine, type Precision } from '../../server/src/ingest/dialects/line-protocol/parser.js';

/**
 * The reference decoder's corpus (influxdata/line-protocol lineprotocol/testdata/corpus.json, non-fuzz
 * decode cases), kept beside the fixture case that uses one of its lines. Only error vs success and the
 * decoded values are compared: error wording is the Go implementation's.
 */
const CORPUS = join(import.meta.dirname, '../fixtures/dialects/line-protocol/corpus-cpu-ignored/line-protocol-cases.tsv');
const NOW = Date.UTC(2026, 0, 1);

interface CorpusCase {
  key: string;
  precision: Precision;
  defaultTime: bigint;
  input: string | Buffer;
  expected: { result?: ExpectedPoint[]; error?: string };
}
interface ExpectedPoint {
  time: string;
  name: string;
  tags: { key: string; value: string }[];
  fields: { key: string; value: Record<string, unknown> }[];
}

function corpus(): CorpusCase[] {
  const lines = readFileSync(CORPUS, 'utf8').split('\n');
  const cases: CorpusCase[] = [];
  for (const line of lines) {
    const [kind, key, , precision, defaultTime, input, expected] = line.split('\t');
    if (kind !== 'decode') continue;
    const raw = JSON.parse(input!) as string | { binary: string };
    // Times and 64-bit integers exceed 2^53: quote them before JSON.parse sees them.
    const exact = expected!.replace(/("(?:time|int|uint)":\s*)(-?\d+)/g, '$1"$2"');
    cases.push({
      key: key!,
      precision: precision === '1ms' ? 'ms' : 'ns',
      defaultTime: BigInt(defaultTime!),
      input: typeof raw === 'string' ? raw : Buffer.from(raw.binary, 'base64'),
      expected: JSON.parse(exact) as CorpusCase['expected'],
    });
  }
  return cases;
}

function render(value: FieldValue): Record<string, unknown> {
  if (value.type === 'int' || value.type === 'uint') return { [value.type]: value.value.toString() };
  return { [value.type]: value.value };
}

function decode(c: CorpusCase): ParsedLine[] | 'error' {
  let text: string;
  try {
    text = typeof c.input === 'string' ? c.input : new TextDecoder('utf-8', { fatal: true }).decode(c.input);
  } catch {
    return 'error';
  }
  const lines = parseLineProtocol(text, c.precision);
  return lines.some((l) => 'error' in l) ? 'error' : lines;
}

describe('line-protocol parser against the reference corpus', () => {
  const cases = corpus();

  it('has the corpus decode cases', () => {
    expect(cases.length).toBe(120);
  });

  for (const c of cases) {
    it(`${c.key}: ${JSON.stringify(c.input).slice(0, 70)}`, () => {
      const got = decode(c);
      if (c.expected.error !== undefined) {
        expect(got).toBe('error');
        return;
      }
      expect(got).not.toBe('error');
      const unit = c.precision === 'ms' ? 1_000_000n : 1n;
      const points = (got as ParsedLine[]).map((l) => {
        const p = (l as Extract<ParsedLine, { point: unknown }>).point;
        return {
          time: (p.time ?? (c.defaultTime / unit) * unit).toString(),
          name: p.measurement,
          tags: [...p.tags].map(([key, value]) => ({ key, value })).sort((a, b) => (a.key < b.key ? -1 : 1)),
          fields: p.fields.map((f) => ({ key: f.key, value: render(f.value) })),
        };
      });
      const expected = c.expected.result!.map((p) => ({ ...p, tags: [...p.tags].sort((a, b) => (a.key < b.key ? -1 : 1)) }));
      expect(points).toEqual(expected);
    });
  }
});

describe('line-protocol parser details', () => {
  it('keeps ns timestamps above 2^53 exact and scales other precisions to ns', () => {
    const [ns] = parseLineProtocol('m v=1 1767225540123456789');
    expect(ns).toEqual({ point: expect.objectContaining({ time: 1767225540123456789n }) });
    const [s] = parseLineProtocol('m v=1 1767225540', 's');
    expect(s).toEqual({ point: expect.objectContaining({ time: 1767225540000000000n }) });
    const [us] = parseLineProtocol('m v=1 1767225540123456', 'us');
    expect(us).toEqual({ point: expect.objectContaining({ time: 1767225540123456000n }) });
  });

  it('rejects a timestamp that overflows int64 ns once scaled', () => {
    expect(parseLineProtocol('m v=1 9223372037', 's')[0]).toHaveProperty('error');
  });

  it('recovers after a bad line and numbers the lines', () => {
    const lines = parseLineProtocol('m v=1\nm v=\nm v=3');
    expect(lines.map((l) => ('error' in l ? `error@${l.line}` : 'ok'))).toEqual(['ok', 'error@2', 'ok']);
  });

  it('keeps a raw newline inside a string field on the same entry', () => {
    const lines = parseLineProtocol('m s="a\nb",v=1 5\nm v=2 6');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({ point: expect.objectContaining({ fields: [{ key: 's', value: { type: 'string', value: 'a\nb' } }, { key: 'v', value: { type: 'float', value: 1, text: '1' } }] }) });
  });
});

describe('line-protocol dialect options', () => {
  const ctx = { now: NOW, maxFutureSkewMs: 300_000 };
  const decode = (dialect: ReturnType<typeof lineProtocolDialect>, topic: string, text: string) => dialect.decode(topic, Buffer.from(text), ctx);

  it('reads timestamps in the configured precision', () => {
    const d = lineProtocolDialect({ precision: 's' });
    expect(decode(d, 'telegraf/h/pdu', 'pdu,host=h power=5 1767225540').readings[0]).toMatchObject({ ts: 1767225540000, power_w: 5 });
  });

  it('uses configured prefixes, measurements, field names and tags', () => {
    const d = lineProtocolDialect({
      topicPrefixes: ['site7/lp'],
      measurements: ['rpdu'],
      fieldNames: { 'Load W': { quantity: 'power_w' }, 'meter MWh': { quantity: 'energy_wh', pow10: 6 }, power: null },
      deviceTags: ['pdu'],
      channelTags: ['socket'],
    });
    expect(d.subscriptions).toEqual(['site7/lp/#']);
    expect(d.matches('telegraf/h/pdu')).toBe(false);
    const out = decode(d, 'site7/lp/x', 'rpdu,pdu=p9,socket=4 load_w=700,meter_mwh=0.001234,power=1 1767225540000000000\npdu,host=h power=5');
    expect(out.readings).toEqual([
      {
        kind: 'outlet', site: 'unassigned', pdu: 'line-protocol.p9', outlet: 4, ts: 1767225540000, power_w: 700, energy_wh: 1234,
        source: { dialect: 'line-protocol', device: 'p9', channel: 4, metric: 'rpdu' },
      },
    ]);
    expect(out.rejects).toEqual([]);
  });

  it('gives an energy-only line the last power of its channel', () => {
    const d = lineProtocolDialect();
    decode(d, 'telegraf/h/pdu', 'pdu,host=h,outlet=2 power_w=640 1767225500000000000');
    const out = decode(d, 'telegraf/h/energy', 'energy,host=h,outlet=2 kwh=10.5 1767225540000000000');
    expect(out.readings).toEqual([expect.objectContaining({ outlet: 2, ts: 1767225540000, power_w: 640, energy_wh: 10500 })]);
  });
});
