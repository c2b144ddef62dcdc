import { WakeableSleep } from '../lib/wakeable-sleep.js';
import { Yielder } from '../lib/yield-now.js';
import type { Logger } from 'pino';
import type { Reading } from '../domain/reading.js';
import { NO_SERIES_SETTINGS, type SeriesSettings } from '../energy/settings.js';
import { ROLLUP_LEVELS, type RollupFields, type RollupLevel, type RollupRow, type Store } from '../store/store.js';
import { HOUR_MS, MINUTE_MS, MinuteAccounting } from './accounting.js';
import { readWindow, reachOf } from './fetch.js';
import { hourFromMinutes, toFields } from './figures.js';
import { floorHour, type DirtyLedger } from './ledger.js';

export interface RollupEngineOptions {
  /** A minute is recomputed once it ended this long ago: readings of a live minute arrive for a few seconds more. */
  settleMs?: number;
  /** Pause between passes when there is nothing to do. */
  idleMs?: number;
  /** Most fresh runs expanded per pass, and most hours rebuilt per pass. */
  runsPerPass?: number;
  hoursPerPass?: number;
  /** Longest span of minutes recomputed from one read of the store; grows while a backfill is sparse. */
  maxChunkHours?: number;
  /** Readings one read aims at (bounds memory and the time one pass takes). */
  chunkReadings?: number;
  clock?: () => number;
  /** Per-series register widths and ratings (the fleet file); a site whose settings change is recomputed. */
  settings?: SeriesSettings;
}

export interface PassResult {
  expanded: number;
  minutes: number;
  hours: number;
}

/**
 * Keeps the 1-minute and 1-hour rollups (docs/schema.md) up to date, in the store itself. The drainer tells it
 * which readings were stored (`noteStored`, before the spool lets them go), which marks their minutes in the
 * durable ledger; the worker then, pass by pass and bounded: expands fresh marks to every minute whose
 * accounting can see the new readings, recomputes dirty minutes from raw readings, and rebuilds each hour
 * from its minutes once none of them is dirty. Late data takes the same path as live data.
 */
