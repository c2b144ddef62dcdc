import { compareSite, windowStart } from '../../server/src/comparison/compute.js';
import { QuarterGrid } from '../../server/src/comparison/grid.js';
import { resolvePeriod, type PeriodRequest } from '../../server/src/comparison/period.js';
import { carbonSchema, curtailmentSchema, tariffSchema, type Carbon, type Curtailment, type Tariff } from '../../server/src/comparison/settings.js';
import type { MeterReading, MinerReading, OutletReading } from '../../server/src/domain/reading.js';

export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/**
 * A facility meter read every `stepMs` over [from, to] whose register counts exactly `kwAt(t)` kW over each
 * interval [t, t + step): every interval's energy is known to the mWh, so hand computations are exact.
 */
export function meterReadings(from: number, to: number, stepMs: number, kwAt: (t: number) => number, opts: { register?: boolean; skip?: (t: number) => boolean } = {}): MeterReading[] {
  const out: MeterReading[] = [];
  let wh = 1_000_000;
  for (let t = from; t <= to; t += stepMs) {
    const kw = kwAt(t);
    if (!opts.skip?.(t)) out.push({ kind: 'meter', site: 's', meter: 'main', ts: t, power_w: kw * 1000, ...(opts.register !== false && { energy_wh: wh }) });
    wh += (kw * 1000 * stepMs) / HOUR;
  }
  return out;
}

export function minerReadings(from: number, to: number, stepMs: number, ths: number): MinerReading[] {
  const out: MinerReading[] = [];
  for (let t = from; t <= to; t += stepMs) out.push({ kind: 'miner', site: 's', rig: 'r1', ts: t, hashrate_ths: ths });
  return out;
}

export interface Scenario {
  tz: string;
  period: PeriodRequest;
  now: number;
  meters?: MeterReading[];
  outlets?: OutletReading[];
  miners?: MinerReading[];
  tariff?: unknown;
  carbon?: unknown;
  curtailment?: unknown;
}

/** The comparison of one site as the server computes it, its grid filled by the minute accounting of raw readings. */
export function compare(s: Scenario) {
  const range = resolvePeriod(s.period, s.tz, s.now);
  const rule: Curtailment = curtailmentSchema.parse(s.curtailment ?? {});
  const from = windowStart(range, s.tz, rule);
  const grid = new QuarterGrid(from, range.to, s.tz);
  grid.fillFromReadings({ meters: s.meters ?? [], outlets: s.outlets ?? [], miners: s.miners ?? [] }, from, range.to);
  const tariff: Tariff | null = s.tariff === undefined ? null : tariffSchema.parse(s.tariff);
  const carbon: Carbon | null = s.carbon === undefined ? null : carbonSchema.parse(s.carbon);
  return compareSite({ site: 's', name: null, tz: s.tz, range, grid, tariff, carbon, curtailment: rule, rigs: 0, rigsConfigured: 0 });
}
