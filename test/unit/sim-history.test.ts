import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { formatFaultLine, formatFleetLine, formatHistoryFinalLine, formatHistoryProgressLine } from '../../simulators/src/cli/format.js';
import { CLI_DEFAULTS, type RawCliOptions } from '../../simulators/src/cli/options.js';
import { parseTime, toCliRun } from '../../simulators/src/cli/run-options.js';
import { faultLine, truthLines } from '../../simulators/src/cli/truth-file.js';
import type { PduPayloadV1 } from '../../simulators/src/encoders/native.js';
import { FAULT_KINDS, type FaultEvent } from '../../simulators/src/faults/types.js';
import { createFleet } from '../../simulators/src/fleet.js';
import { historyFleet, historyTicks, publishHistory, type HistoryOptions, type HistoryProgress, type HistoryResult } from '../../simulators/src/history.js';
import { loadAsicSpecs } from '../../simulators/src/models.js';
import { PublishTracker } from '../../simulators/src/mqtt/tracker.js';

const MODELS = loadAsicSpecs();
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);
const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;

describe('history ticks', () => {
  it('cover [from, to) exactly once per interval, from `from` on', () => {
    const ticks = [...historyTicks(T0, T0 + 6 * HOUR, 60_000)];
    expect(ticks).toHaveLength(360);
    expect(ticks[0]).toBe(T0);
    expect(ticks.at(-1)).toBe(T0 + 6 * HOUR - 60_000);
    expect(ticks.every((ts, i) => ts === T0 + i * 60_000)).toBe(true);
  });

  it('keep the interval from an unaligned start, and stop before `to`', () => {
    expect([...historyTicks(T0 + 250, T0 + 3_000, 1000)]).toEqual([T0 + 250, T0 + 1250, T0 + 2250]);
    expect([...historyTicks(T0, T0 + 3_001, 1000)]).toEqual([T0, T0 + 1000, T0 + 2000, T0 + 3000]);
    expect([...historyTicks(T0, T0, 1000)]).toEqual([]);
  });
});

/** Stands in for MQTT.js only in this pure test: acknowledges each publish on a later turn of the event loop. */
function fakeClients(n: number) {
  const log: Array<{ client: number; topic: string; payload: string }> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const clients = Array.from({ length: n }, (_, i) => ({
    publish(topic: string, payload: string, _opts: unknown, cb: (err?: Error) => void) {
      log.push({ client: i, topic, payload });
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setImmediate(() => {
        inFlight--;
        cb();
      });
    },
  })) as unknown as MqttClient[];
  return { clients, log, maxInFlight: () => maxInFlight };
}

const sixHours: HistoryOptions = {
  url: 'mqtt://unused', sites: 1, rigs: 24, intervalMs: 60_000, seed: 42, from: T0, to: T0 + 6 * HOUR, maxInFlight: 50, faults: { kinds: FAULT_KINDS },
};

