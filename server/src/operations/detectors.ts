import { ALERT_RULES, type AlertRule, type CapacityCheck } from './contract.js';
import type { Signal } from './engine.js';
import type { RuleTiming, Rules } from './rules.js';
import type { PduEval, SiteEval, Snapshot } from './snapshot.js';

/**
 * What each rule sees in a snapshot, as signals for the engine (engine.ts). Pure. A subject with nothing to
 * judge (no fresh reading, no rating, no nameplate) gives no signal: an alert about it clears as "no longer
 * observed", and the offline rules speak for silent devices instead.
 *
 * `tracked(key)` says which conditions the engine is following (pending or active). A condition that is not
 * raising and not followed would change nothing, so no signal is built for it: on a healthy 10,000-rig fleet a
 * tick builds a handful of signals, not 30,000 objects with their messages.
 */
export function detect(snap: Snapshot, rules: Rules, tracked: Tracked = EVERYTHING): Signal[] {
  const out: Signal[] = [];
  const c: Ctx = { out, rules, tracked };
  for (const pdu of snap.pdus) {
    if (rules.overload.enabled) for (const check of pdu.checks) overload(c, pdu, check);
    if (rules.pdu_offline.enabled) pduOffline(c, pdu, snap.ts);
    if (rules.rig_offline.enabled || rules.efficiency_drift.enabled) rigs(c, pdu);
    if (rules.voltage.enabled) voltage(c, pdu);
    if (rules.phase_imbalance.enabled) imbalance(c, pdu);
  }
  for (const site of snap.sites) {
    if (rules.site_capacity.enabled) siteCapacity(c, site);
    if (rules.meter_mismatch.enabled) meterMismatch(c, site);
  }
  return out;
}

/** The conditions the engine follows, and the rules they belong to. */
export interface Tracked {
  rules: ReadonlySet<AlertRule>;
  has(key: string): boolean;
}

/** Follow everything: every subject with something to judge gives a signal (what tests want to see). */
const EVERYTHING: Tracked = { rules: new Set(ALERT_RULES), has: () => true };

interface Ctx {
  out: Signal[];
  rules: Rules;
  tracked: Tracked;
}

/**
 * Worth a signal: raising, or followed by the engine (which must see it to clear it). Per-rig rules build
 * their key only when raising or when a condition of the rule is followed: 10,000 keys a second add up.
 */
function wanted(c: Ctx, rule: AlertRule, key: string, raise: boolean): boolean {
  return raise || (c.tracked.rules.has(rule) && c.tracked.has(key));
}

const fmt = (n: number, digits = 1): string => n.toFixed(digits);

type Base = Pick<Signal, 'severity' | 'forMs' | 'clearForMs' | 'rule'>;

function timing(rule: AlertRule, t: RuleTiming): Base {
  return { rule, severity: t.severity, forMs: t.for_s * 1000, clearForMs: t.clear_for_s * 1000 };
}

function pduSubject(pdu: PduEval, what?: string): string {
  return [pdu.node.site, pdu.node.pdu, what].filter((x) => x !== undefined).join(' › ');
}

function overload(ctx: Ctx, pdu: PduEval, c: CapacityCheck): void {
  if (c.utilisation === null || c.load === null) return;
  const r = ctx.rules.overload;
  const pct = c.utilisation * 100;
  const key = `overload:${c.id}`;
  if (!wanted(ctx, 'overload', key, pct > r.raise_pct)) return;
  const how = c.source === 'measured' ? 'measured' : c.source === 'computed' ? 'from power / voltage' : 'partly from power / voltage';
  ctx.out.push({
    ...timing('overload', r),
    key,
    site: pdu.node.site,
    node: pdu.node.id,
    subject: pduSubject(pdu, c.kind === 'pdu' ? 'PDU total' : c.label),
    message: `${c.label} at ${fmt(c.load)} ${c.unit} = ${fmt(pct, 0)} % of its ${fmt(c.limit)} ${c.unit} continuous limit (${pdu.continuousPct} % of ${fmt(c.rating)} ${c.unit}); current ${how}`,
    value: c.load,
    threshold: (c.limit * r.raise_pct) / 100,
    unit: c.unit,
    raise: pct > r.raise_pct,
    clear: pct < r.clear_pct,
  });
}

