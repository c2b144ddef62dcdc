import type { AlertFacts, AlertRule } from './contract.js';

/**
 * The alert state machine. Pure: every step gets the conditions seen now and the time, and answers what was
 * raised and what cleared. Per condition (key):
 *
 *   idle ──raise──► pending ──raise held for forMs──► ACTIVE ──clear──► clearing ──clear held for clearForMs──► idle
 *                     │ not raise                       ▲                  │ raise, or in the band
 *                     ▼                                 └──────────────────┘
 *                    idle
 *
 * `raise` and `clear` are two thresholds with a band between them (hysteresis): in the band an active alert
 * stays active and a pending one is dropped, so a value hovering at the raise threshold cannot make an alert
 * come and go. A condition that stops being observed at all (its PDU gone from the fleet, its readings gone
 * stale) counts as over. Only non-idle conditions are kept: memory follows the alerts, not the fleet size.
 */
export interface Signal extends AlertFacts {
  /** The condition holds: beyond the raise threshold. */
  raise: boolean;
  /** The condition is over: inside the clear threshold. Neither: the band, where nothing changes. */
  clear: boolean;
  forMs: number;
  clearForMs: number;
}

export type Transition =
  | { type: 'raise'; signal: Signal; since: number; at: number }
  | { type: 'clear'; key: string; at: number; why: 'condition over' | 'no longer observed' };

interface KeyState {
  phase: 'pending' | 'active' | 'clearing';
  /** pending: when the condition began; clearing: when it ended. */
  since: number;
  clearForMs: number;
}

export class AlertEngine {
  private readonly states = new Map<string, KeyState>();

  /** Conditions active before a restart: they stay active until seen to be over for their clear time. */
  restore(active: readonly { key: string; clearForMs: number }[], now: number): void {
    for (const a of active) this.states.set(a.key, { phase: 'active', since: now, clearForMs: a.clearForMs });
  }

  /** Pending, active or clearing: the engine needs to see this condition's signal. */
  tracks(key: string): boolean {
    return this.states.has(key);
  }

  /** The rules of the conditions it follows (a key starts with its rule). */
  trackedRules(): Set<AlertRule> {
    const rules = new Set<AlertRule>();
    for (const key of this.states.keys()) rules.add(key.slice(0, key.indexOf(':')) as AlertRule);
    return rules;
  }

  isActive(key: string): boolean {
    const s = this.states.get(key);
    return s !== undefined && s.phase !== 'pending';
  }

  get tracked(): number {
    return this.states.size;
  }

  step(signals: Iterable<Signal>, now: number): Transition[] {
    const out: Transition[] = [];
    const seen = new Set<string>();
    for (const s of signals) {
      seen.add(s.key);
      const t = this.one(s, now);
      if (t) out.push(t);
    }
    for (const [key, state] of this.states) {
      if (seen.has(key)) continue;
      if (state.phase === 'pending') this.states.delete(key);
      else if (this.over(key, state, now)) out.push({ type: 'clear', key, at: now, why: 'no longer observed' });
    }
    return out;
  }

  private one(s: Signal, now: number): Transition | null {
    const state = this.states.get(s.key);
    if (!state) {
      if (!s.raise) return null;
      this.states.set(s.key, { phase: 'pending', since: now, clearForMs: s.clearForMs });
      return this.promote(s, now);
    }
    state.clearForMs = s.clearForMs;
    if (state.phase === 'pending') {
      if (!s.raise) {
        this.states.delete(s.key);
        return null;
      }
      return this.promote(s, now);
    }
    if (!s.clear) {
      // Raised again, or in the band: an active alert stays; a clearing one is active again.
      if (state.phase === 'clearing') Object.assign(state, { phase: 'active', since: now });
      return null;
    }
    return this.over(s.key, state, now) ? { type: 'clear', key: s.key, at: now, why: 'condition over' } : null;
  }

  /** A pending condition that has held for its duration becomes active. */
  private promote(s: Signal, now: number): Transition | null {
    const state = this.states.get(s.key)!;
    if (now - state.since < s.forMs) return null;
    const since = state.since;
    Object.assign(state, { phase: 'active', since: now });
    return { type: 'raise', signal: s, since, at: now };
  }

  /** The condition is over now: start (or finish) the clear time. True when the alert clears. */
  private over(key: string, state: KeyState, now: number): boolean {
    if (state.phase === 'active') Object.assign(state, { phase: 'clearing', since: now });
    if (now - state.since < state.clearForMs) return false;
    this.states.delete(key);
    return true;
  }
}
