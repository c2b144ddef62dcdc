/**
 * Which run the command line asks for: live (wall-clock ticks) or historical (`--from`), with the truth file.
 * Pure: `now` is passed in (it is `--to`'s default), so every message a user can see is unit-tested.
 */
import { MAX_HISTORY_TICKS, type HistoryOptions } from '../history.js';
import { OptionError, parseWhole, toSimulationOptions, type CliSimulationOptions, type RawCliOptions } from './options.js';

export type CliHistoryOptions = Pick<
  HistoryOptions,
  'url' | 'sites' | 'rigs' | 'intervalMs' | 'seed' | 'outletsPerPdu' | 'mqtt' | 'faults' | 'miners' | 'from' | 'to' | 'maxInFlight' | 'dialect'
>;

/** `fleetOut`: where to write the fleet file the run implies (`--fleet-out`). */
export type CliRun =
  | { mode: 'live'; options: CliSimulationOptions; truthPath?: string; fleetOut?: string }
  | { mode: 'history'; options: CliHistoryOptions; truthPath?: string; fleetOut?: string };

/** The server rejects readings from before 2000 (`bad_ts`: docs/payloads.md). */
const EARLIEST_MS = Date.UTC(2000, 0, 1);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

export function toCliRun(raw: RawCliOptions, now: number): CliRun {
  const truth = {
    ...(raw.truth !== undefined && { truthPath: truthPath(raw.truth) }),
    ...(raw.fleetOut !== undefined && { fleetOut: fleetOutPath(raw.fleetOut) }),
  };
  const live = toSimulationOptions(raw);
  if (raw.from === undefined) {
    if (raw.to !== undefined) throw new OptionError('--to needs --from (historical mode)');
    if (raw.maxInFlight !== undefined) throw new OptionError('--max-in-flight applies to historical mode (--from)');
    if (live.faults?.ratePerHour !== undefined && live.durationS === undefined) {
      throw new OptionError('--fault-rate needs a run with an end: --duration, or historical mode (--from)');
    }
    return { mode: 'live', options: live, ...truth };
  }
  const from = parseTime('--from', raw.from);
  if (raw.to !== undefined && raw.duration !== undefined) throw new OptionError('give --to or --duration, not both');
  const to = raw.to !== undefined ? parseTime('--to', raw.to) : live.durationS !== undefined ? from + live.durationS * 1000 : now;
  if (to <= from) throw new OptionError(`--to must be after --from (got ${iso(from)} … ${iso(to)})`);
  const ticks = Math.ceil((to - from) / live.intervalMs);
  if (ticks > MAX_HISTORY_TICKS) {
    throw new OptionError(`--from … --to is ${ticks} ticks of ${live.intervalMs} ms: at most ${MAX_HISTORY_TICKS} (use a longer --interval)`);
  }
  const { durationS: _unused, ...common } = live;
  const options: CliHistoryOptions = { ...common, from, to };
  if (raw.maxInFlight !== undefined) options.maxInFlight = parseWhole('--max-in-flight', raw.maxInFlight, 1, 100_000);
  return { mode: 'history', options, ...truth };
}

/** Whole ms since the epoch, or ISO 8601 with a zone (`2026-01-01T00:00:00Z`, `…+01:00`) or a date alone (UTC). */
export function parseTime(flag: string, text: string): number {
  const t = text.trim();
  const value = /^\d+$/.test(t) ? Number(t) : ISO_DATE.test(t) ? Date.parse(t) : Number.NaN;
  if (!Number.isSafeInteger(value)) {
    throw new OptionError(`${flag} must be ms since the epoch or an ISO 8601 time with a zone, such as 2026-01-01T00:00:00Z (got "${text}")`);
  }
  if (value < EARLIEST_MS) throw new OptionError(`${flag} must be in 2000 or later: the server rejects older readings (got "${text}")`);
  return value;
}

function truthPath(text: string): string {
  if (text.trim() === '') throw new OptionError('--truth needs a file name');
  return text;
}

function fleetOutPath(text: string): string {
  if (text.trim() === '') throw new OptionError('--fleet-out needs a file name');
  return text;
}

function iso(ts: number): string {
  return new Date(ts).toISOString();
}
