/**
 * Nameplate efficiency per ASIC model, from the spec sheet (simulators/data/asic-specs.csv, parsed by
 * simulators/src/models.ts), matched by a normalized model name. Pure: the caller loads the sheet.
 */

export interface NameplateSpec {
  model: string;
  hashrateThs: number;
  powerW: number;
}

export interface Nameplate {
  model: string;
  hashrate_ths: number;
  power_w: number;
  /** Nameplate J/TH = W / (TH/s), computed from the two figures the simulator also runs on. */
  jth: number;
}

// Vendor and family words miners put in front of the model, or leave out: "Antminer S19 Pro" = "S19 Pro".
const VENDOR_WORDS = /\b(bitmain|antminer|microbt|whatsminer|canaan|avalonminer|avalon)\b/g;
// A hashrate bin some firmwares append: "S19j Pro 104T", "S19 Pro (110Th)", "M30S++ 112TH/s".
const HASHRATE_SUFFIX = /\(?\b\d+(\.\d+)?\s*t(h(\/s)?)?\b\)?/g;

/**
 * Lower case, vendor words and a hashrate bin dropped, then only letters, digits and `+` kept ("M30S++" is not
 * "M30S"). "Antminer S19 Pro", "S19 Pro", "antminer-s19-pro" and "Antminer S19 Pro (110Th)" all give "s19pro".
 */
export function normalizeModel(name: string): string {
  return name.toLowerCase().replace(VENDOR_WORDS, ' ').replace(HASHRATE_SUFFIX, ' ').replace(/[^a-z0-9+]/g, '');
}

export class NameplateTable {
  private readonly byName = new Map<string, Nameplate>();

  constructor(specs: readonly NameplateSpec[]) {
    for (const s of specs) {
      const key = normalizeModel(s.model);
      if (this.byName.has(key)) throw new Error(`asic specs: "${s.model}" and "${this.byName.get(key)!.model}" normalize to the same name "${key}"`);
      this.byName.set(key, { model: s.model, hashrate_ths: s.hashrateThs, power_w: s.powerW, jth: s.powerW / s.hashrateThs });
    }
  }

  /** The nameplate of a reported model name, or null when the sheet does not know it. */
  lookup(model: string | undefined): Nameplate | null {
    if (model === undefined || model.trim() === '') return null;
    return this.byName.get(normalizeModel(model)) ?? null;
  }
}
