import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };

/**
 * JSON lines (for log shippers) by default; `pretty` prints one readable line per entry for the demo
 * and a terminal: time, level, message, then the entry's fields as key=value.
 */
export function createLogger(level: string, format: 'json' | 'pretty'): Logger {
  if (format === 'json') return pino({ level });
  const pretty = new Writable({
    write(chunk: Buffer, _encoding, done) {
      process.stdout.write(prettyLine(chunk.toString()));
      done();
    },
  });
  return pino({ level }, pretty);
}

export function prettyLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { time, level, msg, pid: _pid, hostname: _host, ...fields } = entry;
  const clock = new Date(Number(time)).toISOString().slice(11, 19);
  const extra = Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${clock} ${LEVELS[Number(level)] ?? level} ${String(msg ?? '')}${extra ? `  ${extra}` : ''}\n`;
}
