/**
 * The one place web/ reaches into server/: the socket.io contract, and the types of the efficiency
 * report that GET /api/efficiency spreads into its answer. Types are imported, never copied, so a
 * change to a payload on the server is a compile error here. FRAME_INTERVAL_MS is a value import on
 * purpose — the stale threshold follows the server's cadence; ID_PATTERN too — a route accepts the
 * same site ids the server does.
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
export type {
  GroupEfficiency,
  Overhead,
  RigEfficiency,
  SiteEfficiency,
} from '../../../server/src/energy/efficiency.js';
export type { Nameplate } from '../../../server/src/energy/nameplate.js';
export { ID_PATTERN } from '../../../server/src/domain/ids.js';
