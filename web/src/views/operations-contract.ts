/**
 * The operations page's contract with the server: the types of its socket events and REST answers, imported
 * from server/src/live/events.ts (which takes them from server/src/operations/contract.ts), never copied.
 * OPS_NAMESPACE is a value import on purpose: the page connects where the server listens.
 */
export type {
  Ack,
  AlertChange,
  AlertRecord,
  CapacityCheck,
  CapacityLevel,
  HeatCell,
  OpsChild,
  OpsClientToServerEvents,
  OpsFigures,
  OpsNodeFrame,
  OpsNodeView,
  OpsServerToClientEvents,
  OutletDetail,
} from '../../../server/src/live/events.js';
export { OPS_NAMESPACE } from '../../../server/src/live/events.js';
/** Who may acknowledge: the server's own role table (pure), so the button shows exactly for those it allows. */
export { allows, isRole } from '../../../server/src/auth/roles.js';
