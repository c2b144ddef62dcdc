import { describe, expect, it } from 'vitest';
import { OnOffProcess, SmoothNoise } from '../../simulators/src/noise.js';
import { gaussian, mulberry32, seedFor, streamFor } from '../../simulators/src/prng.js';
import { fromSteps, quantize, toSteps } from '../../simulators/src/quantize.js';

describe('seeded randomness', () => {
  it('mulberry32 gives a fixed sequence per seed (payload determinism rests on it)', () => {
    const r = mulberry32(42);
    expect([r(), r(), r()]).toEqual([0.6011037519201636, 0.44829055899754167, 0.8524657934904099]);
  });

  it('derives one fixed, distinct seed per label', () => {
    expect(seedFor(42, 'site-1')).toBe(2126044652);
    expect(seedFor(42, 'site-2')).toBe(1179110266);
    expect(seedFor(43, 'site-1')).not.toBe(seedFor(42, 'site-1'));
    expect(streamFor(7, 'a')()).toBe(streamFor(7, 'a')());
  });

  it('draws standard normal deviates', () => {
    const r = mulberry32(1);
    const xs = Array.from({ length: 20_000 }, () => gaussian(r));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(sd - 1)).toBeLessThan(0.03);
  });
});

describe('noise processes', () => {
  it('SmoothNoise has the same spread whatever the step', () => {
    for (const dt of [1000, 10_000, 60_000]) {
      const n = new SmoothNoise(mulberry32(dt), 0.02, 30_000);
      const xs = Array.from({ length: 20_000 }, () => n.step(dt));
      const sd = Math.sqrt(xs.reduce((a, b) => a + b * b, 0) / xs.length);
      expect(Math.abs(sd / 0.02 - 1), `dt ${dt}`).toBeLessThan(0.1);
    }
  });

  it('SmoothNoise does not move in zero time', () => {
    const n = new SmoothNoise(mulberry32(3), 0.02, 30_000);
    const before = n.current;
    expect(n.step(0)).toBe(before);
  });

  it('OnOffProcess spends mean-off / (mean-on + mean-off) of the time off', () => {
    const p = new OnOffProcess(mulberry32(9), true, 3_600_000, 400_000);
    let off = 0;
    const steps = 200_000;
    for (let i = 0; i < steps; i++) if (!p.step(10_000)) off++;
    expect(Math.abs(off / steps - 0.1)).toBeLessThan(0.02);
  });
});

describe('reporting resolutions', () => {
  it('rounds to whole steps and gives back the short decimal', () => {
    expect(quantize('power', 3250.44)).toBe(3250.4);
    expect(quantize('power', 3250.45)).toBe(3250.5);
    expect(toSteps('current', 13.4567)).toBe(13457);
    expect(fromSteps('current', 13457)).toBe(13.457);
    expect(quantize('pf', 0.98765)).toBe(0.988);
    expect(quantize('hashrate', 140.005)).toBe(140.01);
    expect(quantize('temp', 64.25)).toBe(64.3);
    expect(JSON.stringify({ v: fromSteps('voltage', 2291) })).toBe('{"v":229.1}');
  });
});
