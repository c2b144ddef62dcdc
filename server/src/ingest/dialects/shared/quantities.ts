import { DecodeError } from '../../../domain/errors.js';
import { readNumber, type Bounds } from '../../../domain/values.js';

/** The electrical quantities an outlet reading carries, in the units of its field names. */
export type Quantity = 'power_w' | 'energy_wh' | 'voltage_v' | 'current_a' | 'pf';
export type Fields = Partial<Record<Quantity, number>>;

// The same physical bounds as the native dialect: an outlet is at most a 100 kW feed at 1000 V (far
// above any rack PDU); energy is a lifetime register in Wh, exact only up to 2^53.
export const BOUNDS: Readonly<Record<Quantity, Bounds>> = {
  power_w: { min: 0, max: 100_000 },
  energy_wh: { min: 0, max: Number.MAX_SAFE_INTEGER },
  voltage_v: { min: 0, max: 1000 },
  current_a: { min: 0, max: 1000 },
  pf: { min: -1, max: 1 },
};

/** A device value for `quantity`: a finite number within its bounds, or a DecodeError saying why not. */
export function checkQuantity(quantity: Quantity, value: unknown, name: string = quantity): number {
  return readNumber({ [name]: value }, name, BOUNDS[quantity], quantity === 'power_w' ? 'missing_power' : 'wrong_type');
}

/**
 * How a device's name for a value maps to a quantity: `pow10` scales to our unit (3 for kW → W and
 * kWh → Wh). `null` means "known, deliberately not read" (reactive or apparent power, exported energy).
 */
export interface QuantityRule {
  quantity: Quantity;
  pow10?: number;
}
export type QuantityNames = Readonly<Record<string, QuantityRule | null>>;

const W: QuantityRule = { quantity: 'power_w' };
const KW: QuantityRule = { quantity: 'power_w', pow10: 3 };
const WH: QuantityRule = { quantity: 'energy_wh' };
const KWH: QuantityRule = { quantity: 'energy_wh', pow10: 3 };
const V: QuantityRule = { quantity: 'voltage_v' };
const A: QuantityRule = { quantity: 'current_a' };
const PF: QuantityRule = { quantity: 'pf' };

/**
 * Default names (Sparkplug metric names' last path segment, line-protocol field keys), compared after
 * normalizeName(): "Active Power" = "active_power" = "activepower". An explicit unit wins ("Energy kWh"
 * → ×1000); a bare "Energy" is taken as Wh, the unit of every lifetime register we know of except
 * Tasmota's (which has its own dialect). "MWh" is left out: lower-cased it is also "mWh".
 */
export const DEFAULT_QUANTITY_NAMES: QuantityNames = {
  power: W, powerw: W, activepower: W, activepowerw: W, watts: W, watt: W, apower: W, actpower: W,
  powerkw: KW, activepowerkw: KW, kw: KW,
  energy: WH, energywh: WH, activeenergy: WH, activeenergywh: WH, totalenergy: WH, wh: WH,
  energykwh: KWH, activeenergykwh: KWH, totalenergykwh: KWH, kwh: KWH,
  voltage: V, voltagev: V, volts: V,
  current: A, currenta: A, amps: A, amperes: A,
  powerfactor: PF, pf: PF, factor: PF,
  reactivepower: null, apparentpower: null, reactiveenergy: null, returnedenergy: null, exportedenergy: null,
};

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Defaults overlaid with configured names (keys normalized, so config may spell them any way). */
export function quantityNames(overrides: QuantityNames = {}): Map<string, QuantityRule | null> {
  const names = new Map<string, QuantityRule | null>(Object.entries(DEFAULT_QUANTITY_NAMES));
  for (const [name, rule] of Object.entries(overrides)) names.set(normalizeName(name), rule);
  return names;
}

/** Channel numbers as the native dialect allows them: 1..10000. */
export const MAX_CHANNEL = 10_000;

export function checkChannel(channel: number, detail: string): number {
  if (!Number.isInteger(channel) || channel < 1 || channel > MAX_CHANNEL) {
    throw new DecodeError('bad_outlet', `${detail}: channel must be an integer from 1 to ${MAX_CHANNEL}`);
  }
  return channel;
}
