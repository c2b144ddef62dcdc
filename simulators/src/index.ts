/** The simulators' public API, for the test harness, benchmarks and demos. */
export { createFleet, Fleet, type FleetModelOptions, type FleetSummary, type Gateway, type SimMessage } from './fleet.js';
export { FLEET_LIMITS, DEFAULT_OUTLETS_PER_PDU, DEFAULT_PDUS_PER_RACK, type FleetOptions } from './layout.js';
export { loadAsicSpecs, parseAsicSpecs, ASIC_SPECS_PATH, type AsicModel } from './models.js';
export { startSimulation, RUN_LIMITS, type Simulation, type SimulationOptions, type SimStats } from './run.js';
export {
  runHistory,
  publishHistory,
  historyFleet,
  historyTicks,
  MAX_HISTORY_TICKS,
  type HistoryOptions,
  type HistoryProgress,
  type HistoryResult,
} from './history.js';
export {
  FAULT_KINDS,
  FAULT_DEFAULTS,
  REGISTER_WRAP_WH,
  type FaultEvent,
  type FaultKind,
  type FaultOptions,
  type FaultRequest,
  type PlannedFault,
} from './faults/types.js';
export { parseFaultList } from './faults/parse.js';
export { planFaults } from './faults/plan.js';
export type { FleetTruth, OutletTruth, SiteTruth, TruthRange } from './truth.js';
export { PUE_BAND } from './devices/meter.js';
export { METER_ID, ID_PATTERN } from './ids.js';
export { DIALECT_CHOICES, SIM_DIALECTS, SERVER_DIALECT, parseDialect, serverDialects, type DialectChoice, type SimDialect } from './dialects.js';
export { fleetFileYaml, type FleetFile } from './fleet-file.js';
export type { BindingSpec, SimDevice } from './encoders/types.js';
export type { MeterPayloadV1, MinerPayloadV1, PduPayloadV1 } from './encoders/native.js';
