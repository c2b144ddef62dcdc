import { describe, expect, it } from 'vitest';
import { energyOf, methodOf, seriesEnergy } from '../../server/src/energy/energy.js';

const H = 3_600_000;

describe('seriesEnergy', () => {
  it('sums register increases, whatever the order and repeats', () => {
    const points = [
      { ts: 3000, power_w: 0, energy_wh: 1010 },
      { ts: 1000, power_w: 0, energy_wh: 1000 },
      { ts: 2000, power_w: 0, energy_wh: 1004 },
      { ts: 2000, power_w: 0, energy_wh: 1004 },
    ];
    const e = seriesEnergy(points);
    expect(e.wh).toBe(10);
    expect(e.wh_register).toBe(10);
    expect(e.readings).toBe(3);
  });

  it('bridges a gap with the register: the device kept counting', () => {
    expect(seriesEnergy([{ ts: 0, power_w: 1000, energy_wh: 0 }, { ts: 10 * H, power_w: 1000, energy_wh: 10_000 }]).wh).toBe(10_000);
  });

  it('counts nothing for a register that went down, and says so', () => {
    const e = seriesEnergy([
      { ts: 0, power_w: 0, energy_wh: 500 },
      { ts: 1000, power_w: 0, energy_wh: 510 },
      { ts: 2000, power_w: 0, energy_wh: 3 },
      { ts: 3000, power_w: 0, energy_wh: 8 },
    ]);
    expect(e.wh).toBe(15);
    expect(e.resets).toBe(1);
  });

  it('integrates power with trapezoids when there is no register', () => {
    // 1000 W → 3000 W over half an hour = 1000 Wh; then 3000 W flat for a quarter hour = 750 Wh.
    const e = seriesEnergy([{ ts: 0, power_w: 1000 }, { ts: H / 2, power_w: 3000 }, { ts: (3 * H) / 4, power_w: 3000 }], H);
    expect(e.wh_integrated).toBe(1750);
    expect(e.wh).toBe(1750);
  });

  it('never integrates across a gap longer than the limit', () => {
    const e = seriesEnergy([{ ts: 0, power_w: 1200 }, { ts: 60_000, power_w: 1200 }, { ts: 60_000 + 6 * 60_000, power_w: 1200 }], 5 * 60_000);
    expect(e.wh).toBe(20);
  });
});

describe('energyOf', () => {
  it('adds series by key and reports how the figure was computed', () => {
    const readings = [
      { k: 'a', ts: 0, power_w: 0, energy_wh: 100 },
      { k: 'a', ts: 1000, power_w: 0, energy_wh: 107 },
      { k: 'b', ts: 0, power_w: 3600 },
      { k: 'b', ts: 1000, power_w: 3600 },
    ];
    const e = energyOf(readings, (r) => r.k);
    expect(e).toEqual({ wh: 8, wh_register: 7, wh_integrated: 1, series: 2, series_register: 1, series_integrated: 1, readings: 4, resets: 0 });
    expect(methodOf(e)).toBe('mixed');
    expect(methodOf(energyOf([], () => ''))).toBe('none');
  });
});
