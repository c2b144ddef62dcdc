import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../simulators/src/csv.js';
import { ASIC_SPECS_PATH, loadAsicSpecs, parseAsicSpecs } from '../../simulators/src/models.js';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes, line breaks and CRLF', () => {
    const text = 'a,b,c\r\n1,"x, y","say ""hi"""\n2,"two\nlines",\n';
    expect(parseCsv(text)).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', 'say "hi"'],
      ['2', 'two\nlines', ''],
    ]);
  });

  it('refuses a quote left open', () => {
    expect(() => parseCsv('a,"b\n')).toThrow('CSV ends inside a quoted field');
  });
});

describe('ASIC models from simulators/data/asic-specs.csv', () => {
  const models = loadAsicSpecs();

  it('loads every row of the checked-in spec sheet', () => {
    expect(models).toHaveLength(19);
    expect(models.map((m) => m.model)).toContain('Whatsminer M30S++');
    expect(readFileSync(ASIC_SPECS_PATH, 'utf8').split(/\r?\n/)[0]).toBe(
      'model,manufacturer,release_year_approx,hashrate_ths,power_w,efficiency_jth_stated,efficiency_jth_computed,sources,confidence,notes',
    );
  });

  it('keeps the nameplate values exactly', () => {
    expect(models[0]).toEqual({ model: 'Antminer S9', manufacturer: 'Bitmain', hashrateThs: 13.5, powerW: 1323, efficiencyJth: 98 });
    expect(models.find((m) => m.model === 'Antminer S19 XP')).toEqual({
      model: 'Antminer S19 XP',
      manufacturer: 'Bitmain',
      hashrateThs: 140,
      powerW: 3010,
      efficiencyJth: 21.5,
    });
    expect(models.find((m) => m.model === 'Avalon A16 XP')?.efficiencyJth).toBeCloseTo(12.8333, 4);
  });

  it('names the line and column of a bad row', () => {
    expect(() => parseAsicSpecs('model,manufacturer,hashrate_ths\nX,Y,1\n')).toThrow('asic specs: missing column "power_w"');
    expect(() => parseAsicSpecs('model,manufacturer,hashrate_ths,power_w\nX,Y,1,3000\nZ,Y,0,3000\n')).toThrow(
      'asic specs line 3: hashrate_ths must be a positive number, got "0"',
    );
    expect(() => parseAsicSpecs('model,manufacturer,hashrate_ths,power_w\n,Y,1,3000\n')).toThrow('asic specs line 2: empty model');
  });
});
