import { STEPS } from './quantize.js';

/** Deciwatt-milliseconds in one watt-hour: 3600 s × 1000 ms × 10 dW. */
export const DW_MS_PER_WH = 3600 * 1000 * STEPS.power;

/**
 * A lifetime energy register in integer Wh, as PDUs and meters keep it (NETIO's ENERGY, Shelly's aenergy.total).
 *
 * It integrates the *reported* power exactly: power is an integer count of 0.1 W and time an integer count of ms,
 * so the sum is kept as whole Wh plus an integer remainder of dW·ms — no float accumulation, no drift however
 * long it runs. The register shows floor(exact energy), so it never runs ahead of the power the device reported.
 */
export class EnergyRegister {
  private wh: number;
  /** Energy not yet worth a whole Wh, in dW·ms: 0 ≤ remainder < DW_MS_PER_WH. */
  private remainder = 0;

  constructor(initialWh: number) {
    if (!Number.isSafeInteger(initialWh) || initialWh < 0) {
      throw new RangeError(`initial energy must be a whole number of Wh ≥ 0, got ${initialWh}`);
    }
    this.wh = initialWh;
  }

  /** Adds `powerDw` deciwatts held for `dtMs` milliseconds; both non-negative integers. */
  add(powerDw: number, dtMs: number): void {
    if (!Number.isSafeInteger(powerDw) || powerDw < 0 || !Number.isSafeInteger(dtMs) || dtMs < 0) {
      throw new RangeError(`energy step needs whole dW and ms ≥ 0, got ${powerDw} dW for ${dtMs} ms`);
    }
    if (powerDw === 0 || dtMs === 0) return;
    // Keep every product below 2^53 so the arithmetic stays exact (a MW-scale meter after a long gap).
    const maxChunkMs = Math.max(1, Math.floor(Number.MAX_SAFE_INTEGER / 2 / powerDw));
    for (let left = dtMs; left > 0; ) {
      const chunk = Math.min(left, maxChunkMs);
      const total = this.remainder + powerDw * chunk;
      this.wh += Math.floor(total / DW_MS_PER_WH);
      this.remainder = total % DW_MS_PER_WH;
      left -= chunk;
    }
  }

  /** The register as reported: whole Wh. */
  get totalWh(): number {
    return this.wh;
  }
}
