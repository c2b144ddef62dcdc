import type { RigPlan } from '../layout.js';
import type { AsicModel } from '../models.js';
import { OnOffProcess, SmoothNoise } from '../noise.js';
import { gaussian, streamFor, uniform, type Random } from '../prng.js';
import { toSteps } from '../quantize.js';

/** A rig's reading at one tick, as integer counts of the v1 reporting steps (see quantize.ts). */
export interface RigReading {
  on: boolean;
  /** Wall power, 0.1 W. */
  powerDw: number;
  /** Hashrate, 0.01 TH/s. */
  hashrateSteps: number;
  /** Board temperature, 0.1 °C. */
  tempSteps: number;
  /** Power factor, 0.001; 0 when the rig draws nothing. */
  pfSteps: number;
}

/**
 * Behaviour constants. Wall power varies by about ±5 % with firmware, autotune and ambient temperature
 * (pdu-facts.md §2, [S10]); the hashrate bin is ±3 % on Bitmain's nameplates (asic-specs.csv, S19 Pro / S21 XP rows).
 */
const UNIT_POWER_SD = 0.02; // unit-to-unit spread of wall power, clamped to ±5 %
const UNIT_EFFICIENCY_SD = 0.015; // unit-to-unit spread of TH per W, clamped to ±4 %
const POWER_NOISE = { sd: 0.006, tauMs: 30_000 };
const HASH_NOISE = { sd: 0.015, tauMs: 20_000 }; // a 5 s hashrate is much noisier than the wall power
const TEMP_NOISE = { sd: 0.4, tauMs: 60_000 };
const PF_NOISE = { sd: 0.001, tauMs: 60_000 };
/** APW-class PSUs have active PFC: 0.98–0.99+ at full load. */
const PF_RANGE = [0.985, 0.996] as const;
const RUN_TEMP_C = [60, 72] as const;
const AMBIENT_C = 27;
const THERMAL_TAU_MS = 180_000;
/** Dwell times: 12 h hashing, then a 15 min outage (reboot, PSU swap) on average — about 2 % of rigs off. */
const MEAN_ON_MS = 12 * 3600_000;
const MEAN_OFF_MS = 15 * 60_000;
const INITIALLY_OFF = MEAN_OFF_MS / (MEAN_ON_MS + MEAN_OFF_MS);

interface RigTraits {
  unitPower: number;
  unitEfficiency: number;
  pf: number;
  runTempC: number;
}

export class Rig {
  private tempC: number;

  constructor(
    readonly plan: RigPlan,
    private readonly traits: RigTraits,
    private readonly power: OnOffProcess,
    private readonly noise: { power: SmoothNoise; hash: SmoothNoise; temp: SmoothNoise; pf: SmoothNoise },
  ) {
    this.tempC = power.isOn ? traits.runTempC : AMBIENT_C;
  }

  get model(): AsicModel {
    return this.plan.model;
  }

  /** Advances `dtMs` and reads the rig. Draws the same number of randoms every call, on or off (determinism). */
  step(dtMs: number): RigReading {
    const on = this.power.step(dtMs);
    const n = {
      power: this.noise.power.step(dtMs),
      hash: this.noise.hash.step(dtMs),
      temp: this.noise.temp.step(dtMs),
      pf: this.noise.pf.step(dtMs),
    };
    const target = on ? this.traits.runTempC : AMBIENT_C;
    this.tempC = target + (this.tempC - target) * Math.exp(-dtMs / THERMAL_TAU_MS);
    const tempSteps = toSteps('temp', this.tempC + n.temp);
    if (!on) return { on, powerDw: 0, hashrateSteps: 0, tempSteps, pfSteps: 0 };
    const { unitPower, unitEfficiency, pf } = this.traits;
    const watts = this.model.powerW * unitPower * (1 + n.power);
    // Hashrate follows the power the unit draws (chips clocked by autotune) times its own efficiency.
    const ths = this.model.hashrateThs * unitPower * unitEfficiency * (1 + n.hash);
    return {
      on,
      powerDw: toSteps('power', watts),
      hashrateSteps: toSteps('hashrate', ths),
      tempSteps,
      pfSteps: toSteps('pf', Math.min(0.999, pf + n.pf)),
    };
  }
}

/** Draws a rig's traits from its own stream (seed + rig id), so it is the same rig in any fleet size. */
export function createRig(plan: RigPlan, seed: number): Rig {
  const rand = streamFor(seed, plan.id);
  const traits: RigTraits = {
    unitPower: 1 + clampedNormal(rand, UNIT_POWER_SD, 0.05),
    unitEfficiency: 1 + clampedNormal(rand, UNIT_EFFICIENCY_SD, 0.04),
    pf: uniform(rand, PF_RANGE[0], PF_RANGE[1]),
    runTempC: uniform(rand, RUN_TEMP_C[0], RUN_TEMP_C[1]),
  };
  const power = new OnOffProcess(rand, rand() >= INITIALLY_OFF, MEAN_ON_MS, MEAN_OFF_MS);
  return new Rig(plan, traits, power, {
    power: new SmoothNoise(rand, POWER_NOISE.sd, POWER_NOISE.tauMs),
    hash: new SmoothNoise(rand, HASH_NOISE.sd, HASH_NOISE.tauMs),
    temp: new SmoothNoise(rand, TEMP_NOISE.sd, TEMP_NOISE.tauMs),
    pf: new SmoothNoise(rand, PF_NOISE.sd, PF_NOISE.tauMs),
  });
}

function clampedNormal(rand: Random, sd: number, limit: number): number {
  return Math.max(-limit, Math.min(limit, sd * gaussian(rand)));
}