describe('historical publishing', () => {
  it('publishes every tick of the range once, stamped with its time, through a bounded window', async () => {
    const fake = fakeClients(3);
    const progress: HistoryProgress[] = [];
    const faults: FaultEvent[] = [];
    const result = await publishHistory(historyFleet(sixHours), fake.clients, { ...sixHours, progressEveryMs: 0, onProgress: (p) => progress.push(p), onFault: (e) => faults.push(e) });
    expect(fake.maxInFlight()).toBeLessThanOrEqual(50);
    const meterTimes = fake.log.filter((m) => m.topic.endsWith('/meter/main')).map((m) => (JSON.parse(m.payload) as { ts: number }).ts);
    expect(meterTimes).toEqual([...historyTicks(T0, T0 + 6 * HOUR, 60_000)]);
    // 360 ticks × (2 PDUs + 24 miners + 1 meter), less the 10 PDU messages of the gap, plus the duplicate.
    expect(result).toMatchObject({ ticks: 360, totalTicks: 360, messages: 360 * 27 - 10 + 1, pending: 0, errors: 0, aborted: false, drained: true, simulatedTs: T0 + 6 * HOUR - 60_000 });
    expect(result.readings).toBe(360 * (24 + 24 + 1) - 10 * 12 + 12);
    expect(faults.map((e) => e.fault).sort()).toEqual([...FAULT_KINDS].sort());
    expect(progress.at(-1)).toMatchObject({ ticks: 360, totalTicks: 360 });
    expect(result.truth.wh).toBe(426_190);
  });

  it('keeps each topic on one connection, so a device’s messages keep their (faulted) order', async () => {
    const fake = fakeClients(4);
    await publishHistory(historyFleet(sixHours), fake.clients, sixHours);
    const clientOf = new Map<string, Set<number>>();
    for (const m of fake.log) clientOf.set(m.topic, (clientOf.get(m.topic) ?? new Set()).add(m.client));
    expect([...clientOf.values()].every((s) => s.size === 1)).toBe(true);
    expect(new Set(fake.log.map((m) => m.client)).size).toBeGreaterThan(1);
    // The same payloads, in the same order per topic, as the fleet model gives tick by tick.
    const fleet = historyFleet(sixHours);
    const expected = [...historyTicks(T0, T0 + 6 * HOUR, 60_000)].flatMap((ts) => fleet.tick(ts)).concat(fleet.flush());
    const pdu = (list: Array<{ topic: string; payload: string }>) => list.filter((m) => m.topic === 'kilowatch/site-1/pdu/r01-pdu1').map((m) => m.payload);
    expect(pdu(fake.log)).toEqual(pdu(expected));
  });

  it('can leave the miners out, and stops early (then drains) when aborted', async () => {
    const fake = fakeClients(1);
    const abort = new AbortController();
    const result = await publishHistory(historyFleet({ ...sixHours, miners: false, faults: undefined }), fake.clients, {
      ...sixHours, miners: false, signal: abort.signal, progressEveryMs: 0, onProgress: (p) => p.ticks === 100 && abort.abort(),
    });
    expect(fake.log.some((m) => m.topic.includes('/miner/'))).toBe(false);
    expect(result).toMatchObject({ aborted: true, ticks: 100, messages: 300, pending: 0 });
    expect(result.truth.to).toBe(T0 + 99 * 60_000);
  });

  it('refuses a range it cannot run', () => {
    expect(() => historyFleet({ ...sixHours, to: T0 })).toThrow('to must be after from');
    expect(() => historyFleet({ ...sixHours, intervalMs: 5 })).toThrow('intervalMs must be a whole number from 10 to 3600000, got 5');
    expect(() => historyFleet({ ...sixHours, intervalMs: 10, to: T0 + 10 * 86_400_000 * 365 })).toThrow('at most 100000000');
    expect(() => historyFleet({ ...sixHours, maxInFlight: 0 })).toThrow('maxInFlight must be a whole number from 1 to 100000, got 0');
  });
});

describe('truth over ranges', () => {
  it('gives the true register delta from the first tick at or after `from` to the last before `to`', () => {
    const fleet = createFleet({ sites: 1, rigsPerSite: 3, seed: 7, miners: false, truthStepMs: HOUR }, MODELS);
    const registers: number[] = [];
    for (const ts of historyTicks(T0, T0 + 6 * HOUR, 60_000)) {
      const pdu = fleet.tick(ts).find((m) => m.topic.endsWith('/pdu/r01-pdu1'));
      registers.push((JSON.parse(pdu?.payload ?? '') as PduPayloadV1).outlets[1]?.energy_wh as number);
    }
    const range = fleet.truth({ from: T0 + HOUR, to: T0 + 3 * HOUR });
    expect(range.outlets[1]).toMatchObject({ from_ts: T0 + HOUR, to_ts: T0 + 3 * HOUR - 60_000, first_wh: registers[60], last_wh: registers[179], wh: (registers[179] as number) - (registers[60] as number) });
    // Open ends reach the run's first and last ticks.
    expect(fleet.truth({ from: 0, to: T0 + HOUR }).outlets[1]).toMatchObject({ from_ts: T0, to_ts: T0 + HOUR - 60_000, wh: (registers[59] as number) - (registers[0] as number) });
    expect(fleet.truth({ from: T0 + 5 * HOUR, to: T0 + 100 * HOUR }).outlets[1]?.wh).toBe((registers[359] as number) - (registers[300] as number));
    // Consecutive ranges leave out the interval across each boundary, as the server's ranges do (docs/energy.md):
    // the hours add up to the whole run less the deltas from minute 59 to minute 60 of each hour.
    const hours = [0, 1, 2, 3, 4, 5].map((h) => fleet.truth({ from: T0 + h * HOUR, to: T0 + (h + 1) * HOUR }).outlets[1]?.wh as number);
    const acrossBoundaries = [1, 2, 3, 4, 5].map((h) => (registers[60 * h] as number) - (registers[60 * h - 1] as number));
    expect(sum(hours) + sum(acrossBoundaries)).toBe(fleet.truth().outlets[1]?.wh);
    expect(() => fleet.truth({ from: T0 + 30 * 60_000, to: T0 + 2 * HOUR })).toThrow('no truth at 2026-01-01T00:30:00.000Z: ranges must start and end on multiples of 3600000 ms inside the run');
  });

  it('keeps only the whole run without a step, and says so', () => {
    const fleet = createFleet({ sites: 1, rigsPerSite: 3, seed: 7 }, MODELS);
    expect(fleet.truth()).toMatchObject({ from: null, to: null, wh: 0, outlets: [] });
    for (const ts of historyTicks(T0, T0 + 3 * HOUR, 60_000)) fleet.tick(ts);
    expect(() => fleet.truth({ from: T0 + HOUR, to: T0 + 2 * HOUR })).toThrow('only the whole run is kept (set truthStepMs to ask for ranges)');
    expect(fleet.truth({ from: T0, to: T0 + 3 * HOUR })).toEqual(fleet.truth());
  });
});

