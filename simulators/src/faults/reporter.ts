import type { FaultEvent } from './types.js';

/**
 * Hands each event of a fleet's fault log (the truth log) to `onFault` once, as the faults play out. A listener
 * that throws is counted as a run error (`onError`), never stops the run.
 */
export class FaultReporter {
  private reported = 0;

  constructor(
    private readonly log: { faultEvents(): readonly FaultEvent[] },
    private readonly onFault: ((event: FaultEvent) => void) | undefined,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Reports the events logged since the last call. */
  report(): void {
    const events = this.log.faultEvents();
    for (; this.reported < events.length; this.reported++) {
      try {
        this.onFault?.(events[this.reported]!);
      } catch (err) {
        this.onError(err);
      }
    }
  }
}
