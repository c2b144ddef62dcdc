/**
 * Fault injection: the accounting hazards of docs/energy.md on demand, each with a known truth.
 *
 * Faults act on PDU outlets (register faults) and on PDU messages (message faults) only: the outlets are the
 * IT energy series the server's kWh comes from. Miner and facility-meter messages stay clean, so the site's
 * `meter_kwh` and the J/TH hash-work remain a fixed reference while the outlets misbehave.
 */

export const FAULT_KINDS = ['reset', 'glitch', 'rollover', 'spike', 'gap', 'late', 'duplicate', 'reorder', 'clock-skew'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Faults that change one outlet's register; the others change when or how a PDU's messages go out. */
export const REGISTER_FAULTS: ReadonlySet<FaultKind> = new Set<FaultKind>(['reset', 'glitch', 'rollover', 'spike']);

export const FAULT_DEFAULTS = {
  /** A gateway silent for 10 min: longer than the server's 5-min gap limit, so integration cannot bridge it. */
  gapMs: 600_000,
  /** A gateway that buffers 5 min of readings (e.g. a cellular link down) and sends them all at once. */
  lateMs: 300_000,
  /** An RTC 90 s fast: inside the server's 5-min future limit (`MAX_FUTURE_SKEW_MS`). */
  skewMs: 90_000,
  /** 1 MWh: impossible for one outlet over any interval up to an hour (a 20 kW outlet makes 20 kWh in one). */
  spikeWh: 1_000_000,
  /** Where a run has no known end (live, no --duration), faults are placed within its first hour. */
  openWindowMs: 3_600_000,
} as const;

/** A 32-bit Wh register wraps at 2^32 Wh (the `rollover` device). */
export const REGISTER_WRAP_WH = 2 ** 32;

/** The server's defaults the truth refers to (docs/payloads.md `MAX_FUTURE_SKEW_MS`, docs/energy.md `maxGapMs`). */
export const SERVER_FUTURE_LIMIT_MS = 300_000;
export const SERVER_MAX_GAP_MS = 300_000;

/** What a caller asks for; the run supplies the timing (FaultOptions). */
export interface FaultRequest {
  kinds: readonly FaultKind[];
  /** Each listed fault this many times per hour of the run (at least once); needs a run with a known end. */
  ratePerHour?: number;
  gapMs?: number;
  lateMs?: number;
  /** Clock offset of a `clock-skew` device, ms; negative runs its clock behind (see simulators/README.md). */
  skewMs?: number;
  spikeWh?: number;
  /** Exactly these faults instead of a seeded plan (tests, reproducible demos); the rest is ignored. */
  planned?: readonly PlannedFault[];
}

/** The fleet model's fault options: the request plus where the run's ticks fall. */
export interface FaultOptions extends FaultRequest {
  /** The tick interval: faults are placed on ticks and their spans are whole ticks. */
  intervalMs: number;
  /** Faults fall within [from, to). `from` defaults to the first tick; `to` to from + durationMs, else from + 1 h. */
  from?: number;
  to?: number;
  durationMs?: number;
}

/** One fault, placed: on which device, from which tick. Times are true tick times (ms epoch). */
export interface PlannedFault {
  kind: FaultKind;
  /** The first tick at or after `at` is the first reading affected (rollover: when the wrap is expected). */
  at: number;
  site: string;
  pdu: string;
  /** Register faults: the 1-based outlet. */
  outlet?: number;
  /** gap, late: readings with tick times in [at, until) are withheld. */
  until?: number;
  /** clock-skew: the offset added to `ts` from `at` to the end of the run. */
  skewMs?: number;
  /** spike: Wh added to the register in the one spiked reading. */
  spikeWh?: number;
}

/**
 * What one fault did and what the server must make of it: one line of the truth log. Registers are the values
 * published; `counted_wh` is what a correct server counts across the fault's span [from_ts, to_ts] — the true
 * register delta between the readings on either side (Σ over the PDU's outlets for gap and late).
 */
export interface FaultEvent {
  fault: FaultKind;
  /** True time of the first affected reading. */
  at: number;
  site: string;
  pdu: string;
  topic: string;
  outlet?: number;
  rig?: string;
  from_ts?: number;
  to_ts?: number;
  register_before?: number;
  /** The faulted reading's register (glitch 0, spike, the first after a reset or a wrap). */
  register_fault?: number;
  register_after?: number;
  counted_wh?: number;
  /** The docs/energy.md branch that handles it. */
  server_branch: string;
  /** gap, late: tick time at which the device published again; messages and readings withheld. */
  until?: number;
  messages?: number;
  readings?: number;
  skew_ms?: number;
  beyond_future_limit?: boolean;
  wrap_wh?: number;
  /** rollover: what a server that does not know the register width counts instead (its reset branch). */
  counted_without_wrap_wh?: number;
  /** false when the run ended before the fault played out (e.g. stopped inside a gap). */
  complete: boolean;
  note: string;
}
