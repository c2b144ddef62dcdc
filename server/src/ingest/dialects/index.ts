import type { Dialect } from '../dialect.js';
import { lineProtocolDialect, type LineProtocolOptions } from './line-protocol.js';
import { nativeDialect } from './native.js';
import { shellyGen1Dialect, type ShellyGen1Options } from './shelly-gen1.js';
import { shellyGen2Dialect, type ShellyGen2Options } from './shelly-gen2.js';
import { sparkplugDialect, type SparkplugOptions } from './sparkplug.js';
import { DIALECT_NAMES } from './names.js';
import { tasmotaDialect, type TasmotaOptions } from './tasmota.js';

export { DIALECT_NAMES };

export interface DialectOptions {
  topicRoot: string;
  /**
   * Dialects whose topic filters the server subscribes to; default native only. Every dialect decodes
   * what reaches it, but subscribing is opt-in: on a shared broker `+/online` or `+/status/+` would pull
   * in other systems' traffic, and a site should ask for the device families it has.
   */
  subscribe?: readonly string[];
  tasmota?: TasmotaOptions;
  shellyGen1?: ShellyGen1Options;
  shellyGen2?: ShellyGen2Options;
  sparkplug?: SparkplugOptions;
  lineProtocol?: LineProtocolOptions;
}

/**
 * Every payload format the server understands, in match order: the first whose `matches` is true
 * decodes a topic. Fixed first levels come first; Shelly Gen2 (any prefix) is last. Adding one is one line.
 */
export function createDialects(opts: DialectOptions): Dialect[] {
  const subscribed = new Set(opts.subscribe ?? ['native']);
  const unknown = [...subscribed].filter((name) => !(DIALECT_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new RangeError(`unknown dialect(s) to subscribe: ${unknown.join(', ')}; known: ${DIALECT_NAMES.join(', ')}`);
  return [
    nativeDialect(opts.topicRoot),
    tasmotaDialect(opts.tasmota),
    shellyGen1Dialect(opts.shellyGen1),
    sparkplugDialect(opts.sparkplug),
    lineProtocolDialect(opts.lineProtocol),
    shellyGen2Dialect(opts.shellyGen2),
  ].map((d) => (subscribed.has(d.name) ? d : unsubscribed(d)));
}

/** The dialect still decodes whatever reaches it (e.g. through another dialect's wider filter), but asks for nothing. */
function unsubscribed(d: Dialect): Dialect {
  return { name: d.name, subscriptions: [], matches: (topic) => d.matches(topic), decode: (topic, payload, ctx) => d.decode(topic, payload, ctx) };
}