function pduOffline(ctx: Ctx, pdu: PduEval, now: number): void {
  if (pdu.online === null) return;
  const key = `pdu_offline:${pdu.node.site}/${pdu.node.pdu}`;
  if (!wanted(ctx, 'pdu_offline', key, !pdu.online)) return;
  const why =
    pdu.offline === 'lwt' ? 'announced offline (last will)' : pdu.offline === 'never' ? 'no reading since the server started' : `no reading for ${fmt((now - (pdu.lastTs ?? now)) / 1000, 0)} s`;
  ctx.out.push({
    ...timing('pdu_offline', ctx.rules.pdu_offline),
    key,
    site: pdu.node.site,
    node: pdu.node.id,
    subject: pduSubject(pdu),
    message: pdu.online ? 'online' : `PDU ${why}`,
    value: null,
    threshold: null,
    unit: '',
    raise: !pdu.online,
    clear: pdu.online,
  });
}

function rigSubject(pdu: PduEval, o: PduEval['outlets'][number]): Pick<Signal, 'site' | 'node' | 'subject'> {
  return { site: pdu.node.site, node: o.node.id, subject: `${pdu.node.site} › ${pdu.node.pdu} › outlet ${o.node.outlet} (${o.rig})` };
}

/** Rig offline and efficiency drift: only while the rig's PDU is online (else the PDU's alert says it all). */
function rigs(ctx: Ctx, pdu: PduEval): void {
  if (pdu.online !== true) return;
  const { rig_offline: off, efficiency_drift: r } = ctx.rules;
  const followOff = ctx.tracked.rules.has('rig_offline');
  const followDrift = ctx.tracked.rules.has('efficiency_drift');
  for (const o of pdu.outlets) {
    if (o.rig === null) continue;
    const offKey = off.enabled && (!o.online || followOff) ? `rig_offline:${pdu.node.site}/${o.rig}` : null;
    if (offKey !== null && wanted(ctx, 'rig_offline', offKey, !o.online)) {
      ctx.out.push({
        ...timing('rig_offline', off),
        ...rigSubject(pdu, o),
        key: offKey,
        message: o.online ? 'online' : o.rigLatest ? 'rig not hashing (no fresh hashrate and under 50 W)' : 'rig has not reported',
        value: null,
        threshold: null,
        unit: '',
        raise: !o.online,
        clear: o.online,
      });
    }
    const jth = o.fresh ? o.rigLatest?.j_per_th ?? null : null;
    if (!r.enabled || jth === null || !o.nameplate) continue;
    const drift = ((jth - o.nameplate.jth) / o.nameplate.jth) * 100;
    if (drift <= r.raise_pct && !followDrift) continue;
    const key = `efficiency_drift:${pdu.node.site}/${o.rig}`;
    if (!wanted(ctx, 'efficiency_drift', key, drift > r.raise_pct)) continue;
    ctx.out.push({
      ...timing('efficiency_drift', r),
      ...rigSubject(pdu, o),
      key,
      message: `${fmt(jth)} J/TH is ${drift >= 0 ? '+' : ''}${fmt(drift)} % from the ${o.nameplate.model} nameplate ${fmt(o.nameplate.jth)} J/TH`,
      value: jth,
      threshold: o.nameplate.jth * (1 + r.raise_pct / 100),
      unit: 'J/TH',
      raise: drift > r.raise_pct,
      clear: drift < r.clear_pct,
    });
  }
}

function voltage(ctx: Ctx, pdu: PduEval): void {
  const v = pdu.voltage;
  if (!v) return;
  const r = ctx.rules.voltage;
  const pct = Math.abs(v.deviation) * 100;
  const key = `voltage:${pdu.node.site}/${pdu.node.pdu}`;
  if (!wanted(ctx, 'voltage', key, pct > r.raise_pct)) return;
  ctx.out.push({
    ...timing('voltage', r),
    key,
    site: pdu.node.site,
    node: pdu.node.id,
    subject: pduSubject(pdu),
    message: `outlet ${v.outlet} at ${fmt(v.volts)} V, ${v.deviation >= 0 ? '+' : '−'}${fmt(pct)} % from the nominal ${fmt(v.nominal)} V (limit ±${r.raise_pct} %)`,
    value: v.volts,
    threshold: null,
    unit: 'V',
    raise: pct > r.raise_pct,
    clear: pct < r.clear_pct,
  });
}

