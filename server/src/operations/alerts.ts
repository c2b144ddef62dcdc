import type { Logger } from 'pino';
import type { AlertStore } from './alert-store.js';
import type { AlertChange, AlertRecord, AlertRule } from './contract.js';
import type { Tracked } from './detectors.js';
import { AlertEngine, type Signal } from './engine.js';
import type { WebhookSender } from './webhook.js';

/** Rules whose value gets worse as it grows: their `peak` is the highest value seen while active. */
const PEAK_RULES: ReadonlySet<AlertRule> = new Set(['overload', 'site_capacity', 'efficiency_drift', 'phase_imbalance']);

/**
 * Alerts as a whole: the engine decides, the store remembers, listeners (the live socket) and the webhook
 * hear every change — raised, acknowledged, cleared. The active alerts are also kept in memory, so a frame
 * can count them per node without reading the disk.
 */
export class AlertService {
  private readonly engine = new AlertEngine();
  private readonly activeByKey = new Map<string, AlertRecord>();
  private readonly listeners = new Set<(change: AlertChange) => void>();

  constructor(
    private readonly store: AlertStore,
    private readonly webhook: WebhookSender | null,
    private readonly log: Logger,
  ) {}

  /** Take over the alerts that were active when the process stopped. */
  restore(now: number): void {
    const active = this.store.active();
    for (const a of active) {
      const { clearForMs: _c, ...record } = a;
      this.activeByKey.set(a.key, record);
    }
    this.engine.restore(active, now);
    if (active.length > 0) this.log.info({ active: active.length }, 'alerts active before the restart are still active until their conditions are seen to be over');
  }

  onChange(listener: (change: AlertChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  active(): AlertRecord[] {
    return [...this.activeByKey.values()].sort((a, b) => b.raised_at - a.raised_at || b.id - a.id);
  }

  list(q: { state: 'active' | 'all'; site?: string | undefined; limit: number }): AlertRecord[] {
    return this.store.list(q);
  }

  /** The conditions the engine follows (see detect's `tracked`). */
  tracked(): Tracked {
    return { rules: this.engine.trackedRules(), has: (key) => this.engine.tracks(key) };
  }

  step(signals: readonly Signal[], now: number): void {
    for (const t of this.engine.step(signals, now)) {
      if (t.type === 'raise') this.raise(t.signal, t.since, t.at);
      else this.clear(t.key, t.at);
    }
    for (const s of signals) this.trackPeak(s);
  }

  /**
   * Acknowledge: the alert stays until its condition clears, marked as seen by `by`. `changed` is false when it
   * was acknowledged before (by whoever `acked_by` names): nothing changes then. Null: no such alert.
   */
  ack(id: number, by: string, now: number): { alert: AlertRecord; changed: boolean } | null {
    const result = this.store.ack(id, by, now);
    if (!result) return null;
    if (result.changed) {
      if (this.activeByKey.get(result.alert.key)?.id === id) this.activeByKey.set(result.alert.key, result.alert);
      this.emit({ change: 'acked', alert: result.alert });
    }
    return result;
  }

  private raise(s: Signal, since: number, at: number): void {
    const existing = this.store.activeByKey(s.key);
    if (existing) {
      // Restored after a restart and raised again before the engine saw it over: still the same alert.
      this.activeByKey.set(s.key, existing);
      return;
    }
    const alert = this.store.insert({ ...s, clearForMs: s.clearForMs, since, raisedAt: at });
    this.activeByKey.set(s.key, alert);
    this.log.warn({ alert: alert.id, rule: alert.rule, subject: alert.subject }, alert.message);
    this.emit({ change: 'raised', alert });
  }

  private clear(key: string, at: number): void {
    const active = this.activeByKey.get(key);
    this.activeByKey.delete(key);
    if (!active) return;
    if (active.peak !== null) this.store.setPeak(active.id, active.peak);
    const alert = this.store.clear(active.id, at);
    if (!alert) return;
    this.log.info({ alert: alert.id, rule: alert.rule, subject: alert.subject }, 'alert cleared');
    this.emit({ change: 'cleared', alert });
  }

  private trackPeak(s: Signal): void {
    if (s.value === null || !PEAK_RULES.has(s.rule)) return;
    const a = this.activeByKey.get(s.key);
    if (!a || (a.peak !== null && s.value <= a.peak)) return;
    // Written now and then, not every tick: at most when the peak grew by 1 %; the exact peak is written on clear.
    if (a.peak === null || s.value > a.peak * 1.01) this.store.setPeak(a.id, s.value);
    a.peak = s.value;
  }

  private emit(change: AlertChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (err) {
        this.log.error({ err }, 'alert listener failed');
      }
    }
    this.webhook?.send(change);
  }
}
