/** Text the CLI prints. Pure, so the lines are unit-tested. */
import type { FleetSummary } from '../fleet.js';
import { redactUrl } from '../mqtt/clients.js';
import type { SimStats } from '../stats.js';

export interface RunDescription {
  url: string;
  intervalMs: number;
  seed: number;
  durationS?: number;
}

/** e.g. `2 sites, 18 PDUs (12 outlets), 400 rigs: 168 × Antminer S21, … → mqtt://… every 1000 ms, seed 42, for 60 s` */
export function formatFleetLine(fleet: FleetSummary, run: RunDescription): string {
  const models = fleet.models.map((m) => `${m.rigs} × ${m.model}`).join(', ');
  const until = run.durationS === undefined ? 'until Ctrl-C' : `for ${run.durationS} s`;
  return (
    `${plural(fleet.sites, 'site')}, ${plural(fleet.pdus, 'PDU')} (${fleet.outletsPerPdu} outlets), ` +
    `${plural(fleet.rigs, 'rig')}: ${models} → ${redactUrl(run.url)} every ${run.intervalMs} ms, seed ${run.seed}, ${until}`
  );
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

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
