import mqtt, { type MqttClient } from 'mqtt';
import { createFleet } from '../../simulators/src/fleet.js';
import { percentile, timeReached } from './stats.js';
import type { ServerProcess } from '../support/server-process.js';

export interface IngestRunOptions {
  mqttUrl: string;
  influxUrl: string;
  database: string;
  server: ServerProcess;
  /** Target outlet readings per second. */
  rate: number;
  seconds: number;
  publishers?: number;
  log: (line: string) => void;
}

export interface IngestRunResult {
  rate: number;
  published: number;
  stored: number;
  lost: number;
  achievedPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

const OUTLETS_PER_PDU = 24;
const SITES = 4;
const SLICES_PER_SECOND = 10;
const SAMPLE_MS = 50;

/**
 * One load step: the simulator's fleet model at `rate` outlet readings/s (PDU messages only, 24 outlets each,
 * spread over each second as real gateways are), published with QoS 1 over a few connections.
 * Latency is publish → stored: the spool is first-in first-out, so the n-th reading published is stored
 * when the server's stored counter reaches n (sampled every 50 ms, which bounds the resolution).
 */
export async function runIngestStep(o: IngestRunOptions): Promise<IngestRunResult> {
  const fleet = createFleet({ sites: SITES, rigsPerSite: Math.max(1, Math.round(o.rate / SITES)), seed: 42, outletsPerPdu: OUTLETS_PER_PDU });
  const clients = await Promise.all(
    Array.from({ length: o.publishers ?? 4 }, (_, i) => mqtt.connectAsync(o.mqttUrl, { clientId: `kw-bench-${process.pid}-${i}`, clean: true, protocolVersion: 5 })),
  );
  const stored: { t: number; count: number }[] = [];
  const sent: { t: number; count: number }[] = [];
  const sampler = sampleStored(o.server, stored);
  const acks: Promise<unknown>[] = [];
  let published = 0;
  const started = Date.now();
  let lastLog = started;
  for (let second = 0; second < o.seconds; second++) {
    const tickTs = started + second * 1000;
    const messages = fleet.tick(tickTs).filter((m) => m.topic.includes('/pdu/'));
    for (let s = 0; s < SLICES_PER_SECOND; s++) {
      await sleepUntil(tickTs + (s * 1000) / SLICES_PER_SECOND);
      const slice = messages.filter((_, i) => i % SLICES_PER_SECOND === s);
      for (const [i, m] of slice.entries()) acks.push(publish(clients[i % clients.length]!, m.topic, m.payload));
      published += slice.reduce((n, m) => n + m.readings, 0);
      sent.push({ t: Date.now(), count: published });
    }
    if (Date.now() - lastLog >= 5000) {
      lastLog = Date.now();
      o.log(`  ${second + 1} s: ${published} published, ${stored.at(-1)?.count ?? 0} stored`);
    }
  }
  await Promise.all(acks);
  const elapsed = (Date.now() - started) / 1000;
  await waitStored(o.server, published, o.log);
  sampler.stop();
  await sampler.done;
  await Promise.all(clients.map((c) => c.endAsync()));
  const inInflux = await countInInflux(o.influxUrl, o.database);
  return { rate: o.rate, published, stored: inInflux, lost: published - inInflux, achievedPerSec: published / elapsed, ...latencies(sent, stored) };
}

function publish(client: MqttClient, topic: string, payload: string): Promise<unknown> {
  return client.publishAsync(topic, payload, { qos: 1 });
}

function latencies(sent: { t: number; count: number }[], stored: { t: number; count: number }[]): { p50Ms: number; p99Ms: number } {
  const values: number[] = [];
  let from = 0;
  let previous = 0;
  for (const slice of sent) {
    const reached = timeReached(stored, slice.count, from);
    if (!reached) break;
    from = reached.index;
    // Every reading of the slice was stored by then: weight the slice by its readings.
    for (let i = previous; i < slice.count; i++) values.push(Math.max(0, reached.t - slice.t));
    previous = slice.count;
  }
  values.sort((a, b) => a - b);
  return { p50Ms: percentile(values, 50), p99Ms: percentile(values, 99) };
}

function sampleStored(server: ServerProcess, into: { t: number; count: number }[]): { stop(): void; done: Promise<void> } {
  let running = true;
  const done = (async () => {
    while (running) {
      const h = await server.health().catch(() => null);
      if (h) into.push({ t: Date.now(), count: h.counters.readings_stored });
      await new Promise((r) => setTimeout(r, SAMPLE_MS));
    }
  })();
  return { stop: () => (running = false), done };
}

async function waitStored(server: ServerProcess, published: number, log: (line: string) => void): Promise<void> {
  let last = -1;
  let stalledSince = Date.now();
  for (;;) {
    const h = await server.health();
    const n = h.counters.readings_stored;
    if (n >= published) return;
    if (n !== last) {
      last = n;
      stalledSince = Date.now();
    } else if (Date.now() - stalledSince > 30_000) {
      log(`  stored count stuck at ${n} of ${published} for 30 s; counting what InfluxDB has`);
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function countInInflux(influxUrl: string, db: string): Promise<number> {
  const res = await fetch(`${influxUrl}/query?${new URLSearchParams({ db, q: 'SELECT count(power_w) FROM pdu_outlet' })}`);
  const body = (await res.json()) as { results: { series?: { values: [string, number][] }[] }[] };
  return body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
}

function sleepUntil(t: number): Promise<void> {
  const ms = t - Date.now();
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}
