/**
 * Why an input was rejected. Each reason is a counter in /api/health, so the set is closed:
 * adding a reason is a deliberate change here, not a free-form string at the call site.
 */
export const REJECT_REASONS = [
  'unknown_topic', // topic matches no dialect, or an identifier in it is malformed
  'too_large', // payload above the configured size limit
  'not_json', // payload is not valid UTF-8 JSON
  'not_object', // JSON, but not an object
  'missing_ts',
  'bad_ts', // not ms epoch / RFC 3339, or before 2000
  'future_ts', // more than the allowed skew ahead of the server clock
  'missing_power',
  'missing_hashrate',
  'wrong_type', // a field has the wrong JSON type
  'not_finite', // NaN or ±Infinity (as strings or out-of-range numbers)
  'negative', // a quantity that cannot be negative
  'out_of_range', // physically impossible (e.g. an outlet above 100 kW or 1000 V)
  'bad_id', // a rig/pdu/meter identifier in the payload is malformed
  'bad_outlet', // outlet number missing or not an integer ≥ 1
  'bad_status', // status topic with a payload other than online/offline
  'decoder_error', // a decoder failed unexpectedly: a bug, counted rather than crashing ingestion
  'bad_protobuf', // Sparkplug payload that does not decode as a Sparkplug B protobuf Payload
  'unknown_alias', // Sparkplug DATA metric sent by alias that no BIRTH of the session defined
  'sparkplug_seq_gap', // Sparkplug seq not previous + 1 (mod 256), or missing: messages were lost; a rebirth is requested
  'bad_line_protocol', // InfluxDB line-protocol syntax error (one per bad line), invalid UTF-8 or no line at all
  'unsafe_integer', // a 64-bit integer beyond ±2^53, which a JS number cannot hold exactly
] as const;

export type RejectReason = (typeof REJECT_REASONS)[number];

/** A decoder's typed rejection: of a whole message, or of one part of it (an outlet). */
export class DecodeError extends Error {
  constructor(
    readonly reason: RejectReason,
    detail: string,
  ) {
    super(`${reason}: ${detail}`);
    this.name = 'DecodeError';
  }
}

export interface Rejection {
  reason: RejectReason;
  message: string;
}
