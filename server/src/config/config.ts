import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DIALECT_NAMES } from '../ingest/dialects/names.js';

/**
 * Every setting, its default and its check, in one place. `.env.example` documents the same keys;
 * keep the two in step. Values come from an optional JSON config file (KILOWATCH_CONFIG), then the
 * environment, which wins.
 */

const port = z.coerce.number({ error: 'must be a port number from 1 to 65535' }).int().min(1).max(65535);
const positiveInt = z.coerce.number({ error: 'must be a whole number' }).int().positive();
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const schema = z.object({
  MQTT_URL: optionalText.refine(
    (v) => v === undefined || /^(mqtts?|wss?|tcp|ssl):\/\//.test(v),
    'must be an mqtt://, mqtts://, ws:// or wss:// URL',
  ),
  MQTT_PORT: port.default(1883),
  MQTT_CLIENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1–64 characters of A-Z a-z 0-9 _ . -')
    .default('kilowatch-ingest'),
  MQTT_USERNAME: optionalText,
  MQTT_PASSWORD: optionalText,
  DIALECTS: z
    .string()
    .default('native')
    .transform((v) => v.split(',').map((d) => d.trim()).filter((d) => d !== ''))
    .refine((names) => names.every((n) => (DIALECT_NAMES as readonly string[]).includes(n)), `must be a comma-separated list of ${DIALECT_NAMES.join(', ')}`),
  DIALECT_OPTIONS_FILE: optionalText,
  MQTT_CA_FILE: optionalText,
  MQTT_CERT_FILE: optionalText,
  MQTT_KEY_FILE: optionalText,
  MQTT_TOPIC_ROOT: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be one topic level of A-Z a-z 0-9 _ . -')
    .default('kilowatch'),
  INFLUX_URL: optionalText.refine(
    (v) => v === undefined || /^https?:\/\//.test(v),
    'must be an http:// or https:// URL',
  ),
  INFLUX_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 characters of A-Z a-z 0-9 _ -')
    .default('kilowatch'),
  INFLUX_USERNAME: optionalText,
  INFLUX_PASSWORD: optionalText,
  DATA_DIR: z.string().min(1).default('./data'),
  FLEET_FILE: optionalText,
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  MQTT_PROTOCOL: z.enum(['5', '3.1.1']).default('5'),
  WRITE_BATCH_SIZE: positiveInt.max(100_000).default(5000),
  WRITE_INTERVAL_MS: positiveInt.max(60_000).default(250),
  SPOOL_MAX_MB: positiveInt.max(1_000_000).default(2048),
  MAX_PAYLOAD_BYTES: positiveInt.max(16 * 1024 * 1024).default(256 * 1024),
  MAX_FUTURE_SKEW_MS: z.coerce.number({ error: 'must be a whole number of ms' }).int().min(0).default(5 * 60_000),
  STALE_AFTER_MS: positiveInt.default(30_000),
  AUTH: z.enum(['auto', 'on']).default('auto'),
  SESSION_TTL_HOURS: positiveInt.max(24 * 90).default(12),
  COOKIE_SECURE: z.enum(['auto', 'always', 'never']).default('auto'),
  LOGIN_ATTEMPTS: positiveInt.max(10_000).default(10),
  TRUST_PROXY: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  KILOWATCH_ADMIN_USER: z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'must be 1–64 characters of A-Z a-z 0-9 _ . @ -').default('admin'),
  KILOWATCH_ADMIN_PASSWORD: optionalText,
  // Alerts (docs/operations.md): where changes are POSTed, how often to try, the signing key, how long to keep them.
  ALERT_WEBHOOK_URL: optionalText.refine((v) => v === undefined || /^https?:\/\//.test(v), 'must be an http:// or https:// URL'),
  ALERT_WEBHOOK_ATTEMPTS: positiveInt.max(100).default(10),
  ALERT_WEBHOOK_SECRET: optionalText,
  ALERT_RETENTION_DAYS: positiveInt.max(3650).default(90),
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Read and check the configuration; throws ConfigError listing every bad key at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const fromFile = env.KILOWATCH_CONFIG ? readConfigFile(env.KILOWATCH_CONFIG) : {};
  const merged: Record<string, unknown> = { ...fromFile };
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined) merged[key] = value;
  }
  return parseConfig(merged);
}

export function parseConfig(values: Record<string, unknown>): Config {
  const result = schema.safeParse(values);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(config)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path} must hold a JSON object of KEY: value`);
  }
  const unknown = Object.keys(parsed).filter((k) => !(k in schema.shape));
  if (unknown.length > 0) throw new ConfigError(`config file ${path}: unknown keys ${unknown.join(', ')}`);
  return parsed as Record<string, unknown>;
}
