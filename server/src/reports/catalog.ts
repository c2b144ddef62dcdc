import { readFileSync } from 'node:fs';
import { parseCsv } from '../../../simulators/src/csv.js';
import { ASIC_SPECS_PATH } from '../../../simulators/src/models.js';
import { normalizeModel } from '../energy/nameplate.js';

/**
 * ASIC models with the year each came out, for the report's "fleet by model and age". The sheet is
 * simulators/data/asic-specs.csv (the nameplates /api/efficiency uses too); its `release_year_approx` is the
 * model's launch year, so a rig's age is the model's age — the install date of each unit is not recorded.
 */
export interface AsicCatalogEntry {
  model: string;
  manufacturer: string;
  release_year: number | null;
  hashrate_ths: number;
  power_w: number;
}

export class AsicCatalog {
  private readonly byName = new Map<string, AsicCatalogEntry>();

  constructor(entries: readonly AsicCatalogEntry[]) {
    for (const e of entries) this.byName.set(normalizeModel(e.model), e);
  }

  /** The entry of a model name as a miner or the fleet file spells it ("S19 Pro", "Antminer S19 Pro (110Th)"). */
  lookup(model: string | null | undefined): AsicCatalogEntry | null {
    if (!model || model.trim() === '') return null;
    return this.byName.get(normalizeModel(model)) ?? null;
  }
}

export function parseAsicCatalog(csvText: string): AsicCatalogEntry[] {
  const [header, ...rows] = parseCsv(csvText);
  if (!header) return [];
  const col = new Map(header.map((name, i) => [name.trim(), i]));
  const cell = (row: string[], name: string) => (row[col.get(name) ?? -1] ?? '').trim();
  return rows
    .filter((row) => cell(row, 'model') !== '')
    .map((row) => {
      const year = Number(cell(row, 'release_year_approx'));
      return {
        model: cell(row, 'model'),
        manufacturer: cell(row, 'manufacturer'),
        release_year: Number.isInteger(year) && year > 1990 ? year : null,
        hashrate_ths: Number(cell(row, 'hashrate_ths')),
        power_w: Number(cell(row, 'power_w')),
      };
    });
}

/** Reads the checked-in sheet (start-up I/O only). */
export function loadAsicCatalog(path: string = ASIC_SPECS_PATH): AsicCatalog {
  return new AsicCatalog(parseAsicCatalog(readFileSync(path, 'utf8')));
}
