import { readFileSync } from 'node:fs';
import { ConfigError } from '../../config/config.js';
import type { DialectOptions } from './index.js';

const SECTIONS = ['tasmota', 'shellyGen1', 'shellyGen2', 'sparkplug', 'lineProtocol'] as const;

/**
 * DIALECT_OPTIONS_FILE: per-dialect settings as JSON (docs/dialects.md) — Tasmota devices' UTC
 * offsets or zones, Sparkplug metric names, line-protocol measurement and field maps, Shelly prefixes.
 * Each dialect checks its own section when it is built and refuses bad values at start-up.
 */
export function readDialectOptions(path: string | undefined): Omit<DialectOptions, 'topicRoot'> {
  if (!path) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`DIALECT_OPTIONS_FILE ${path}: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError(`DIALECT_OPTIONS_FILE ${path} must hold a JSON object`);
  const unknown = Object.keys(parsed).filter((k) => !(SECTIONS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new ConfigError(`DIALECT_OPTIONS_FILE ${path}: unknown sections ${unknown.join(', ')}; known: ${SECTIONS.join(', ')}`);
  return parsed as Omit<DialectOptions, 'topicRoot'>;
}
