import { DecodeError } from '../domain/errors.js';
import { clip } from '../domain/values.js';
import { emptyDecoded, type DecodeContext, type Decoded, type Dialect } from './dialect.js';
import { toRejection } from './dialects/native.js';

/**
 * Picks the dialect for a topic and runs it. Never throws: whatever a payload holds, the outcome is
 * readings plus counted rejections, so one bad device cannot stop ingestion for the others.
 */
export class TopicRouter {
  constructor(
    private readonly dialects: readonly Dialect[],
    private readonly maxPayloadBytes: number,
  ) {}

  get subscriptions(): string[] {
    return [...new Set(this.dialects.flatMap((d) => d.subscriptions))];
  }

  /** `dialect` names the decoder that took the message, or `none` when no dialect matched. */
  decode(topic: string, payload: Buffer, ctx: DecodeContext): Decoded & { dialect: string } {
    let name = 'none';
    try {
      if (payload.length > this.maxPayloadBytes) {
        throw new DecodeError('too_large', `payload of ${payload.length} bytes is above the ${this.maxPayloadBytes}-byte limit`);
      }
      const dialect = this.dialects.find((d) => d.matches(topic));
      if (!dialect) throw new DecodeError('unknown_topic', `no dialect handles topic ${clip(topic)}`);
      name = dialect.name;
      return { ...dialect.decode(topic, payload, ctx), dialect: name };
    } catch (err) {
      const rejection =
        err instanceof DecodeError ? toRejection(err) : { reason: 'decoder_error' as const, message: String(err) };
      return { ...emptyDecoded(), rejects: [rejection], dialect: name };
    }
  }
}
