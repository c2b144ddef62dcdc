/**
 * Names for `subscribe`, e.g. from a DIALECTS=native,tasmota,shelly-gen2 setting. A module of its own
 * so the configuration can check names without loading every decoder.
 */
export const DIALECT_NAMES = ['native', 'tasmota', 'shelly-gen1', 'sparkplug', 'line-protocol', 'shelly-gen2'] as const;
