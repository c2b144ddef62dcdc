/**
 * The device dialects' encoders, one line each. Native (native.ts) is not here: its PDU gateways are the fleet
 * model's own path (fleet.ts), where the faults act.
 */
import type { DeviceDialect } from '../dialects.js';
import { lineProtocol } from './line-protocol.js';
import { shellyGen1 } from './shelly-gen1.js';
import { shellyGen2 } from './shelly-gen2.js';
import { sparkplugB } from './sparkplug.js';
import { tasmota } from './tasmota.js';
import type { DialectEncoder } from './types.js';

export const ENCODERS: Readonly<Record<DeviceDialect, DialectEncoder>> = {
  tasmota,
  'shelly-gen2': shellyGen2,
  'shelly-gen1': shellyGen1,
  sparkplug: sparkplugB,
  line: lineProtocol,
};
