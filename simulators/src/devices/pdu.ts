import { EnergyRegister } from '../energy.js';
import type { PduPlan } from '../layout.js';
import { SmoothNoise } from '../noise.js';
import { gaussian, streamFor, uniform } from '../prng.js';
import { toSteps } from '../quantize.js';
import { createRig, type Rig, type RigReading } from './rig.js';

/** One outlet's reading in v1 reporting steps (power 0.1 W, voltage 0.1 V, current 1 mA, pf 0.001, energy Wh). */
export interface OutletSample {
  outlet: number;
  rig: string;
  powerDw: number;
  voltageSteps: number;
  currentMa: number;
  pfSteps: number;
  energyWh: number;
}

export interface PduSample {
  outlets: OutletSample[];
  /** The rig behind each outlet, same order: the miner reports what the same machine did this tick. */
  rigs: RigReading[];
}

/**
 * Each ASIC PSU is a single-phase load; on a 3-phase PDU the outlets are spread over the three phase pairs
 * (or phases) in turn to balance the load (pdu-facts.md §2), so neighbouring outlets see slightly different volts.
 */
const PHASES = 3;
const PDU_VOLTAGE_SD = 0.01; // the feed's tap and cable drop: ±1 % from nominal per PDU
const PHASE_VOLTAGE_SD = 0.004; // phase-to-phase imbalance
const FEED_NOISE = { sd: 0.003, tauMs: 120_000 }; // the grid wanders slowly
/** Outlet registers start where a PDU in service for up to 2 years at nameplate would be. */
const MAX_SERVICE_HOURS = 2 * 8760;

export class Pdu {
  constructor(
    readonly plan: PduPlan,
    private readonly rigs: readonly Rig[],
    private readonly registers: readonly EnergyRegister[],
    /** Nominal × PDU offset × phase offset, per phase, V. */
    private readonly phaseVolts: readonly number[],
    private readonly feedNoise: SmoothNoise,
  ) {}

  /** Advances `dtMs`; each outlet's register integrates the power it reports now over the interval just ended. */
  step(dtMs: number): PduSample {
    const feed = 1 + this.feedNoise.step(dtMs);
    const outlets: OutletSample[] = [];
    const readings: RigReading[] = [];
    this.rigs.forEach((rig, i) => {
      const reading = rig.step(dtMs);
      const register = this.registers[i] as EnergyRegister;
      register.add(reading.powerDw, dtMs);
      const voltageSteps = toSteps('voltage', (this.phaseVolts[i % PHASES] as number) * feed);
      outlets.push({
        outlet: rig.plan.outlet,
        rig: rig.plan.id,
        powerDw: reading.powerDw,
        voltageSteps,
        currentMa: currentMa(reading.powerDw, voltageSteps, reading.pfSteps),
        pfSteps: reading.pfSteps,
        energyWh: register.totalWh,
      });
      readings.push(reading);
    });
    return { outlets, rigs: readings };
  }
}

/** I = P / (V × pf), from the reported (rounded) values so that the three stay consistent. */
export function currentMa(powerDw: number, voltageSteps: number, pfSteps: number): number {
  if (powerDw === 0 || pfSteps === 0 || voltageSteps === 0) return 0;
  const amps = powerDw / 10 / ((voltageSteps / 10) * (pfSteps / 1000));
  return toSteps('current', amps);
}

export function createPdu(plan: PduPlan, nominalVoltageV: number, seed: number): Pdu {
  const rand = streamFor(seed, `${plan.site}/${plan.id}`);
  const pduVolts = nominalVoltageV * (1 + PDU_VOLTAGE_SD * gaussian(rand));
  const phaseVolts = Array.from({ length: PHASES }, () => pduVolts * (1 + PHASE_VOLTAGE_SD * gaussian(rand)));
  // Drawn before the per-outlet values, so a PDU's feed does not depend on how many outlets are in use.
  const feedNoise = new SmoothNoise(rand, FEED_NOISE.sd, FEED_NOISE.tauMs);
  const rigs = plan.rigs.map((rigPlan) => createRig(rigPlan, seed));
  const registers = plan.rigs.map((rigPlan) => {
    const hours = uniform(rand, 0, MAX_SERVICE_HOURS);
    return new EnergyRegister(Math.floor(rigPlan.model.powerW * hours));
  });
  return new Pdu(plan, rigs, registers, phaseVolts, feedNoise);
}
