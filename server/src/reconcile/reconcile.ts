/**
 * Completeness and reconciliation of a site over a range: what was expected and received per device, every gap,
 * reset and rejected spike with its reason, registers against integrated power, and the facility meter against
 * the PDUs — each difference beyond tolerance flagged. `gatherReconciliation` reads; `buildReconciliation` is
 * pure, so its rules are tested on constructed figures.
 */
import type { FleetSite } from '../fleet/schema.js';
import { formatLocal, nextLocalDayStart } from '../energy/time.js';
import { emptyFigures, type Figures } from '../rollup/figures.js';
import type { RangeReader } from '../rollup/reader.js';
import { coverageOf, eventCounts, meterVsIt, methodCheck, NO_FLEET, type DeviceCoverage, type EventCounts, type FleetShape, type MeterVsIt, type MethodCheck, type Tolerances } from './checks.js';
import { DEFAULT_ITEMIZE_LIMITS, itemizeEvents, type Itemized, type ItemizeLimits } from './events.js';
import { collectingSink, groupFigures, groupsOf, sumFigures, type AnsweredFrom, type GroupSource } from './groups.js';

export interface DayFigures {
  start: number;
  end: number;
  it: Figures;
  meter: Figures | null;
}

export interface ReconcileInput {
  site: string;
  from: number;
  to: number;
  tz: string;
  groups: ReadonlyMap<string, Figures>;
  fleet: FleetShape;
  itemized: Itemized;
  days: readonly DayFigures[];
  tolerances: Tolerances;
  answered_from: AnsweredFrom;
}

export interface Flag {
  check: 'coverage' | 'energy_method' | 'meter_vs_it';
  subject: string;
  message: string;
}

export interface Reconciliation {
  site: string;
  from: number;
  to: number;
  tz: string;
  local_from: string;
  local_to: string;
  tolerances: Tolerances;
  summary: { devices: number; devices_flagged: number; flags: number; ok: boolean };
  coverage: DeviceCoverage[];
  events: { outlets: EventCounts; meters: EventCounts } & Itemized;
  energy_methods: MethodCheck[];
  meter_vs_it: MeterVsIt & { days: Array<MeterVsIt & { start: number; end: number; local_start: string }> };
  flags: Flag[];
  answered_from: AnsweredFrom;
}

export function buildReconciliation(input: ReconcileInput): Reconciliation {
  const tol = input.tolerances;
  const pdus = groupsOf(input.groups, 'pdu');
  const meters = groupsOf(input.groups, 'meter');
  const rigs = groupsOf(input.groups, 'rig');
  const site = input.groups.get('site/') ?? null;
  const meterTotal = meters.size > 0 ? sumFigures(meters.values()) : null;
  const coverage = coverageOf({ pdus, meters, rigs }, input.to - input.from, input.fleet, tol);
  const methods: MethodCheck[] = [];
  if (site) methods.push(methodCheck('site', input.site, site, tol));
  for (const [id, f] of [...pdus].sort(byKey)) methods.push(methodCheck('pdu', id, f, tol));
  for (const [id, f] of [...meters].sort(byKey)) methods.push(methodCheck('meter', id, f, tol));
  const total = meterVsIt(meterTotal, site ?? emptyFigures(), tol);
  const days = input.days.map((d) => ({ start: d.start, end: d.end, local_start: formatLocal(d.start, input.tz), ...meterVsIt(d.meter, d.it, tol) }));
  const flags: Flag[] = [
    ...coverage.filter((c) => c.flagged).map((c): Flag => ({ check: 'coverage', subject: `${c.kind}/${c.id}`, message: c.note! })),
    ...methods.filter((m) => m.flagged).map((m): Flag => ({ check: 'energy_method', subject: `${m.subject}/${m.id}`, message: m.note! })),
    ...(total.flagged ? [{ check: 'meter_vs_it' as const, subject: `site/${input.site}`, message: total.note! }] : []),
    ...days.filter((d) => d.flagged).map((d): Flag => ({ check: 'meter_vs_it', subject: `day/${d.local_start.slice(0, 10)}`, message: d.note! })),
  ];
  return {
    site: input.site,
    from: input.from,
    to: input.to,
    tz: input.tz,
    local_from: formatLocal(input.from, input.tz),
    local_to: formatLocal(input.to, input.tz),
    tolerances: tol,
    summary: { devices: coverage.length, devices_flagged: coverage.filter((c) => c.flagged).length, flags: flags.length, ok: flags.length === 0 },
    coverage,
    events: { outlets: eventCounts(site), meters: eventCounts(meterTotal), ...input.itemized },
    energy_methods: methods,
    meter_vs_it: { ...total, days },
    flags,
    answered_from: input.answered_from,
  };
}

export interface ReconcileSource extends GroupSource {
  reader: RangeReader;
}

/** Reads what a reconciliation needs: every group's figures, the events itemized, each local day's totals. */
export async function gatherReconciliation(
  src: ReconcileSource,
  q: { site: string; from: number; to: number; tz: string; fleetSite: FleetSite | undefined; tolerances: Tolerances; limits?: ItemizeLimits },
): Promise<ReconcileInput> {
  const sink = collectingSink();
  const figures = await groupFigures(src, q.site, q.from, q.to, { detail: sink });
  const itemized = await itemizeEvents(src, q.site, q.from, q.to, figures.plan, sink, q.limits ?? DEFAULT_ITEMIZE_LIMITS);
  const days: DayFigures[] = [];
  const spans = localDays(q.from, q.to, q.tz);
  // A few at a time, as /api/energy's `by=day` does.
  for (let i = 0; i < spans.length; i += 8) {
    const batch = spans.slice(i, i + 8);
    const answers = await Promise.all(batch.map((s) => src.reader.planned({ site: q.site }, s.start, s.end)));
    batch.forEach((s, j) => days.push({ ...s, it: answers[j]!.it, meter: answers[j]!.meter }));
  }
  return { site: q.site, from: q.from, to: q.to, tz: q.tz, groups: figures.groups, fleet: fleetShape(q.fleetSite), itemized, days, tolerances: q.tolerances, answered_from: figures.answered_from };
}

/** A site of the fleet file as the checks need it; no site there: nothing is expected beyond what reported. */
export function fleetShape(site: FleetSite | undefined): FleetShape {
  if (!site) return NO_FLEET;
  const pdus = new Map<string, number>();
  const rigs = new Set<string>();
  for (const rack of site.racks) {
    for (const pdu of rack.pdus) {
      pdus.set(pdu.id, pdu.outlets.length);
      for (const o of pdu.outlets) if (o.rig) rigs.add(o.rig);
    }
  }
  return { pdus, rigs, meters: new Set(site.meters.map((m) => m.id)) };
}

/** The local days of [from, to), the first and last cut to the range. */
export function localDays(from: number, to: number, tz: string): Array<{ start: number; end: number }> {
  const spans: Array<{ start: number; end: number }> = [];
  for (let start = from; start < to; ) {
    const end = Math.min(to, nextLocalDayStart(start, tz));
    spans.push({ start, end });
    start = end;
  }
  return spans;
}

function byKey(a: [string, unknown], b: [string, unknown]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}
