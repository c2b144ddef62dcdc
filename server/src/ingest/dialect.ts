import type { Rejection } from '../domain/errors.js';
import type { DeviceStatus, Reading } from '../domain/reading.js';

/** What a decoder needs besides the message: the server clock and the limits it checks against. */
export interface DecodeContext {
  now: number;
  maxFutureSkewMs: number;
}

/**
 * One message's outcome. A message can be partly good: valid outlets are kept while an invalid one
 * is listed in `rejects`. A message that is bad as a whole makes the decoder throw a DecodeError.
 */
export interface Decoded {
  readings: Reading[];
  statuses: DeviceStatus[];
  rejects: Rejection[];
  /**
   * Messages the decoder asks the server to publish in reply, e.g. Sparkplug's rebirth request (an NCMD)
   * after a sequence gap or an unknown alias. Optional: most dialects never reply. Returning them keeps
   * the decoder pure; the MQTT client publishes them.
   */
  commands?: OutboundMessage[];
}

/** A message to publish: Sparkplug host commands are QoS 0, not retained (Sparkplug 3.0, ch. 5). */
export interface OutboundMessage {
  topic: string;
  payload: Buffer;
}

/**
 * A payload format (Telegraf's parser model): a pure function of topic, payload and clock.
 * No I/O, no clock reads. A new dialect is one file plus one line in dialects/index.ts.
 */
export interface Dialect {
  readonly name: string;
  /** MQTT topic filters this dialect needs subscribed. */
  readonly subscriptions: readonly string[];
  /** Whether this dialect owns the topic (the first dialect that matches decodes it). */
  matches(topic: string): boolean;
  decode(topic: string, payload: Buffer, ctx: DecodeContext): Decoded;
}

export function emptyDecoded(): Decoded {
  return { readings: [], statuses: [], rejects: [] };
}
