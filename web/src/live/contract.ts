/**
 * The one place web/ reaches into server/: the socket.io contract. Types are imported, never copied,
 * so a change to a payload on the server is a compile error here. FRAME_INTERVAL_MS is a value import
 * on purpose — the stale threshold follows the server's cadence.
 */
export type {
  Ack,
  ClientToServerEvents,
  FacilityFrame,
  RigLatest,
  ServerToClientEvents,
  SiteFrame,
} from '../../../server/src/live/events.js';
export { FRAME_INTERVAL_MS } from '../../../server/src/live/events.js';
