/**
 * `--faults reset,glitch,gap=15m,clock-skew=-2m,spike=50000` and `--faults all`: the fault list of the command
 * line. Pure; throws a SyntaxError naming the part it cannot read (the CLI turns it into an option error).
 */
import { FAULT_KINDS, type FaultKind, type FaultRequest } from './types.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** Longest gap or late hold, and the largest clock offset, accepted: a day. */
const MAX_SPAN_MS = 86_400_000;

/** `90s`, `10m`, `1h`, `1500ms` or bare ms; `signed` accepts a leading + or −. */
export function parseDurationMs(text: string, signed: boolean): number {
  const match = /^([+-]?)(\d+)(ms|s|m|h)?$/.exec(text.trim());
  if (!match || (!signed && match[1] !== '')) throw new SyntaxError(`"${text}" is not a duration such as 90s, 10m, 1h or 1500 (ms)`);
  const value = Number(match[2]) * (UNIT_MS[match[3] ?? 'ms'] ?? 1) * (match[1] === '-' ? -1 : 1);
  if (!Number.isSafeInteger(value) || Math.abs(value) > MAX_SPAN_MS) throw new SyntaxError(`"${text}" is longer than a day`);
  return value;
}

/** Parses the comma-separated list; `all` stands for every kind, and a kind may take one parameter. */
export function parseFaultList(text: string): FaultRequest {
  const kinds = new Set<FaultKind>();
  const request: FaultRequest = { kinds: [] };
  for (const raw of text.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const [name = '', param] = part.split('=', 2);
    if (name === 'all' && param === undefined) {
      for (const kind of FAULT_KINDS) kinds.add(kind);
      continue;
    }
    if (!(FAULT_KINDS as readonly string[]).includes(name)) {
      throw new SyntaxError(`unknown fault "${name}": use ${FAULT_KINDS.join(', ')} or all`);
    }
    const kind = name as FaultKind;
    kinds.add(kind);
    if (param !== undefined) applyParam(request, kind, param);
  }
  if (kinds.size === 0) throw new SyntaxError(`no fault named: use ${FAULT_KINDS.join(', ')} or all`);
  // Always in FAULT_KINDS order, so `glitch,reset` and `reset,glitch` give the same seeded plan.
  return { ...request, kinds: FAULT_KINDS.filter((k) => kinds.has(k)) };
}

function applyParam(request: FaultRequest, kind: FaultKind, param: string): void {
  const where = (e: unknown): never => {
    throw new SyntaxError(`${kind}=${param}: ${e instanceof Error ? e.message : String(e)}`);
  };
  try {
    if (kind === 'gap') request.gapMs = positive(parseDurationMs(param, false));
    else if (kind === 'late') request.lateMs = positive(parseDurationMs(param, false));
    else if (kind === 'clock-skew') request.skewMs = nonZero(parseDurationMs(param, true));
    else if (kind === 'spike') request.spikeWh = spikeWh(param);
    else throw new SyntaxError('this fault takes no parameter (gap, late, clock-skew and spike do)');
  } catch (e) {
    where(e);
  }
}

function positive(ms: number): number {
  if (ms <= 0) throw new SyntaxError('must be longer than 0');
  return ms;
}

function nonZero(ms: number): number {
  if (ms === 0) throw new SyntaxError('an offset of 0 is no fault');
  return ms;
}

function spikeWh(text: string): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > 1e12) throw new SyntaxError('must be whole Wh from 1 to 10^12');
  return value;
}