export class RollupEngine {
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly nap = new WakeableSleep();
  private chunkHours = 1;
  private lastProgress = 0;
  private readonly done = { minutes: 0, hours: 0 };
  private readonly clock: () => number;
  private readonly o: Required<Omit<RollupEngineOptions, 'clock' | 'settings'>>;
  readonly settings: SeriesSettings;
  /** The settings may have changed since the rollups were computed (at start, and after a fleet reload). */
  private settingsDue = true;
  private readonly settingsNoted = new Set<string>();
  /** One expansion at a time, so a query and the worker never expand the same run twice at once. */
  private expanding: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: Store,
    readonly ledger: DirtyLedger,
    private readonly log: Logger,
    opts: RollupEngineOptions = {},
  ) {
    this.clock = opts.clock ?? Date.now;
    this.settings = opts.settings ?? NO_SERIES_SETTINGS;
    this.o = {
      settleMs: opts.settleMs ?? 10_000,
      idleMs: opts.idleMs ?? 1000,
      runsPerPass: opts.runsPerPass ?? 20,
      hoursPerPass: opts.hoursPerPass ?? 24,
      maxChunkHours: opts.maxChunkHours ?? 24,
      chunkReadings: opts.chunkReadings ?? 200_000,
    };
  }

  /** Opens the ledger and starts the worker. Never waits for the store: a store that is down only delays the work. */
  async start(): Promise<void> {
    this.open();
    this.running = true;
    this.loop = this.run();
  }

  /**
   * Stops the worker. A pass in progress may hold a large read or write: it is given `graceMs`, then left to fail
   * on its own — its marks stay in the ledger, so the next start redoes that work.
   */
  async stop(graceMs = 3000): Promise<void> {
    this.running = false;
    this.nap.wake();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.loop, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    this.close();
  }

  /** Whether every stored reading is accounted for in the ledger (false until the first start's backfill is marked). */
  get ready(): boolean {
    return this.ledger.getMeta('backfill') !== null;
  }

  /** The ledger alone, without the background worker: passes run only when called (tests, the benchmark). */
  open(): void {
    this.ledger.open();
  }

  close(): void {
    this.ledger.close();
  }

  /** Readings were stored: mark their minutes (synchronous, durable). Throws if the ledger cannot commit. */
  noteStored(readings: readonly Reading[]): void {
    const bySite = new Map<string, number[]>();
    for (const r of readings) {
      const list = bySite.get(r.site);
      if (list) list.push(r.ts);
      else bySite.set(r.site, [r.ts]);
    }
    for (const [site, times] of bySite) this.ledger.markFresh(site, times);
    this.nap.wake();
  }

  /** Work until nothing is due (for tests and the benchmark; the worker does the same in the background). */
  async runUntilIdle(): Promise<PassResult> {
    const total: PassResult = { expanded: 0, minutes: 0, hours: 0 };
    for (;;) {
      const r = await this.pass();
      total.expanded += r.expanded;
      total.minutes += r.minutes;
      total.hours += r.hours;
      if (r.expanded + r.minutes + r.hours === 0) return total;
    }
  }

  /** One bounded pass: expand fresh runs, recompute one chunk of minutes, rebuild ready hours. */
  async pass(): Promise<PassResult> {
    // On the first start over existing readings (or after rollup.db was removed), mark all of them.
    if (this.ledger.getMeta('backfill') === null) await this.markExistingData();
    if (this.settingsDue) await this.recomputeChangedSettings();
    const expanded = await this.expandFresh(true);
    const minutes = await this.recomputeChunk();
    const hours = await this.rebuildHours();
    this.done.minutes += minutes;
    this.done.hours += hours;
    this.reportProgress();
    return { expanded, minutes, hours };
  }

  /** The per-series settings may have changed (the fleet file was reloaded): the next pass compares them. */
  settingsChanged(): void {
    this.settingsDue = true;
    this.nap.wake();
  }

  /**
   * A site whose register widths or ratings differ from those its rollups were computed with has every stored
   * minute recomputed: the accounting around a register drop or jump depends on them, and a rollup must equal
   * the raw answer. Until the backlog is done, long ranges of that site answer from raw readings or say to wait.
   */
  private async recomputeChangedSettings(): Promise<void> {
    this.settingsDue = false;
    for (const e of await this.store.extents()) {
      const now = this.settings.fingerprint(e.site);
      if ((this.ledger.getMeta(settingsKey(e.site)) ?? '') === now) continue;
      this.log.warn({ site: e.site, from: new Date(e.from).toISOString(), to: new Date(e.to).toISOString() }, 'rollups: the register widths or ratings of this site changed; recomputing its rollups');
      this.ledger.markDirty(e.site, e.from, e.to + 1);
      this.ledger.setMeta(settingsKey(e.site), now);
    }
  }

  /**
   * A site first recomputed records the settings its rollups use. A recorded value is left alone: when it
   * differs, the settings changed, and the next comparison recomputes the whole site.
   */
  private noteSettings(site: string): void {
    if (this.settingsNoted.has(site)) return;
    if (this.ledger.getMeta(settingsKey(site)) === null) this.ledger.setMeta(settingsKey(site), this.settings.fingerprint(site));
    this.settingsNoted.add(site);
  }

  /**
   * Expand fresh runs now (bounded), e.g. before a query reads rollups near new data. The worker expands only
   * settled minutes (`settledOnly`): the live minute is marked fresh again by every stored batch, and finding
   * its reach reads every series' context — per batch that is most of the worker's time on a large site;
   * once settled, each minute is expanded about once. It cannot be recomputed before then anyway.
   */
  expandFresh(settledOnly = false): Promise<number> {
    const before = settledOnly ? this.clock() - this.o.settleMs - MINUTE_MS + 1 : undefined;
    const next = this.expanding.then(async () => {
      let n = 0;
      for (const run of this.ledger.freshRuns(this.o.runsPerPass, before)) {
        const reach = await reachOf(this.store, run.site, run.from, run.to);
        this.ledger.expanded(run, reach.from, reach.to);
        n += 1;
      }
      return n;
    });
    this.expanding = next.catch(() => undefined);
    return next;
  }

  private async run(): Promise<void> {
    let failing = false;
    while (this.running) {
      let worked = false;
      try {
        const r = await this.pass();
        worked = r.expanded + r.minutes + r.hours > 0;
        if (failing) this.log.info('rollup passes recovered');
        failing = false;
      } catch (err) {
        if (!this.running) break; // stopped mid-pass: the ledger is closed, the marks are safe on disk
        // The store is down or slow: the marks stay, and the next pass tries again.
        if (!failing) this.log.warn({ err: (err as Error).message }, 'rollup pass failed; the marks stay and later passes retry');
        failing = true;
      }
      if (!worked && this.running) await this.nap.sleep(this.o.idleMs);
    }
  }

  /** Recompute the next chunk of dirty minutes of one site from raw readings. */
  private async recomputeChunk(): Promise<number> {
    const until = this.clock() - this.o.settleMs;
    const next = this.ledger.nextMinutes(until, this.chunkHours * HOUR_MS);
    if (!next) return 0;
    const { site, marks } = next;
    const from = marks[0]!.minute;
    const to = marks[marks.length - 1]!.minute + MINUTE_MS;
    this.noteSettings(site);
    const window = await readWindow(this.store, { site, outlets: true, meters: true, miners: true }, from, to, this.settings);
    const acc = new MinuteAccounting(window);
    const rows: RollupRow[] = [];
    const byHour = new Map<number, Map<string, RollupFields[]>>();
    const turn = new Yielder();
    for (let m = from; m < to; m += MINUTE_MS) {
      await turn.maybe();
      for (const [group, f] of acc.piece({ from: m, to: m + MINUTE_MS })) {
        const row = rowOf(site, group, '1m', m, toFields(f, MINUTE_MS));
        rows.push(row);
        collect(byHour, row);
      }
    }
    await this.store.writeRollups(rows);
    this.ledger.recomputed(site, marks);
    await this.hoursFromChunk(site, from, to, byHour);
    this.tuneChunk(window.outlets.length + window.meters.length + window.miners.length, to - from);
    return marks.length;
  }

  /** Whole hours recomputed in this chunk are rebuilt from the minutes in hand, if none was marked again. */
  private async hoursFromChunk(site: string, from: number, to: number, byHour: Map<number, Map<string, RollupFields[]>>): Promise<void> {
    const until = this.clock() - this.o.settleMs;
    const ready = new Map(this.ledger.readyHours(until, 10_000).filter((h) => h.site === site && h.hour >= from && h.hour + HOUR_MS <= to).map((h) => [h.hour, h.seq]));
    if (ready.size === 0) return;
    const rows: RollupRow[] = [];
    for (const [hour, groups] of byHour) {
      if (!ready.has(hour)) continue;
      for (const [group, minutes] of groups) rows.push(rowOf(site, group, '1h', hour, hourFromMinutes(minutes)));
    }
    await this.store.writeRollups(rows);
    for (const [hour, seq] of ready) this.ledger.hourRebuilt(site, hour, seq);
    this.done.hours += ready.size;
  }

  /** Hours whose minutes are all clean, rebuilt from the stored minute buckets. */
  private async rebuildHours(): Promise<number> {
    const until = this.clock() - this.o.settleMs;
    const hours = this.ledger.readyHours(until, this.o.hoursPerPass);
    for (const { site, hour, seq } of hours) {
      const rows: RollupRow[] = [];
      for (const level of ROLLUP_LEVELS) {
        const minutes = await this.store.rollups({ resolution: '1m', level, site, from: hour, to: hour + HOUR_MS });
        const byKey = new Map<string, RollupFields[]>();
        for (const m of minutes) (byKey.get(m.key) ?? byKey.set(m.key, []).get(m.key)!).push(m.fields);
        for (const [key, fields] of byKey) rows.push({ resolution: '1h', level, site, key, ts: hour, fields: hourFromMinutes(fields) });
      }
      await this.store.writeRollups(rows);
      this.ledger.hourRebuilt(site, hour, seq);
    }
    return hours.length;
  }

  /** Aim each read at about `chunkReadings` readings: sparse history goes a day at a time, dense an hour. */
  private tuneChunk(readings: number, spanMs: number): void {
    const perHour = readings / Math.max(1, spanMs / HOUR_MS);
    const fit = Math.floor(this.o.chunkReadings / Math.max(1, perHour));
    this.chunkHours = Math.max(1, Math.min(this.o.maxChunkHours, fit));
  }

  private reportProgress(): void {
    const now = Date.now();
    if (now - this.lastProgress < 10_000) return;
    const backlog = this.ledger.backlog();
    if (backlog.minutes + backlog.fresh < 1000) return;
    this.lastProgress = now;
    this.log.info({ backlog, recomputed: this.done }, `rollups: ${backlog.minutes + backlog.fresh} minutes and ${backlog.hours} hours to (re)compute`);
  }

  private async markExistingData(): Promise<void> {
    const extents = await this.store.extents();
    for (const e of extents) {
      this.log.info({ site: e.site, from: new Date(e.from).toISOString(), to: new Date(e.to).toISOString() }, 'rollups: marking existing readings for a backfill');
      this.ledger.markDirty(e.site, e.from, e.to + 1);
      this.ledger.setMeta(settingsKey(e.site), this.settings.fingerprint(e.site));
    }
    this.ledger.setMeta('backfill', JSON.stringify({ at: this.clock(), sites: extents.length }));
  }
}

function settingsKey(site: string): string {
  return `settings:${site}`;
}

function rowOf(site: string, group: string, resolution: '1m' | '1h', ts: number, fields: RollupFields): RollupRow {
  const slash = group.indexOf('/');
  return { resolution, level: group.slice(0, slash) as RollupLevel, site, key: group.slice(slash + 1), ts, fields };
}

function collect(byHour: Map<number, Map<string, RollupFields[]>>, row: RollupRow): void {
  const hour = floorHour(row.ts);
  const groups = byHour.get(hour) ?? byHour.set(hour, new Map()).get(hour)!;
  const group = `${row.level}/${row.key}`;
  (groups.get(group) ?? groups.set(group, []).get(group)!).push(row.fields);
}

