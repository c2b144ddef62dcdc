/**
 * All faults of one PDU: its outlets' registers (registers.ts) and its messages.
 *
 *   gap         readings with tick times in [at, until) are never sent; the registers go on counting, so the
 *               first reading after the gap carries everything (the server's "gap, register" branch).
 *   late        readings in [at, until) are held back, then sent oldest first, with their own timestamps, just
 *               before the first reading at or after `until`.
 *   duplicate   the reading at `at` is sent twice in a row (a QoS 1 redelivery).
 *   reorder     the reading at `at` is sent after the next one.
 *   clock-skew  from `at` to the end of the run, `ts` is the true tick time + skewMs (an RTC that jumped).
 */
import type { OutletSample } from '../devices/pdu.js';
import type { SimMessage } from '../fleet.js';
import { RegisterFaults, iso, type PduRef } from './registers.js';
import { REGISTER_FAULTS, SERVER_FUTURE_LIMIT_MS, type FaultEvent, type PlannedFault } from './types.js';

export type PduEncoder = (ts: number, outlets: readonly OutletSample[]) => string;

interface Withholding {
  fault: PlannedFault;
  /** Tick time of the first reading held. */
  first: number;
  /** The reading before it, and the Σ of the PDU's true registers then. */
  fromTs: number | undefined;
  cleanBefore: number | undefined;
  /** late only: the messages to send later (a gap's are lost for good). */
  messages: SimMessage[];
  count: number;
  readings: number;
}

export class PduFaults {
  private readonly queue: PlannedFault[];
  private next = 0;
  private readonly registers: RegisterFaults;
  private skewMs = 0;
  private gap: Withholding | undefined;
  private late: Withholding | undefined;
  private reordered: { fault: PlannedFault; message: SimMessage; ts: number } | undefined;
  private lastTs: number | undefined;
  private lastRegisters: number[] = [];
  private lastCleanSum: number | undefined;
  /** True registers at the last reading before the clock jumped (truth.ts reports them). */
  skewBase: { ts: number; skewMs: number; registers: number[] } | undefined;

  constructor(
    readonly ref: PduRef,
    faults: readonly PlannedFault[],
    private readonly emit: (event: FaultEvent) => void,
  ) {
    this.queue = [...faults].sort((a, b) => a.at - b.at);
    this.registers = new RegisterFaults(ref, this.queue.filter((f) => REGISTER_FAULTS.has(f.kind)), emit);
  }

  /** This PDU's messages for the tick at `ts` (none, one, or several), given its true outlet samples. */
  tick(ts: number, outlets: readonly OutletSample[], encode: PduEncoder): SimMessage[] {
    const due: PlannedFault[] = [];
    while (this.next < this.queue.length && (this.queue[this.next] as PlannedFault).at <= ts) due.push(this.queue[this.next++] as PlannedFault);
    const published = this.registers.apply(ts, outlets, due.filter((f) => REGISTER_FAULTS.has(f.kind)));
    for (const fault of due) if (fault.kind === 'clock-skew') this.startSkew(fault, ts);
    const cleanSum = outlets.reduce((sum, o) => sum + o.energyWh, 0);
    const message: SimMessage = { topic: this.ref.topic, payload: encode(ts + this.skewMs, published), readings: outlets.length };
    const out = this.route(ts, message, due, cleanSum);
    this.lastRegisters = outlets.map((o) => o.energyWh);
    this.lastTs = ts;
    this.lastCleanSum = cleanSum;
    return out;
  }

  /** The run ended: whatever is still held goes out now, and unfinished faults are logged as such. */
  flush(): SimMessage[] {
    const out: SimMessage[] = [];
    if (this.reordered) out.push(...this.endReorder(undefined));
    if (this.late) out.push(...this.endLate(undefined));
    if (this.gap) this.endGap(undefined, undefined);
    this.registers.flush();
    return out;
  }

  private route(ts: number, message: SimMessage, due: readonly PlannedFault[], cleanSum: number): SimMessage[] {
    const out: SimMessage[] = [];
    if (this.gap && ts >= (this.gap.fault.until ?? ts)) this.endGap(ts, cleanSum);
    if (this.late && ts >= (this.late.fault.until ?? ts)) out.push(...this.endLate(ts));
    let current: SimMessage | undefined = message;
    if (this.reordered) {
      out.push(...this.endReorder({ message, ts }));
      current = undefined;
    }
    for (const fault of due) {
      if (fault.kind === 'gap') this.gap = this.withhold(fault, ts);
      else if (fault.kind === 'late') this.late = this.withhold(fault, ts);
      else if (fault.kind === 'reorder' && current) {
        this.reordered = { fault, message: current, ts };
        current = undefined;
      } else if (fault.kind === 'duplicate' && current) {
        out.push(current);
        this.emit({ ...this.base(fault, ts), messages: 2, readings: 2 * current.readings, server_branch: 'out of order / duplicates', complete: true,
          note: 'the same message twice in a row: the server stores it once and counts it once (the second copy is a duplicate)' });
      }
    }
    if (current === undefined) return out;
    const held = this.gap ?? this.late;
    if (held) {
      held.count += 1;
      held.readings += current.readings;
      if (held === this.late) held.messages.push(current);
    } else {
      out.push(current);
    }
    return out;
  }

