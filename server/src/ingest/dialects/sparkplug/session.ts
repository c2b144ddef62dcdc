import type { Rejection } from '../../../domain/errors.js';
import { BoundedMap } from '../shared/state.js';

/**
 * What a Sparkplug host must remember per edge node (Sparkplug 3.0, ch. 5 "Operational Behavior"):
 *  - the alias → name table of the session's NBIRTH and DBIRTHs (DATA messages may carry only aliases);
 *  - the last `seq` (0..255, one counter per edge node shared by node and device messages, wraps 255 → 0);
 *  - the NBIRTH's `bdSeq`, to tell the NDEATH of this session from a late one of an earlier session;
 *  - the devices born in the session, which an NDEATH takes offline too.
 * An NDEATH ends the session; the next NBIRTH starts a new one.
 */
export interface Session {
  /** False for a placeholder: DATA from a node whose NBIRTH was not seen (e.g. the server restarted). */
  born: boolean;
  seq?: number;
  bdSeq?: bigint;
  aliases: Map<string, string>;
  /** Datatype per metric name, from births: DATA may omit it, and integers need it for their sign. */
  types: Map<string, number>;
  devices: Set<string>;
  rebirthAt?: number;
}

export function newSession(born: boolean): Session {
  return { born, aliases: new Map(), types: new Map(), devices: new Set() };
}

export class Sessions {
  private readonly nodes: BoundedMap<string, Session>;

  constructor(maxNodes: number) {
    this.nodes = new BoundedMap(maxNodes);
  }

  get(node: string): Session | undefined {
    return this.nodes.get(node);
  }

  /** The node's session, or a placeholder that remembers when a rebirth was last asked for. */
  getOrPlaceholder(node: string): Session {
    let session = this.nodes.get(node);
    if (!session) this.nodes.set(node, (session = newSession(false)));
    return session;
  }

  start(node: string): Session {
    const session = newSession(true);
    this.nodes.set(node, session);
    return session;
  }

  end(node: string): void {
    this.nodes.delete(node);
  }
}

/**
 * Checks `seq` of a message after the NBIRTH against the previous one. A gap means lost messages (QoS 0
 * DATA): the values that follow are still good, but aliases or values may have changed unseen, so the
 * caller asks for a rebirth. Without a born session there is nothing to compare against.
 */
export function checkSeq(session: Session, seq: bigint | undefined): Rejection | undefined {
  if (!session.born) return undefined;
  if (seq === undefined || seq > 255n) {
    session.seq = undefined;
    return { reason: 'sparkplug_seq_gap', message: seq === undefined ? 'seq is missing' : `seq ${seq} is outside 0..255` };
  }
  const previous = session.seq;
  session.seq = Number(seq);
  if (previous === undefined) return undefined;
  const expected = (previous + 1) % 256;
  if (session.seq === expected) return undefined;
  return { reason: 'sparkplug_seq_gap', message: `seq ${seq} after ${previous}: expected ${expected}` };
}
