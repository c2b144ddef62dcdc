import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seriesEnergy } from '../../server/src/energy/series.js';
import type { EnergyPoint, Gap, SeriesOptions } from '../../server/src/energy/types.js';

/**
 * One fixture per register/integration branch: test/fixtures/energy/<case>.json holds the readings, the
 * options, the expected figures and, in `why`, the hand computation of the expected Wh. A case found in the
 * field becomes a new file, not new code here.
 */
const ROOT = join(import.meta.dirname, '../fixtures/energy');

interface Fixture {
  name: string;
  why: string;
  options?: Partial<SeriesOptions>;
  range?: { from: number; to: number };
  points: EnergyPoint[];
  expected: {
    wh: number;
    wh_register?: number;
    wh_integrated?: number;
    method?: string;
    readings?: number;
    duplicates?: number;
    covered_ms?: number;
    span_ms?: number;
    resets?: number;
    rollovers?: number;
    spikes_rejected?: number;
    glitches?: number;
    recoveries?: number;
    gaps?: Gap[];
    /** The kinds of the adjustments reported, in order. */
    adjustments: string[];
  };
}

const COUNTS = ['readings', 'duplicates', 'covered_ms', 'span_ms', 'resets', 'rollovers', 'spikes_rejected', 'glitches', 'recoveries'] as const;

describe('energy branches (test/fixtures/energy)', () => {
  for (const file of readdirSync(ROOT).filter((f) => f.endsWith('.json')).sort()) {
    const f = JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as Fixture;
    it(`${f.name}: ${f.expected.wh} Wh`, () => {
      expect(f.why.length).toBeGreaterThan(0);
      const s = seriesEnergy(f.points, { key: f.name, ...(f.options && { options: f.options }), ...(f.range && { range: f.range }) });
      expect(s.mwh / 1000).toBe(f.expected.wh);
      expect(s.mwh).toBe(s.mwh_register + s.mwh_integrated);
      if (f.expected.wh_register !== undefined) expect(s.mwh_register / 1000).toBe(f.expected.wh_register);
      if (f.expected.wh_integrated !== undefined) expect(s.mwh_integrated / 1000).toBe(f.expected.wh_integrated);
      if (f.expected.method !== undefined) expect(s.method).toBe(f.expected.method);
      for (const k of COUNTS) if (f.expected[k] !== undefined) expect(s[k], k).toBe(f.expected[k]);
      if (f.expected.covered_ms !== undefined) expect(s.completeness).toBe(s.covered_ms / s.span_ms);
      if (f.expected.gaps !== undefined) expect(s.gaps).toEqual(f.expected.gaps);
      expect(s.adjustments.map((a) => a.kind)).toEqual(f.expected.adjustments);
      for (const a of s.adjustments) expect(a.reason.length).toBeGreaterThan(20);
    });
  }
});
