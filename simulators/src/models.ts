import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCsv } from './csv.js';

/** One ASIC model's nameplate, from simulators/data/asic-specs.csv (the source of truth; see data/README.md). */
export interface AsicModel {
  model: string;
  manufacturer: string;
  /** Nameplate hashrate, TH/s. */
  hashrateThs: number;
  /** Nameplate wall power, W. */
  powerW: number;
  /** Nameplate efficiency, J/TH = W / (TH/s). */
  efficiencyJth: number;
}

/** Where the checked-in spec sheet lives, resolved from this module so it works from any working directory. */
export const ASIC_SPECS_PATH = fileURLToPath(new URL('../data/asic-specs.csv', import.meta.url));

const REQUIRED = ['model', 'manufacturer', 'hashrate_ths', 'power_w'] as const;

/** Parses asic-specs.csv. Throws with the line number on a missing column or a non-positive number. */
export function parseAsicSpecs(csvText: string): AsicModel[] {
  const [header, ...rows] = parseCsv(csvText);
  if (!header) throw new SyntaxError('asic specs: empty CSV');
  const col = new Map(header.map((name, i) => [name.trim(), i]));
  for (const name of REQUIRED) {
    if (!col.has(name)) throw new SyntaxError(`asic specs: missing column "${name}"`);
  }
  const cell = (row: string[], name: (typeof REQUIRED)[number]): string => (row[col.get(name) ?? -1] ?? '').trim();
  return rows.map((row, i) => {
    const line = i + 2;
    const hashrateThs = positive(cell(row, 'hashrate_ths'), 'hashrate_ths', line);
    const powerW = positive(cell(row, 'power_w'), 'power_w', line);
    const model = cell(row, 'model');
    if (model === '') throw new SyntaxError(`asic specs line ${line}: empty model`);
    return { model, manufacturer: cell(row, 'manufacturer'), hashrateThs, powerW, efficiencyJth: powerW / hashrateThs };
  });
}

function positive(text: string, name: string, line: number): number {
  const value = Number(text);
  if (text === '' || !Number.isFinite(value) || value <= 0) {
    throw new SyntaxError(`asic specs line ${line}: ${name} must be a positive number, got "${text}"`);
  }
  return value;
}

/** Reads and parses the spec sheet (start-up I/O only; the fleet model itself never touches the disk). */
export function loadAsicSpecs(path: string = ASIC_SPECS_PATH): AsicModel[] {
  return parseAsicSpecs(readFileSync(path, 'utf8'));
}