/** Imbalance = the largest deviation of a line current from the mean of the three, in % of the mean. */
export function imbalancePct(lines: readonly number[]): number | null {
  const mean = lines.reduce((s, x) => s + x, 0) / lines.length;
  if (!(mean > 0)) return null;
  return (Math.max(...lines.map((x) => Math.abs(x - mean))) / mean) * 100;
}

function imbalance(ctx: Ctx, pdu: PduEval): void {
  const lines = pdu.checks.filter((c) => c.kind === 'phase');
  if (lines.length !== 3 || lines.some((c) => c.load === null)) return;
  const amps = lines.map((c) => c.load!);
  const pct = imbalancePct(amps);
  if (pct === null) return;
  const r = ctx.rules.phase_imbalance;
  const loaded = Math.max(...lines.map((c) => c.utilisation ?? 0)) * 100 >= r.min_load_pct;
  const key = `phase_imbalance:${pdu.node.site}/${pdu.node.pdu}`;
  if (!wanted(ctx, 'phase_imbalance', key, loaded && pct > r.raise_pct)) return;
  ctx.out.push({
    ...timing('phase_imbalance', r),
    key,
    site: pdu.node.site,
    node: pdu.node.id,
    subject: pduSubject(pdu),
    message: `line currents ${amps.map((a) => fmt(a)).join(' / ')} A: ${fmt(pct, 0)} % imbalance (limit ${r.raise_pct} %)`,
    value: pct,
    threshold: r.raise_pct,
    unit: '%',
    raise: loaded && pct > r.raise_pct,
    clear: !loaded || pct < r.clear_pct,
  });
}

function siteCapacity(ctx: Ctx, site: SiteEval): void {
  const c = site.check;
  if (!c || c.utilisation === null || c.load === null) return;
  const r = ctx.rules.site_capacity;
  const pct = c.utilisation * 100;
  const key = `site_capacity:${site.node.site}`;
  if (!wanted(ctx, 'site_capacity', key, pct > r.raise_pct)) return;
  ctx.out.push({
    ...timing('site_capacity', r),
    key,
    site: site.node.site,
    node: site.node.id,
    subject: site.node.site,
    message: `${c.label} at ${fmt(c.load)} kW = ${fmt(pct, 0)} % of capacity_kw ${fmt(c.rating)} kW`,
    value: c.load,
    threshold: (c.rating * r.raise_pct) / 100,
    unit: 'kW',
    raise: pct > r.raise_pct,
    clear: pct < r.clear_pct,
  });
}

function meterMismatch(ctx: Ctx, site: SiteEval): void {
  const r = ctx.rules.meter_mismatch;
  if (site.meterPowerW === null || site.itPowerW < r.min_it_kw * 1000) return;
  const ratio = site.meterPowerW / site.itPowerW;
  const key = `meter_mismatch:${site.node.site}`;
  if (!wanted(ctx, 'meter_mismatch', key, ratio < r.raise_below || ratio > r.raise_above)) return;
  ctx.out.push({
    ...timing('meter_mismatch', r),
    key,
    site: site.node.site,
    node: site.node.id,
    subject: site.node.site,
    message: `facility meter ${fmt(site.meterPowerW / 1000)} kW vs Σ PDUs ${fmt(site.itPowerW / 1000)} kW: ratio ${fmt(ratio, 2)} (expected ${r.raise_below}–${r.raise_above})`,
    value: ratio,
    threshold: ratio < 1 ? r.raise_below : r.raise_above,
    unit: 'ratio',
    raise: ratio < r.raise_below || ratio > r.raise_above,
    clear: ratio >= r.clear_above && ratio <= r.clear_below,
  });
}
