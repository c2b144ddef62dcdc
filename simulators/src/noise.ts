import { gaussian, type Random } from './prng.js';

/**
 * Mean-reverting noise (an Ornstein–Uhlenbeck process, sampled exactly). Its spread does not depend on the tick
 * interval: a 1 s and a 10 s simulation of the same rig wander by the same few percent, and the correlation time
 * `tauMs` keeps successive readings close, as a real PSU or hashboard does.
 */
export class SmoothNoise {
  private value: number;

  /** @param sigma stationary standard deviation; @param tauMs correlation time in ms */
  constructor(
    private readonly rand: Random,
    private readonly sigma: number,
    private readonly tauMs: number,
  ) {
    this.value = sigma * gaussian(rand);
  }

  /** Coefficients for the last step length: ticks are usually evenly spaced, and exp() per rig adds up. */
  private cachedDt = Number.NaN;
  private keep = 1;
  private spread = 0;

  /** Advances by `dtMs` (≥ 0) and returns the new value. */
  step(dtMs: number): number {
    if (dtMs !== this.cachedDt) {
      this.cachedDt = dtMs;
      this.keep = Math.exp(-dtMs / this.tauMs);
      this.spread = this.sigma * Math.sqrt(1 - this.keep * this.keep);
    }
    this.value = this.value * this.keep + this.spread * gaussian(this.rand);
    return this.value;
  }

  get current(): number {
    return this.value;
  }
}

/**
 * A two-state on/off process with exponential dwell times: the chance of a switch in `dtMs` is 1 − e^(−dt/mean),
 * so the fraction of time spent off is independent of how often we look.
 */
export class OnOffProcess {
  constructor(
    private readonly rand: Random,
    private on: boolean,
    private readonly meanOnMs: number,
    private readonly meanOffMs: number,
  ) {}

  step(dtMs: number): boolean {
    const mean = this.on ? this.meanOnMs : this.meanOffMs;
    if (this.rand() < 1 - Math.exp(-dtMs / mean)) this.on = !this.on;
    return this.on;
  }

  get isOn(): boolean {
    return this.on;
  }
}
