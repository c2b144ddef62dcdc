/**
 * `--truth <file>`: the truth log as JSON lines. Each fault as it plays out (`"record":"fault"`), then at the end
 * one line per outlet, one per site and one for the run. Tests and demos join them with what the server reports.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { FaultEvent } from '../faults/types.js';
import type { FleetTruth } from '../truth.js';

export interface TruthRunInfo {
  mode: 'live' | 'history';
  seed: number;
  interval_ms: number;
  faults: number;
}

/** The end-of-run lines: outlets, then sites, then the run (pure, so the format is unit-tested). */
export function* truthLines(truth: FleetTruth, run: TruthRunInfo): Generator<string> {
  for (const o of truth.outlets) yield JSON.stringify({ record: 'outlet', ...o });
  for (const s of truth.sites) yield JSON.stringify({ record: 'site', ...s, from: truth.from, to: truth.to });
  yield JSON.stringify({ record: 'run', ...run, from: truth.from, to: truth.to, wh: truth.wh, meter_wh: truth.meter_wh });
}

export function faultLine(event: FaultEvent): string {
  return JSON.stringify({ record: 'fault', ...event });
}

/**
 * Opened at start-up, so a path that cannot be written fails before anything is published. Writes are
 * synchronous: a few lines per fault, and nothing is lost if the process is killed after a line.
 */
export class TruthFile {
  private readonly fd: number;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'w');
  }

  fault(event: FaultEvent): void {
    writeSync(this.fd, `${faultLine(event)}\n`);
  }

  close(truth: FleetTruth, run: TruthRunInfo): void {
    // In chunks: a million outlets would make one string of some 200 MB.
    let chunk = '';
    for (const line of truthLines(truth, run)) {
      chunk += `${line}\n`;
      if (chunk.length >= 1 << 16) {
        writeSync(this.fd, chunk);
        chunk = '';
      }
    }
    writeSync(this.fd, chunk);
    closeSync(this.fd);
  }
}
