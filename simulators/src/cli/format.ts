/** Text the CLI prints. Pure, so the lines are unit-tested. */
import type { FaultEvent, FaultRequest } from '../faults/types.js';
import type { FleetSummary } from '../fleet.js';
import type { HistoryProgress, HistoryResult } from '../history.js';
import { redactUrl } from '../mqtt/clients.js';
import type { SimStats } from '../stats.js';

export interface RunDescription {
  url: string;
  intervalMs: number;
  seed: number;
  durationS?: number;
  /** Historical mode. */
  from?: number;
  to?: number;
  faults?: FaultRequest;
}

/** e.g. `2 sites, 18 PDUs (12 outlets), 400 rigs: 168 × Antminer S21, … → mqtt://… every 1000 ms, seed 42, for 60 s` */
export function formatFleetLine(fleet: FleetSummary, run: RunDescription): string {
  const models = fleet.models.map((m) => `${m.rigs} × ${m.model}`).join(', ');
  const until =
    run.from !== undefined && run.to !== undefined
      ? `from ${iso(run.from)} to ${iso(run.to)} (${Math.ceil((run.to - run.from) / run.intervalMs)} ticks, historical)`
      : run.durationS === undefined
        ? 'until Ctrl-C'
        : `for ${run.durationS} s`;
  const faults = run.faults === undefined ? '' : `, faults: ${run.faults.kinds.join(', ')}${run.faults.ratePerHour === undefined ? '' : ` (${run.faults.ratePerHour}/h each)`}`;
  return (
    `${plural(fleet.sites, 'site')}, ${plural(fleet.pdus, 'PDU')} (${fleet.outletsPerPdu} outlets), ` +
    `${plural(fleet.rigs, 'rig')}: ${models} → ${redactUrl(run.url)} every ${run.intervalMs} ms, seed ${run.seed}, ${until}${faults}` +
    dialectsText(fleet)
  );
}

/** e.g. `; PDUs: 20 native, 6 sparkplug, 3 tasmota …, 1 meter on Shelly` (nothing for an all-native fleet). */
function dialectsText(fleet: FleetSummary): string {
  if (fleet.dialects === undefined) return '';
  const pdus = fleet.dialects.pdus.map((d) => `${d.pdus} ${d.dialect}`).join(', ');
  const meters = fleet.dialects.meters === 0 ? '' : `, ${plural(fleet.dialects.meters, 'meter')} on Shelly Pro EM`;
  return `; PDUs: ${pdus}${meters}`;
}

/** e.g. `2026-01-01T03:00:00.000Z (50.0 %): 21600 msgs (5400.0/s), 259200 readings (64800.0/s), 12 pending, ETA 4 s` */
export function formatHistoryProgressLine(p: HistoryProgress): string {
  const parts = [
    `${iso(p.simulatedTs)} (${((100 * p.ticks) / p.totalTicks).toFixed(1)} %): ${p.messages} msgs (${(p.msgsPerSec).toFixed(1)}/s)`,
    `${p.readings} readings (${p.readingsPerSec.toFixed(1)}/s)`,
    `${p.pending} pending`,
  ];
  if (p.errors > 0) parts.push(plural(p.errors, 'error'));
  parts.push(`ETA ${p.etaMs === null ? '?' : duration(p.etaMs)}`);
  return parts.join(', ');
}

export function formatHistoryFinalLine(r: HistoryResult): string {
  const how = r.aborted ? `stopped at ${iso(r.simulatedTs)}` : `reached ${iso(r.to)}`;
  const last = r.lastError === undefined ? '' : ` (last error: ${r.lastError})`;
  return (
    `${how} after ${duration(r.elapsedMs)}: ${r.ticks} of ${plural(r.totalTicks, 'tick')}, ` +
    `${r.messages} msgs and ${r.readings} readings acknowledged (${r.msgsPerSec.toFixed(1)} msgs/s, ` +
    `${r.readingsPerSec.toFixed(1)} readings/s), ${plural(r.errors, 'error')}, ${r.pending} unacknowledged, ` +
    `${plural(r.faults.length, 'fault')}; true IT energy ${r.truth.wh} Wh, meters ${r.truth.meter_wh} Wh${last}`
  );
}

/** One fault as it played out: `fault reset site-1/r01-pdu2 outlet 9 (site-1-r01-u21) at …: <what the server must do>`. */
export function formatFaultLine(e: FaultEvent): string {
  const where = e.outlet === undefined ? `${e.site}/${e.pdu}` : `${e.site}/${e.pdu} outlet ${e.outlet} (${e.rig})`;
  return `fault ${e.fault} ${where} at ${iso(e.at)}: ${e.note}`;
}

/** One progress line, e.g. `12.0 s: 5040 msgs (420.0/s), 12096 readings (1008.0/s), 0 errors, 3 pending`. */
export function formatProgressLine(s: SimStats): string {
  const parts = [
    `${(s.elapsedMs / 1000).toFixed(1)} s: ${s.messages} msgs (${s.msgsPerSec.toFixed(1)}/s)`,
    `${s.readings} readings (${s.readingsPerSec.toFixed(1)}/s)`,
    plural(s.errors, 'error'),
    `${s.pending} pending`,
  ];
  if (s.dropped > 0) parts.push(`${s.dropped} dropped`);
  if (s.disconnects > 0) parts.push(plural(s.disconnects, 'disconnect'));
  return parts.join(', ');
}

export function formatFinalLine(s: SimStats): string {
  const last = s.lastError === undefined ? '' : ` (last error: ${s.lastError})`;
  return (
    `stopped after ${(s.elapsedMs / 1000).toFixed(1)} s and ${plural(s.ticks, 'tick')}: ` +
    `${s.messages} msgs and ${s.readings} readings acknowledged (${s.msgsPerSec.toFixed(1)} msgs/s), ` +
    `${plural(s.errors, 'error')}, ${s.dropped} dropped, ${s.pending} unacknowledged, ` +
    `${plural(s.disconnects, 'disconnect')}, ${s.skippedTicks} ticks skipped${last}`
  );
}

function iso(ts: number): string {
  return new Date(ts).toISOString();
}

/** 42 s, 3 min 20 s, 2 h 05 min. */
function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
