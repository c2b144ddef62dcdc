/**
 * InfluxDB line protocol, decoded the way the reference decoder does (influxdata/line-protocol v2
 * `lineprotocol` package; its corpus runs in test/unit/dialect-line-protocol.test.ts):
 *   <measurement>[,<tag>=<value>...] <field>=<value>[,<field>=<value>...] [<timestamp>]
 * - measurement: ends at an unescaped `,` or space; escapes `\,` `\ ` only.
 * - tag keys and values, field keys: end at `,` `=` space; escapes `\,` `\=` `\ ` only. Any other
 *   backslash stays literal: `eas\\ t` is `eas\ t` (the first `\` escapes nothing).
 * - string field values: `\"` `\\` `\n` `\r` `\t` are escapes; a raw newline is allowed inside.
 * - numbers: float by default (`42` is a float), `i` int64, `u` uint64; both kept as exact bigint.
 * - timestamp: int64 in the configured precision, kept in ns as a bigint (a ns epoch is above 2^53).
 * - `#` starts a comment line; blank lines are skipped; `\r\n` ends a line like `\n`.
 * Every line stands alone: a syntax error rejects that line, and decoding goes on with the next.
 */
export type Precision = 'ns' | 'us' | 'ms' | 's';

export type FieldValue =
  | { type: 'float'; value: number; text: string }
  | { type: 'int' | 'uint'; value: bigint }
  | { type: 'string'; value: string }
  | { type: 'bool'; value: boolean };

export interface Point {
  measurement: string;
  tags: Map<string, string>;
  fields: { key: string; value: FieldValue }[];
  /** Nanoseconds since the epoch; undefined when the line has none. */
  time?: bigint;
}

export type ParsedLine = { point: Point } | { error: string; line: number };

const NS_PER: Readonly<Record<Precision, bigint>> = { ns: 1n, us: 1_000n, ms: 1_000_000n, s: 1_000_000_000n };
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const FLOAT = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BOOLS: Readonly<Record<string, boolean>> = { t: true, T: true, true: true, True: true, TRUE: true, f: false, F: false, false: false, False: false, FALSE: false };

class SyntaxErr extends Error {}

const isNonPrintable = (c: string) => c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127;
const isWhitespace = (c: string | undefined) => c === ' ' || c === '\r' || c === '\n';
const MEASUREMENT_ESCAPES = ' ,';
const KEY_ESCAPES = ',= ';
const STRING_ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', n: '\n', r: '\r', t: '\t' };

export function parseLineProtocol(text: string, precision: Precision = 'ns'): ParsedLine[] {
  const c = new Cursor(text);
  const lines: ParsedLine[] = [];
  for (;;) {
    const commentError = c.skipBlankLines();
    if (c.done()) break;
    const line = c.line;
    try {
      if (commentError) throw new SyntaxErr('invalid character in comment');
      lines.push({ point: parseEntry(c, precision) });
    } catch (err) {
      if (!(err instanceof SyntaxErr)) throw err;
      lines.push({ error: `line ${line}: ${err.message}`, line });
      c.skipLine();
    }
  }
  return lines;
}

function parseEntry(c: Cursor, precision: Precision): Point {
  const measurement = c.takeEscaped((ch) => ch !== ',' && ch !== ' ' && !isNonPrintable(ch), MEASUREMENT_ESCAPES);
  if (measurement === '') throw new SyntaxErr('no measurement name');
  const tags = new Map<string, string>();
  while (c.peek() === ',') {
    c.advance();
    if (c.done() || isWhitespace(c.peek())) throw new SyntaxErr('expected tag key after comma');
    const [key, value] = parseKeyValue(c, 'tag');
    if (tags.has(key)) throw new SyntaxErr(`duplicate tag key "${key}"`);
    tags.set(key, value);
  }
  if (c.peek() !== ' ') throw new SyntaxErr('expected a space and fields after the measurement and tags');
  c.skipSpaces();
  const fields = parseFields(c);
  const time = c.atLineEnd() ? undefined : parseTime(c, precision);
  c.takeLineEnd();
  return { measurement, tags, fields, ...(time === undefined ? {} : { time }) };
}

const keyChar = (ch: string) => ch !== ',' && ch !== '=' && !isWhitespace(ch) && !isNonPrintable(ch);

function parseKeyValue(c: Cursor, what: string): [string, string] {
  const key = c.takeEscaped(keyChar, KEY_ESCAPES);
  if (key === '' || c.peek() !== '=') throw new SyntaxErr(`expected ${what} key=value`);
  c.advance();
  const value = c.takeEscaped(keyChar, KEY_ESCAPES);
  if (value === '') throw new SyntaxErr(`expected ${what} value after key "${key}"`);
  return [key, value];
}

/** Fields, up to and including the spaces before the timestamp (or the end of the line). */
function parseFields(c: Cursor): Point['fields'] {
  const fields: Point['fields'] = [];
  for (;;) {
    const key = c.takeEscaped(keyChar, KEY_ESCAPES);
    if (key === '') throw new SyntaxErr('expected field key');
    if (c.peek() !== '=') throw new SyntaxErr(`want '=' after field key "${key}"`);
    c.advance();
    fields.push({ key, value: parseFieldValue(c, key) });
    const next = c.peek();
    if (next === ',') {
      c.advance();
      continue;
    }
    if (next !== undefined && !isWhitespace(next)) throw new SyntaxErr(`unexpected character after field "${key}"`);
    c.skipSpaces();
    return fields;
  }
}

