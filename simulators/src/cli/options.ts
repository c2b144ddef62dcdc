/**
 * The CLI's option parsing and checking: pure functions, so the messages a user sees are unit-tested.
 * Bounds come from the same tables the fleet and the runner enforce.
 */
import { parseDialect } from '../dialects.js';
import { parseFaultList } from '../faults/parse.js';
import type { FaultRequest } from '../faults/types.js';
import { FLEET_LIMITS } from '../layout.js';
import { RUN_LIMITS, type SimulationOptions } from '../run.js';

export class OptionError extends Error {
  override name = 'OptionError';
}

/** What the command line gives after parsing (commander's camelCase names). */
export interface RawCliOptions {
  url: string;
  sites: string;
  rigs: string;
  interval: string;
  seed: string;
  duration?: string;
  outletsPerPdu?: string;
  username?: string;
  password?: string;
  faults?: string;
  faultRate?: string;
  truth?: string;
  from?: string;
  to?: string;
  /** commander's `--no-miners`: true unless given. */
  miners?: boolean;
  maxInFlight?: string;
  dialect?: string;
  fleetOut?: string;
}

export const CLI_DEFAULTS = {
  url: 'mqtt://127.0.0.1:1883',
  sites: '2',
  rigs: '200',
  interval: '1000',
  seed: '42',
} as const;

const BROKER_PROTOCOLS = new Set(['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'tls:', 'ws:', 'wss:']);

/** A whole decimal number in [min, max]; "1e3", "1.5", "-1" and "" are refused with the option's own name. */
export function parseWhole(flag: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new OptionError(`${flag} must be a whole number from ${min} to ${max} (got "${text}")`);
  }
  return value;
}

export function parseBrokerUrl(text: string): string {
  const malformed = new OptionError(`--url must be a broker URL such as mqtt://127.0.0.1:1883 (got "${text}")`);
  // Without "scheme://", `new URL('localhost:1883')` would read "localhost" as the scheme.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) throw malformed;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw malformed;
  }
  if (!BROKER_PROTOCOLS.has(url.protocol)) {
    const allowed = [...BROKER_PROTOCOLS].map((p) => p.slice(0, -1)).join(', ');
    throw new OptionError(`--url must use one of ${allowed} (got "${url.protocol.slice(0, -1)}")`);
  }
  return text;
}

/** Everything startSimulation needs from the command line; throws OptionError with the first problem found. */
export type CliSimulationOptions = Pick<
  SimulationOptions,
  'url' | 'sites' | 'rigs' | 'intervalMs' | 'seed' | 'durationS' | 'outletsPerPdu' | 'mqtt' | 'faults' | 'miners' | 'dialect'
>;

export function toSimulationOptions(raw: RawCliOptions): CliSimulationOptions {
  const options: CliSimulationOptions = {
    url: parseBrokerUrl(raw.url),
    sites: parseWhole('--sites', raw.sites, FLEET_LIMITS.sites.min, FLEET_LIMITS.sites.max),
    rigs: parseWhole('--rigs', raw.rigs, FLEET_LIMITS.rigsPerSite.min, FLEET_LIMITS.rigsPerSite.max),
    intervalMs: parseWhole('--interval', raw.interval, RUN_LIMITS.intervalMs.min, RUN_LIMITS.intervalMs.max),
    seed: parseWhole('--seed', raw.seed, FLEET_LIMITS.seed.min, FLEET_LIMITS.seed.max),
  };
  const total = options.sites * options.rigs;
  if (total > FLEET_LIMITS.totalRigs.max) {
    throw new OptionError(`--sites × --rigs must be at most ${FLEET_LIMITS.totalRigs.max} rigs in all (got ${total})`);
  }
  if (raw.duration !== undefined) {
    options.durationS = parseWhole('--duration', raw.duration, RUN_LIMITS.durationS.min, RUN_LIMITS.durationS.max);
  }
  if (raw.outletsPerPdu !== undefined) {
    const { min, max } = FLEET_LIMITS.outletsPerPdu;
    options.outletsPerPdu = parseWhole('--outlets-per-pdu', raw.outletsPerPdu, min, max);
  }
  if (raw.password !== undefined && raw.username === undefined) {
    throw new OptionError('--password needs --username');
  }
  if (raw.username !== undefined) {
    options.mqtt = { username: raw.username, ...(raw.password !== undefined && { password: raw.password }) };
  }
  const faults = parseFaults(raw);
  if (faults !== undefined) options.faults = faults;
  if (raw.miners === false) options.miners = false;
  if (raw.dialect !== undefined) {
    try {
      options.dialect = parseDialect(raw.dialect);
    } catch (err) {
      throw new OptionError(`--${(err as Error).message}`);
    }
    if (options.faults !== undefined && options.dialect !== 'native') {
      throw new OptionError(`--faults act on native PDU messages only: leave out --dialect ${options.dialect}, or the faults`);
    }
  }
  return options;
}

/** `--faults` and `--fault-rate`; undefined without faults. */
export function parseFaults(raw: Pick<RawCliOptions, 'faults' | 'faultRate'>): FaultRequest | undefined {
  if (raw.faults === undefined) {
    if (raw.faultRate !== undefined) throw new OptionError('--fault-rate needs --faults');
    return undefined;
  }
  let request: FaultRequest;
  try {
    request = parseFaultList(raw.faults);
  } catch (err) {
    throw new OptionError(`--faults: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (raw.faultRate !== undefined) {
    const rate = /^\d+(\.\d+)?$/.test(raw.faultRate.trim()) ? Number(raw.faultRate) : Number.NaN;
    if (!(rate > 0 && rate <= 3600)) throw new OptionError(`--fault-rate must be a number of faults per hour above 0, at most 3600 (got "${raw.faultRate}")`);
    request.ratePerHour = rate;
  }
  return request;
}
