import { describe, expect, it } from 'vitest';
import { loadAsicSpecs } from '../../simulators/src/models.js';
import type { MeterReading, MinerReading, OutletReading } from '../../server/src/domain/reading.js';
import { efficiencyReport as reportOf, joulesPerTh } from '../../server/src/energy/efficiency.js';
import { NameplateTable, normalizeModel } from '../../server/src/energy/nameplate.js';
import { MinuteAccounting, minutePieces } from '../../server/src/rollup/accounting.js';
import { combine, type Figures } from '../../server/src/rollup/figures.js';

const MIN = 60_000;
const T0 = Date.UTC(2024, 5, 1);
const RANGE = { from: T0, to: T0 + 60 * MIN + 1 };
const table = new NameplateTable(loadAsicSpecs());

/**
 * The report as GET /api/efficiency builds it: every group's figures over the range from the minute accounting
 * (what rollups hold), each rig's PDU and model from its last readings.
 */
function efficiencyReport(input: { outlets: OutletReading[]; miners: MinerReading[]; meters: MeterReading[]; range: { from: number; to: number }; nameplates: NameplateTable }) {
  const acc = new MinuteAccounting(input);
  const groups = new Map<string, Figures>();
  for (const piece of minutePieces(input.range.from, input.range.to)) {
    for (const [key, f] of acc.piece(piece)) {
      const g = groups.get(key);
      if (g) combine(g, f, 'time');
      else groups.set(key, f);
    }
  }
  const pdu = new Map(input.outlets.filter((o) => o.rig).map((o) => [o.rig!, o.pdu]));
  const model = new Map(input.miners.map((m) => [m.rig, m.model ?? null]));
  return reportOf({ groups, range: input.range, nameplates: input.nameplates, tagsOf: (rig) => ({ pdu: pdu.get(rig) ?? null, model: model.get(rig) ?? null }) });
}

const minutes = Array.from({ length: 61 }, (_, m) => m);

/** r1: an Antminer S19 Pro drawing 3300 W (55 Wh a minute on its register) at 110 TH/s for an hour. */
function rig1(): { outlets: OutletReading[]; miners: MinerReading[] } {
  return {
    outlets: minutes.map((m) => ({ kind: 'outlet', site: 's1', pdu: 'p1', outlet: 1, rig: 'r1', ts: T0 + m * MIN, power_w: 3300, energy_wh: 10_000 + 55 * m })),
    miners: minutes.map((m) => ({ kind: 'miner', site: 's1', rig: 'r1', ts: T0 + m * MIN, hashrate_ths: 110, model: 'Antminer S19 Pro' })),
  };
}

/** r2: an unknown model, 3600 W at 100 TH/s for 30 min, then 1200 W at 20 TH/s; no register (integrated). */
function rig2(): { outlets: OutletReading[]; miners: MinerReading[] } {
  const busy = (m: number): boolean => m <= 30;
  return {
    outlets: minutes.map((m) => ({ kind: 'outlet', site: 's1', pdu: 'p1', outlet: 2, rig: 'r2', ts: T0 + m * MIN, power_w: busy(m) ? 3600 : 1200 })),
    miners: minutes.map((m) => ({ kind: 'miner', site: 's1', rig: 'r2', ts: T0 + m * MIN, hashrate_ths: busy(m) ? 100 : 20, model: 'Antminer Z15' })),
  };
}

