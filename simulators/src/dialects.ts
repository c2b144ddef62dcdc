/**
 * The payload dialects the simulated devices can speak (`--dialect`), and the names the server knows them by
 * (its `DIALECTS` setting, server/src/ingest/dialects/names.ts). Kept here as plain strings rather than imported:
 * the simulators do not depend on the server (test/unit/sim-dialect-mixed.test.ts checks the two lists agree).
 */

export const SIM_DIALECTS = ['native', 'tasmota', 'shelly-gen2', 'shelly-gen1', 'sparkplug', 'line'] as const;
export type SimDialect = (typeof SIM_DIALECTS)[number];
/** The dialects of real devices: everything but Kilowatch's own format. */
export type DeviceDialect = Exclude<SimDialect, 'native'>;
/** What `--dialect` takes: one dialect for every PDU, or `mixed`, a seeded blend per site (blend.ts). */
export type DialectChoice = SimDialect | 'mixed';
export const DIALECT_CHOICES: readonly DialectChoice[] = [...SIM_DIALECTS, 'mixed'];

/** The server's name for each dialect: its DIALECTS value and the `dialect` of a fleet-file binding. */
export const SERVER_DIALECT: Readonly<Record<SimDialect, string>> = {
  native: 'native',
  tasmota: 'tasmota',
  'shelly-gen2': 'shelly-gen2',
  'shelly-gen1': 'shelly-gen1',
  sparkplug: 'sparkplug',
  line: 'line-protocol',
};

/** The server's own order (names.ts), so the printed DIALECTS value reads the same from run to run. */
const SERVER_ORDER = ['native', 'tasmota', 'shelly-gen1', 'sparkplug', 'line-protocol', 'shelly-gen2'];

/** `line-protocol` is accepted too: it is what the server calls it. Throws a RangeError naming the choices. */
export function parseDialect(text: string): DialectChoice {
  const name = text.trim().toLowerCase();
  if (name === 'line-protocol') return 'line';
  if ((DIALECT_CHOICES as readonly string[]).includes(name)) return name as DialectChoice;
  throw new RangeError(`dialect must be one of ${DIALECT_CHOICES.join(', ')} (got "${text}")`);
}

/**
 * The server's `DIALECTS` value for a fleet using `used`. Native is always in it: miners report hashrate in the
 * native format whatever their PDUs speak.
 */
export function serverDialects(used: Iterable<SimDialect>): string {
  const names = new Set(['native', ...[...used].map((d) => SERVER_DIALECT[d])]);
  return SERVER_ORDER.filter((n) => names.has(n)).join(',');
}