describe('the command line, historical mode', () => {
  const raw = (over: Partial<RawCliOptions>): RawCliOptions => ({ ...CLI_DEFAULTS, ...over });
  const NOW = Date.UTC(2026, 5, 1, 12);

  it('takes --from and --to, --from and --duration, or --from alone up to now', () => {
    expect(toCliRun(raw({ from: '2026-01-01T00:00:00Z', to: '2026-01-01T06:00:00Z', interval: '60000', faults: 'all', truth: '/tmp/t.jsonl' }), NOW)).toEqual({
      mode: 'history',
      options: { url: 'mqtt://127.0.0.1:1883', sites: 2, rigs: 200, intervalMs: 60_000, seed: 42, from: T0, to: T0 + 6 * HOUR, faults: { kinds: [...FAULT_KINDS] } },
      truthPath: '/tmp/t.jsonl',
    });
    expect(toCliRun(raw({ from: String(T0), duration: '3600', miners: false, maxInFlight: '500' }), NOW)).toMatchObject({
      mode: 'history', options: { from: T0, to: T0 + HOUR, miners: false, maxInFlight: 500 },
    });
    expect(toCliRun(raw({ from: '2026-05-31' }), NOW).options).toMatchObject({ from: Date.UTC(2026, 4, 31), to: NOW });
    expect(toCliRun(raw({ faults: 'reset,gap=15m', faultRate: '2', duration: '7200' }), NOW)).toEqual({
      mode: 'live',
      options: { url: 'mqtt://127.0.0.1:1883', sites: 2, rigs: 200, intervalMs: 1000, seed: 42, durationS: 7200, faults: { kinds: ['reset', 'gap'], gapMs: 900_000, ratePerHour: 2 } },
    });
  });

  it.each([
    [{ to: '2026-01-02T00:00:00Z' }, '--to needs --from (historical mode)'],
    [{ maxInFlight: '10' }, '--max-in-flight applies to historical mode (--from)'],
    [{ faults: 'all', faultRate: '1' }, '--fault-rate needs a run with an end: --duration, or historical mode (--from)'],
    [{ faultRate: '1' }, '--fault-rate needs --faults'],
    [{ faults: 'all', faultRate: '0' }, '--fault-rate must be a number of faults per hour above 0, at most 3600 (got "0")'],
    [{ faults: 'reboot' }, '--faults: unknown fault "reboot"'],
    [{ from: '2026-01-01T00:00:00', to: '2026-01-02T00:00:00Z' }, '--from must be ms since the epoch or an ISO 8601 time with a zone, such as 2026-01-01T00:00:00Z (got "2026-01-01T00:00:00")'],
    [{ from: '1999-12-31T23:00:00Z' }, '--from must be in 2000 or later: the server rejects older readings (got "1999-12-31T23:00:00Z")'],
    [{ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }, '--to must be after --from (got 2026-01-02T00:00:00.000Z … 2026-01-01T00:00:00.000Z)'],
    [{ from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z', duration: '60' }, 'give --to or --duration, not both'],
    [{ from: '2020-01-01T00:00:00Z', interval: '10' }, '--from … --to is 20247840000 ticks of 10 ms: at most 100000000 (use a longer --interval)'],
    [{ from: '2026-01-01T00:00:00Z', maxInFlight: '0' }, '--max-in-flight must be a whole number from 1 to 100000 (got "0")'],
    [{ truth: ' ' }, '--truth needs a file name'],
  ])('refuses %o', (over, message) => {
    expect(() => toCliRun(raw(over), NOW)).toThrow(message);
  });

  it('reads times as ms or ISO 8601 with a zone', () => {
    expect(parseTime('--from', '2026-01-01T01:00:00+01:00')).toBe(T0);
    expect(parseTime('--from', '2026-01-01T00:00:00.250Z')).toBe(T0 + 250);
    expect(parseTime('--from', '1767225600000')).toBe(T0);
  });
});

describe('what the CLI prints and writes', () => {
  const result: HistoryResult = {
    from: T0, to: T0 + 6 * HOUR, simulatedTs: T0 + 6 * HOUR - 60_000, ticks: 360, totalTicks: 360, messages: 9711, readings: 17_532,
    pending: 0, errors: 0, elapsedMs: 1250, msgsPerSec: 7768.8, readingsPerSec: 14_025.6, etaMs: 0, aborted: false, drained: true, faults: [],
    truth: { from: T0, to: T0 + 6 * HOUR - 60_000, wh: 426_190, meter_wh: 507_353, sites: [{ site: 'site-1', wh: 426_190, outlets: 24, meter_wh: 507_353 }], outlets: [] },
  };

  it('describes a historical run with faults, its progress and its end', () => {
    const fleet = createFleet({ sites: 1, rigsPerSite: 24, seed: 42 }, MODELS);
    expect(formatFleetLine(fleet.summary(), { url: 'mqtt://h:1', intervalMs: 60_000, seed: 42, from: T0, to: T0 + 6 * HOUR, faults: { kinds: ['reset', 'gap'], ratePerHour: 2 } })).toBe(
      '1 site, 2 PDUs (12 outlets), 24 rigs: 24 × Antminer S19 XP → mqtt://h:1 every 60000 ms, seed 42, ' +
        'from 2026-01-01T00:00:00.000Z to 2026-01-01T06:00:00.000Z (360 ticks, historical), faults: reset, gap (2/h each)',
    );
    expect(formatHistoryProgressLine({ ...result, simulatedTs: T0 + 3 * HOUR, ticks: 180, messages: 4800, pending: 12, etaMs: 200_000 })).toBe(
      '2026-01-01T03:00:00.000Z (50.0 %): 4800 msgs (7768.8/s), 17532 readings (14025.6/s), 12 pending, ETA 3 min 20 s',
    );
    expect(formatHistoryFinalLine(result)).toBe(
      'reached 2026-01-01T06:00:00.000Z after 1 s: 360 of 360 ticks, 9711 msgs and 17532 readings acknowledged (7768.8 msgs/s, ' +
        '14025.6 readings/s), 0 errors, 0 unacknowledged, 0 faults; true IT energy 426190 Wh, meters 507353 Wh',
    );
  });

  it('logs a fault on one line and writes the truth as JSON lines', () => {
    const event: FaultEvent = {
      fault: 'glitch', at: T0 + 60_000, site: 'site-1', pdu: 'r01-pdu2', topic: 'kilowatch/site-1/pdu/r01-pdu2', outlet: 12, rig: 'site-1-r01-u24',
      from_ts: T0, to_ts: T0 + 120_000, register_before: 100, register_fault: 0, register_after: 200, counted_wh: 100,
      server_branch: 'glitch (dip)', complete: true, note: 'one reading of 0, then back in line',
    };
    expect(formatFaultLine(event)).toBe('fault glitch site-1/r01-pdu2 outlet 12 (site-1-r01-u24) at 2026-01-01T00:01:00.000Z: one reading of 0, then back in line');
    expect(JSON.parse(faultLine(event))).toEqual({ record: 'fault', ...event });
    const truth = { ...result.truth, outlets: [{ site: 'site-1', pdu: 'r01-pdu1', outlet: 1, rig: 'site-1-r01-u01', from_ts: T0, to_ts: T0 + 60_000, first_wh: 10, last_wh: 60, wh: 50, register_wrap_wh: 2 ** 32 }] };
    expect([...truthLines(truth, { mode: 'history', seed: 42, interval_ms: 60_000, faults: 9 })].map((l) => JSON.parse(l) as unknown)).toEqual([
      { record: 'outlet', site: 'site-1', pdu: 'r01-pdu1', outlet: 1, rig: 'site-1-r01-u01', from_ts: T0, to_ts: T0 + 60_000, first_wh: 10, last_wh: 60, wh: 50, register_wrap_wh: 2 ** 32 },
      { record: 'site', site: 'site-1', wh: 426_190, outlets: 24, meter_wh: 507_353, from: T0, to: T0 + 6 * HOUR - 60_000 },
      { record: 'run', mode: 'history', seed: 42, interval_ms: 60_000, faults: 9, from: T0, to: T0 + 6 * HOUR - 60_000, wh: 426_190, meter_wh: 507_353 },
    ]);
  });
});

describe('the publish window', () => {
  it('wakes a waiter once fewer than its limit are in flight', async () => {
    const tracker = new PublishTracker();
    const acks: Array<() => void> = [];
    const client = { publish: (_t: string, _p: string, _o: unknown, cb: () => void) => acks.push(cb) } as unknown as MqttClient;
    for (let i = 0; i < 3; i++) tracker.publish(client, { topic: 'a', payload: '1', readings: 1 }, false, true);
    let woken = false;
    const waiting = tracker.whenBelow(3).then(() => (woken = true));
    await Promise.resolve();
    expect(woken).toBe(false);
    acks[0]?.();
    await waiting;
    expect(tracker.snapshot().pending).toBe(2);
    await expect(tracker.whenBelow(3)).resolves.toBeUndefined();
  });
});
