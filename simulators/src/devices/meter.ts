import { EnergyRegister } from '../energy.js';
import { SmoothNoise } from '../noise.js';
import { streamFor, uniform } from '../prng.js';

/**
 * Overhead factor (facility power / IT power, i.e. PUE). Immersion and hydro sites run near 1.03–1.05, air-cooled
 * sites with evaporative pads or chillers up to about 1.4. Each site gets a base from the seed, a daily swing
 * (cooling works harder in the afternoon) and a slow random drift, and stays inside the band whatever the noise.
 */
export const PUE_BAND = { min: 1.03, max: 1.4 } as const;
/** Kept a little inside PUE_BAND so that rounding the reported powers can never push the ratio outside it. */
const PUE_CLAMP = { min: 1.035, max: 1.395 } as const;
const PUE_BASE = [1.06, 1.32] as const;
const DAILY_SWING = [0.005, 0.03] as const;
const DRIFT = { sd: 0.01, tauMs: 6 * 3600_000 };
const DAY_MS = 86_400_000;
/** The site meter's register starts where up to 3 years of service would have left it. */
const MAX_SERVICE_HOURS = 3 * 8760;

export interface MeterSample {
  powerDw: number;
  energyWh: number;
  /** The factor applied this tick (not published; tests and summaries use it). */
  pue: number;
}

export class FacilityMeter {
  constructor(
    private readonly register: EnergyRegister,
    private readonly baseFactor: number,
    private readonly dailySwing: number,
    /** Phase of the daily cycle, radians: sites are in different time zones. */
    private readonly dailyPhase: number,
    private readonly drift: SmoothNoise,
  ) {}

  /** The facility draw for an IT load of `itDw` deciwatts at `ts`; the register integrates it over `dtMs`. */
  step(ts: number, dtMs: number, itDw: number): MeterSample {
    const daily = this.dailySwing * Math.sin((2 * Math.PI * (ts % DAY_MS)) / DAY_MS + this.dailyPhase);
    const raw = this.baseFactor + daily + this.drift.step(dtMs);
    const pue = Math.min(PUE_CLAMP.max, Math.max(PUE_CLAMP.min, raw));
    const powerDw = Math.round(itDw * pue);
    this.register.add(powerDw, dtMs);
    return { powerDw, energyWh: this.register.totalWh, pue };
  }
}

/** @param nameplateItW the site's IT nameplate, W: only sizes the register's starting value */
export function createMeter(seed: number, site: string, nameplateItW: number): FacilityMeter {
  const rand = streamFor(seed, `${site}/meter`);
  const base = uniform(rand, PUE_BASE[0], PUE_BASE[1]);
  const swing = uniform(rand, DAILY_SWING[0], DAILY_SWING[1]);
  const phase = uniform(rand, 0, 2 * Math.PI);
  const initialWh = Math.floor(nameplateItW * base * uniform(rand, 0, MAX_SERVICE_HOURS));
  return new FacilityMeter(new EnergyRegister(initialWh), base, swing, phase, new SmoothNoise(rand, DRIFT.sd, DRIFT.tauMs));
}
