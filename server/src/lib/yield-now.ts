import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Lets a long computation give the event loop back now and then: a rollup pass over a day of a large site is
 * seconds of arithmetic, and in that time health probes, API answers and MQTT acknowledgements must still run.
 */
export class Yielder {
  private since = performance.now();

  constructor(private readonly everyMs = 20) {}

  /** Resolves at once, or after one turn of the event loop when the last turn was `everyMs` ago. */
  async maybe(): Promise<void> {
    if (performance.now() - this.since < this.everyMs) return;
    await nextTurn();
    this.since = performance.now();
  }
}
