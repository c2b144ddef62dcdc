import { connect } from 'node:net';
import type { Logger } from 'pino';
import type { MinerReading } from '../domain/reading.js';
import type { FleetRegistry } from '../fleet/registry.js';
import { MinerReplyError, parseSummary } from './cgminer.js';

export interface MinerTarget {
  site: string;
  rig: string;
  host: string;
  port: number;
  model?: string;
  timeoutMs: number;
}

/** Where polled readings go: the same path as MQTT readings (spool, store, live view). */
export type MinerSink = (readings: MinerReading[]) => void | Promise<void>;

const MAX_REPLY_BYTES = 1024 * 1024;
const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Polls the cgminer-style API of every rig the fleet file gives an address, for the sites that enable
 * `miner_api`: every `interval_s`, with at most `concurrency` connections at once and a timeout each.
 * The readings are stored exactly as if they had come over MQTT.
 */
export class MinerPoller {
  private timer: NodeJS.Timeout | null = null;
  private readonly nextPollAt = new Map<string, number>();
  private readonly running = new Set<string>();
  readonly counts = { polls_ok: 0, polls_failed: 0, failed_by_reason: {} as Record<string, number> };

  constructor(
    private readonly fleet: () => FleetRegistry,
    private readonly sink: MinerSink,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private tick(): void {
    const now = this.clock();
    for (const site of this.fleet().fleet.sites) {
      const api = site.miner_api;
      if (!api?.enabled || this.running.has(site.id) || now < (this.nextPollAt.get(site.id) ?? 0)) continue;
      this.nextPollAt.set(site.id, now + api.interval_s * 1000);
      this.running.add(site.id);
      void this.pollSite(site.id).finally(() => this.running.delete(site.id));
    }
  }

  /** One round over a site's rigs; resolves when every rig answered, failed or timed out. */
  async pollSite(site: string): Promise<MinerReading[]> {
    const targets = minerTargets(this.fleet(), site);
    const api = this.fleet().site(site)?.miner_api;
    const readings: MinerReading[] = [];
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < targets.length; i = next++) {
        const reading = await this.pollRig(targets[i]!);
        if (reading) readings.push(reading);
      }
    };
    await Promise.all(Array.from({ length: Math.min(api?.concurrency ?? 16, targets.length) }, worker));
    if (readings.length > 0) await this.sink(readings);
    return readings;
  }

  private async pollRig(t: MinerTarget): Promise<MinerReading | null> {
    try {
      const summary = parseSummary(await askMiner(t.host, t.port, '{"command":"summary"}', t.timeoutMs));
      this.counts.polls_ok += 1;
      const now = this.clock();
      // The miner's own clock when it is plausible; a rig whose clock was never set gets the poll time.
      const ts = summary.when !== null && Math.abs(summary.when - now) <= MAX_CLOCK_SKEW_MS ? summary.when : now;
      const reading: MinerReading = { kind: 'miner', site: t.site, rig: t.rig, ts, hashrate_ths: summary.hashrate_ths };
      if (t.model) reading.model = t.model;
      if (summary.temp_c !== undefined && summary.temp_c >= -60 && summary.temp_c <= 200) reading.temp_c = summary.temp_c;
      return reading;
    } catch (err) {
      const reason = err instanceof MinerReplyError ? err.problem : ((err as NodeJS.ErrnoException).code ?? 'error').toLowerCase();
      this.counts.polls_failed += 1;
      this.counts.failed_by_reason[reason] = (this.counts.failed_by_reason[reason] ?? 0) + 1;
      this.log.debug({ rig: t.rig, host: t.host, reason, err: (err as Error).message }, 'miner poll failed');
      return null;
    }
  }
}

export function minerTargets(fleet: FleetRegistry, site: string): MinerTarget[] {
  const api = fleet.site(site)?.miner_api;
  if (!api) return [];
  const targets: MinerTarget[] = [];
  for (const o of fleet.allOutlets()) {
    if (o.site !== site || !o.rig || !o.address) continue;
    const [host, port] = splitHostPort(o.address, api.port);
    targets.push({ site, rig: o.rig, host, port, timeoutMs: api.timeout_ms, ...(o.model && { model: o.model }) });
  }
  return targets;
}

function splitHostPort(address: string, defaultPort: number): [string, number] {
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(address);
  if (!m || (address.split(':').length > 2 && !address.startsWith('['))) return [address, defaultPort];
  return [m[1]!, m[2] ? Number(m[2]) : defaultPort];
}

/** One request, one reply: the miner closes or ends its reply with a NUL byte. */
export function askMiner(host: string, port: number, command: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const socket = connect({ host, port });
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(timeoutMs, () => fail(Object.assign(new Error(`no reply within ${timeoutMs} ms`), { code: 'TIMEOUT' })));
    socket.on('connect', () => socket.write(command));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > MAX_REPLY_BYTES) return fail(Object.assign(new Error('reply too large'), { code: 'TOO_LARGE' }));
      if (chunk.includes(0)) socket.end();
    });
    socket.on('error', fail);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}