function parseFieldValue(c: Cursor, key: string): FieldValue {
  const first = c.peek();
  if (first === '"') {
    c.advance();
    return { type: 'string', value: c.takeString() };
  }
  const token = c.take((ch) => ch !== ',' && !isWhitespace(ch));
  if (first !== undefined && 'tTfF'.includes(first)) {
    if (!(token in BOOLS)) throw new SyntaxErr(`invalid boolean for field "${key}"`);
    return { type: 'bool', value: BOOLS[token]! };
  }
  if (first === undefined || !'-0123456789.'.includes(first)) throw new SyntaxErr(`value for field "${key}" has unrecognized type`);
  const suffix = token[token.length - 1];
  if (suffix === 'i' || suffix === 'u') return { type: suffix === 'i' ? 'int' : 'uint', value: parseInteger(token.slice(0, -1), suffix, key) };
  if (!FLOAT.test(token)) throw new SyntaxErr(`invalid float for field "${key}"`);
  const value = Number(token);
  if (!Number.isFinite(value)) throw new SyntaxErr(`float for field "${key}" is out of range`);
  return { type: 'float', value, text: token };
}

function parseInteger(digits: string, suffix: 'i' | 'u', key: string): bigint {
  if (!(suffix === 'i' ? /^-?\d+$/ : /^\d+$/).test(digits)) throw new SyntaxErr(`invalid integer for field "${key}"`);
  const value = BigInt(digits);
  const [min, max] = suffix === 'i' ? [INT64_MIN, INT64_MAX] : [0n, UINT64_MAX];
  if (value < min || value > max) throw new SyntaxErr(`integer for field "${key}" is out of range`);
  return value;
}

function parseTime(c: Cursor, precision: Precision): bigint {
  const digits = c.take((ch) => ch === '-' || (ch >= '0' && ch <= '9'));
  if (!c.done() && !isWhitespace(c.peek())) throw new SyntaxErr('invalid timestamp');
  c.skipSpaces();
  if (!c.atLineEnd()) throw new SyntaxErr('unexpected text after timestamp');
  if (!/^-?\d+$/.test(digits)) throw new SyntaxErr('invalid timestamp');
  const ns = BigInt(digits) * NS_PER[precision];
  if (BigInt(digits) < INT64_MIN || BigInt(digits) > INT64_MAX || ns < INT64_MIN || ns > INT64_MAX) throw new SyntaxErr('timestamp out of range');
  return ns;
}

class Cursor {
  pos = 0;
  line = 1;

  constructor(private readonly s: string) {}

  done(): boolean {
    return this.pos >= this.s.length;
  }

  peek(): string | undefined {
    return this.s[this.pos];
  }

  advance(): void {
    this.pos += 1;
  }

  take(accept: (ch: string) => boolean): string {
    const start = this.pos;
    while (!this.done() && accept(this.s[this.pos]!)) this.pos += 1;
    return this.s.slice(start, this.pos);
  }

  /** Characters in the set, where `\x` stands for x if x is escapable; a backslash before anything else is literal. */
  takeEscaped(accept: (ch: string) => boolean, escapable: string): string {
    let out = '';
    while (!this.done()) {
      const ch = this.s[this.pos]!;
      const next = this.s[this.pos + 1];
      if (ch === '\\' && next !== undefined && escapable.includes(next)) {
        out += next;
        this.pos += 2;
      } else if (ch === '\\' || accept(ch)) {
        out += ch;
        this.pos += 1;
      } else break;
    }
    return out;
  }

  /** A string field's contents after the opening quote, through the closing quote. */
  takeString(): string {
    let out = '';
    while (!this.done()) {
      const ch = this.s[this.pos]!;
      const escaped = ch === '\\' ? STRING_ESCAPES[this.s[this.pos + 1] ?? ''] : undefined;
      if (escaped !== undefined) {
        out += escaped;
        this.pos += 2;
        continue;
      }
      this.pos += 1;
      if (ch === '"') return out;
      if (ch === '\n') this.line += 1;
      out += ch;
    }
    throw new SyntaxErr('string field has no closing quote');
  }

  skipSpaces(): void {
    while (this.peek() === ' ') this.pos += 1;
  }

  atLineEnd(): boolean {
    const ch = this.peek();
    return ch === undefined || ch === '\n' || (ch === '\r' && (this.s[this.pos + 1] ?? '\n') === '\n');
  }

  takeLineEnd(): void {
    if (this.peek() === '\r') this.pos += 1;
    if (this.peek() === '\n') {
      this.pos += 1;
      this.line += 1;
    }
  }

  /** Error recovery: drop the rest of the line. */
  skipLine(): void {
    while (!this.done() && this.peek() !== '\n') this.pos += 1;
    this.takeLineEnd();
  }

  /** Blank lines, leading spaces and comments. Returns true when a comment holds control characters. */
  skipBlankLines(): boolean {
    for (;;) {
      this.skipSpaces();
      if (this.peek() === '#') {
        while (!this.done() && !this.atLineEnd() && !isNonPrintable(this.peek()!)) this.pos += 1;
        if (!this.atLineEnd()) return true;
        this.takeLineEnd();
      } else if (this.atLineEnd() && !this.done()) {
        this.takeLineEnd();
      } else {
        return false;
      }
    }
  }
}
