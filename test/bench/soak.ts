import { startSimulation } from '../../simulators/src/run.js';
import type { ServerProcess } from '../support/server-process.js';

export interface SoakOptions {
  server: ServerProcess;
  mqttUrl: string;
  minutes: number;
  /** Rigs per site (2 sites, 1 s interval, miners and meters included: a realistic mix). */
  rigs: number;
  log: (line: string) => void;
}

interface Sample {
  t: number;
  rssMb: number;
  heapMb: number;
  lagP99Ms: number;
}

/**
 * A steady load for a long time, printing the server's memory and event-loop lag as it goes. A server
 * that leaks shows a rising RSS/heap; the slope over the second half (after warm-up) says how fast.
 */
export async function runSoak(o: SoakOptions): Promise<void> {
  const sim = await startSimulation({ url: o.mqttUrl, sites: 2, rigs: o.rigs, intervalMs: 1000, seed: 42 });
  const samples: Sample[] = [];
  const started = Date.now();
  const end = started + o.minutes * 60_000;
  o.log('  min   RSS MB  heap MB  loop lag p99 ms  readings stored');
  try {
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, Math.min(30_000, Math.max(0, end - Date.now()))));
      const s = await sample(o.server, started);
      samples.push(s);
      const stored = (await o.server.health()).counters.readings_stored;
      o.log(`${(s.t / 60_000).toFixed(1).padStart(5)}  ${s.rssMb.toFixed(1).padStart(7)}  ${s.heapMb.toFixed(1).padStart(7)}  ${s.lagP99Ms.toFixed(1).padStart(15)}  ${String(stored).padStart(15)}`);
    }
  } finally {
    await sim.stop();
  }
  const tail = samples.slice(Math.floor(samples.length / 2));
  o.log(`RSS slope over the second half: ${slopePerHour(tail, (x) => x.rssMb).toFixed(2)} MB/h; heap slope: ${slopePerHour(tail, (x) => x.heapMb).toFixed(2)} MB/h (${tail.length} samples)`);
}

async function sample(server: ServerProcess, started: number): Promise<Sample> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const metric = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    t: Date.now() - started,
    rssMb: server.rssMb() ?? Number.NaN,
    heapMb: metric('kilowatch_nodejs_heap_size_used_bytes') / 2 ** 20,
    lagP99Ms: metric('kilowatch_nodejs_eventloop_lag_p99_seconds') * 1000,
  };
}

/** Least-squares slope, per hour. */
function slopePerHour(samples: Sample[], y: (s: Sample) => number): number {
  if (samples.length < 2) return Number.NaN;
  const n = samples.length;
  const mx = samples.reduce((a, s) => a + s.t, 0) / n;
  const my = samples.reduce((a, s) => a + y(s), 0) / n;
  const num = samples.reduce((a, s) => a + (s.t - mx) * (y(s) - my), 0);
  const den = samples.reduce((a, s) => a + (s.t - mx) ** 2, 0);
  return (num / den) * 3_600_000;
}