  private withhold(fault: PlannedFault, ts: number): Withholding {
    return { fault, first: ts, fromTs: this.lastTs, cleanBefore: this.lastCleanSum, messages: [], count: 0, readings: 0 };
  }

  private endGap(ts: number | undefined, cleanSum: number | undefined): void {
    const gap = this.gap as Withholding;
    this.gap = undefined;
    const counted = cleanSum === undefined || gap.cleanBefore === undefined ? undefined : cleanSum - gap.cleanBefore;
    const messages = gap.count;
    this.emit({
      ...this.base(gap.fault, gap.first),
      ...(gap.fromTs !== undefined && { from_ts: gap.fromTs }),
      ...(ts !== undefined && { to_ts: ts, until: ts }),
      ...(counted !== undefined && { counted_wh: counted }),
      messages,
      readings: gap.readings,
      server_branch: 'gap, register',
      complete: ts !== undefined,
      note: ts === undefined
        ? `silent since ${iso(gap.first)}; the run ended inside the gap`
        : `silent for ${(ts - (gap.fromTs ?? gap.first)) / 1000} s between readings (${messages} messages never sent); the registers kept counting, so the server counts the ${counted} Wh across the gap exactly (Σ over the ${this.ref.outlets.length} outlets) and lists the gap`,
    });
  }

  private endLate(ts: number | undefined): SimMessage[] {
    const late = this.late as Withholding;
    this.late = undefined;
    this.emit({
      ...this.base(late.fault, late.first),
      ...(ts !== undefined && { until: ts }),
      messages: late.messages.length,
      readings: late.readings,
      server_branch: 'out of order / duplicates',
      complete: true,
      note: `${late.messages.length} messages held back, then sent ${ts === undefined ? 'when the run stopped' : `at ${iso(ts)}`} with their original timestamps: the server sorts by ts; nothing changes in the energy`,
    });
    return late.messages;
  }

  private endReorder(now: { message: SimMessage; ts: number } | undefined): SimMessage[] {
    const held = this.reordered!;
    this.reordered = undefined;
    this.emit({
      ...this.base(held.fault, held.ts),
      ...(now !== undefined && { to_ts: now.ts }),
      messages: now === undefined ? 1 : 2,
      server_branch: 'out of order / duplicates',
      complete: now !== undefined,
      note: now === undefined
        ? 'held back to be sent after the next reading; the run stopped first, so it went out last'
        : `sent after the reading of ${iso(now.ts)}: the server sorts by ts; nothing changes in the energy`,
    });
    return now === undefined ? [held.message] : [now.message, held.message];
  }

  private startSkew(fault: PlannedFault, ts: number): void {
    const skew = fault.skewMs ?? 0;
    this.skewMs = skew;
    this.skewBase = { ts: this.lastTs ?? ts, skewMs: skew, registers: this.lastRegisters };
    const beyond = skew > SERVER_FUTURE_LIMIT_MS;
    const note = beyond
      ? `timestamps run ${skew / 1000} s ahead from here on: more than the server's ${SERVER_FUTURE_LIMIT_MS / 1000} s future limit, so in a live run it rejects every later reading of this PDU (future_ts) and its outlets' energy stops at the previous reading (wh_before_skew in the outlet truth)`
      : skew < 0
        ? `timestamps run ${-skew / 1000} s behind from here on: the next readings carry times the PDU has already reported; where they land on the same ts the server keeps one of the two, so the outlets' energy near the jump is not guaranteed`
        : `timestamps run ${skew / 1000} s ahead from here on (within the server's ${SERVER_FUTURE_LIMIT_MS / 1000} s future limit): the interval across the jump is ${skew / 1000} s longer; the energy is unchanged, but every later reading is filed ${skew / 1000} s after its true time`;
    this.emit({ ...this.base(fault, ts), ...(this.lastTs !== undefined && { from_ts: this.lastTs }), skew_ms: skew, beyond_future_limit: beyond,
      server_branch: beyond ? 'rejected (future_ts)' : 'normal', complete: true, note });
  }

  private base(fault: PlannedFault, at: number): Pick<FaultEvent, 'fault' | 'at' | 'site' | 'pdu' | 'topic'> {
    return { fault: fault.kind, at, site: this.ref.site, pdu: this.ref.pdu, topic: this.ref.topic };
  }
}