describe('J/TH', () => {
  it('is energy over hash-work, exact for a constructed rig, with its drift from the nameplate', () => {
    const r = rig1();
    const report = efficiencyReport({ ...r, meters: [], range: RANGE, nameplates: table });
    const rig = report.rigs[0]!;
    // 3300 Wh = 11 880 000 J; 110 TH/s × 3600 s = 396 000 TH; 11 880 000 / 396 000 = 30 J/TH.
    expect(rig).toMatchObject({ rig: 'r1', pdu: 'p1', model: 'Antminer S19 Pro', kwh: 3.3, th: 396_000, jth: 30 });
    // Nameplate 3250 W / 110 TH/s = 29.5454… J/TH; drift (30 − 3250/110)/(3250/110) = 3300/3250 − 1 = 1/65.
    expect(rig.nameplate).toMatchObject({ model: 'Antminer S19 Pro', jth: 3250 / 110 });
    expect(rig.drift).toBe((30 - 3250 / 110) / (3250 / 110));
    expect(rig.drift).toBeCloseTo(1 / 65, 14);
    expect(rig.note).toBeNull();
  });

  it('is the ratio of the integrals, not the average of the ratios; an unknown model has no drift', () => {
    const report = efficiencyReport({ ...rig2(), meters: [], range: RANGE, nameplates: table });
    const rig = report.rigs[0]!;
    // Energy: 3600 W × 30 min = 1800 Wh; the minute 30→31 ramps (3600 + 1200)/2 = 2400 W → 40 Wh;
    // 1200 W × 29 min = 580 Wh. 2420 Wh = 8 712 000 J.
    // Hash-work: 100 TH/s × 1800 s = 180 000 TH; (100 + 20)/2 × 60 s = 3600 TH; 20 × 1740 s = 34 800 TH. 218 400 TH.
    expect(rig.kwh).toBe(2.42);
    expect(rig.th).toBe(218_400);
    expect(rig.jth).toBe(8_712_000 / 218_400); // 39.89 J/TH; the mean of per-reading ratios would be 47.8
    expect(rig.drift).toBeNull();
    expect(rig.note).toBe('model "Antminer Z15" is not in asic-specs.csv: no nameplate to compare with');
  });

  it('adds up per PDU and per site, and gives the overhead against the facility meter', () => {
    const a = rig1();
    const b = rig2();
    // The facility meter reads 1.1 × the IT energy: (3300 + 2420) × 1.1 = 6292 Wh over the hour.
    const meters: MeterReading[] = [
      { kind: 'meter', site: 's1', meter: 'm1', ts: T0, power_w: 6292, energy_wh: 50_000 },
      { kind: 'meter', site: 's1', meter: 'm1', ts: T0 + 60 * MIN, power_w: 6292, energy_wh: 56_292 },
    ];
    const report = efficiencyReport({ outlets: [...a.outlets, ...b.outlets], miners: [...a.miners, ...b.miners], meters, range: RANGE, nameplates: table });
    const jth = (5_720 * 3600) / (396_000 + 218_400);
    expect(report.pdus).toEqual([expect.objectContaining({ pdu: 'p1', kwh: 5.72, th: 614_400, jth, rigs: 2 })]);
    expect(report.total).toMatchObject({ kwh: 5.72, th: 614_400, jth, meter_kwh: 6.292, jth_facility: (6_292 * 3600) / 614_400 });
    expect(report.overhead).toMatchObject({ ratio: 1.1, meter_kwh: 6.292, it_kwh: 5.72 });
  });

  it('says why a rig has no J/TH', () => {
    const r = rig1();
    const noPower = efficiencyReport({ outlets: [], miners: r.miners, meters: [], range: RANGE, nameplates: table }).rigs[0]!;
    expect([noPower.jth, noPower.kwh, noPower.note]).toEqual([null, null, 'no outlet readings for this rig in the range: no energy, no J/TH']);
    const noHash = efficiencyReport({ outlets: r.outlets, miners: [], meters: [], range: RANGE, nameplates: table }).rigs[0]!;
    expect([noHash.jth, noHash.note]).toEqual([null, 'no miner readings for this rig in the range: no hash-work, no J/TH']);
    expect(joulesPerTh(1000, 0)).toBeNull();
  });

  it('never integrates hash-rate across a gap', () => {
    const miners: MinerReading[] = [0, MIN, 11 * MIN].map((t) => ({ kind: 'miner', site: 's1', rig: 'r1', ts: T0 + t, hashrate_ths: 100, model: 'Antminer S19 Pro' }));
    const rig = efficiencyReport({ outlets: rig1().outlets, miners, meters: [], range: { from: T0, to: T0 + 11 * MIN }, nameplates: table }).rigs[0]!;
    // 100 TH/s over the first minute only: the 10 minutes after it are a gap.
    expect([rig.th, rig.hash_completeness]).toEqual([6000, 1 / 11]);
  });
});

describe('nameplates', () => {
  it('match model names however a firmware writes them', () => {
    for (const name of ['Antminer S19 Pro', 'S19 Pro', 'antminer-s19-pro', 'Bitmain Antminer S19 Pro (110Th)', 'ANTMINER S19PRO 110T']) {
      expect(table.lookup(name)?.model, name).toBe('Antminer S19 Pro');
    }
    expect(table.lookup('Whatsminer M30S++')?.model).toBe('Whatsminer M30S++');
    expect(table.lookup('M30S')).toBeNull();
    expect(table.lookup('S19j Pro')?.model).toBe('Antminer S19j Pro');
    expect(table.lookup(undefined)).toBeNull();
    expect(normalizeModel('Avalon A1366')).toBe('a1366');
  });

  it('refuse a spec sheet where two models normalize to one name', () => {
    expect(() => new NameplateTable([{ model: 'S19 Pro', hashrateThs: 1, powerW: 1 }, { model: 'Antminer S19-Pro', hashrateThs: 1, powerW: 1 }])).toThrow(/same name/);
  });
});
