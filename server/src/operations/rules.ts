import { z } from 'zod';
import type { AlertRule, AlertSeverity } from './contract.js';

/**
 * The alert rules: defaults here, overrides in the fleet file's optional `alerts:` section (docs/operations.md).
 * Every rule raises once its condition has held for `for_s` and clears once the condition has been over for
 * `clear_for_s`; thresholds come in raise/clear pairs with a band between them where nothing changes, so a
 * value that hovers at a threshold does not flap.
 */
export interface RuleTiming {
  enabled: boolean;
  severity: AlertSeverity;
  for_s: number;
  clear_for_s: number;
}

export interface Rules {
  /** Bank, line (phase) and PDU load in % of the continuous limit (rating × continuous_load_pct). */
  overload: RuleTiming & { raise_pct: number; clear_pct: number };
  /** Site load (facility meter, else IT load) in % of capacity_kw. */
  site_capacity: RuleTiming & { raise_pct: number; clear_pct: number };
  /** LWT `offline`, or no reading for STALE_AFTER_MS. */
  pdu_offline: RuleTiming;
  /** A rig not hashing (LiveState's rule), while its PDU is online. */
  rig_offline: RuleTiming;
  /** (live J/TH − nameplate J/TH) / nameplate J/TH in %. */
  efficiency_drift: RuleTiming & { raise_pct: number; clear_pct: number };
  /** |outlet voltage − nominal| / nominal in %. */
  voltage: RuleTiming & { raise_pct: number; clear_pct: number };
  /** Max deviation of a line current from the mean of the three, in % of the mean, when loaded. */
  phase_imbalance: RuleTiming & { raise_pct: number; clear_pct: number; min_load_pct: number };
  /** facility meter power / Σ PDU power, outside [raise_below, raise_above]. */
  meter_mismatch: RuleTiming & { raise_below: number; clear_above: number; raise_above: number; clear_below: number; min_it_kw: number };
}

export const DEFAULT_RULES: Rules = {
  overload: { enabled: true, severity: 'critical', for_s: 60, clear_for_s: 30, raise_pct: 100, clear_pct: 95 },
  site_capacity: { enabled: true, severity: 'critical', for_s: 60, clear_for_s: 60, raise_pct: 100, clear_pct: 95 },
  pdu_offline: { enabled: true, severity: 'critical', for_s: 10, clear_for_s: 10 },
  rig_offline: { enabled: true, severity: 'warning', for_s: 120, clear_for_s: 30 },
  efficiency_drift: { enabled: true, severity: 'warning', for_s: 600, clear_for_s: 120, raise_pct: 15, clear_pct: 10 },
  // ANSI C84.1 Range A is ±5 % of nominal; ASIC PSUs (200–240 V) have little margin below 208 V.
  voltage: { enabled: true, severity: 'warning', for_s: 30, clear_for_s: 30, raise_pct: 5, clear_pct: 4 },
  phase_imbalance: { enabled: true, severity: 'warning', for_s: 300, clear_for_s: 60, raise_pct: 20, clear_pct: 15, min_load_pct: 25 },
  // A meter reading below the IT load behind it is wrong (the meter includes it); far above means PDUs missing.
  meter_mismatch: { enabled: true, severity: 'warning', for_s: 300, clear_for_s: 60, raise_below: 0.97, clear_above: 0.99, raise_above: 1.6, clear_below: 1.5, min_it_kw: 1 },
};

const seconds = z.number().min(0).max(7 * 86_400);
const pct = z.number().min(0).max(1000);
const timing = {
  enabled: z.boolean().optional(),
  severity: z.enum(['critical', 'warning']).optional(),
  for_s: seconds.optional(),
  clear_for_s: seconds.optional(),
};
const band = { raise_pct: pct.optional(), clear_pct: pct.optional() };

const overrides = z
  .object({
    overload: z.object({ ...timing, ...band }).strict().optional(),
    site_capacity: z.object({ ...timing, ...band }).strict().optional(),
    pdu_offline: z.object(timing).strict().optional(),
    rig_offline: z.object(timing).strict().optional(),
    efficiency_drift: z.object({ ...timing, ...band }).strict().optional(),
    voltage: z.object({ ...timing, ...band }).strict().optional(),
    phase_imbalance: z.object({ ...timing, ...band, min_load_pct: pct.optional() }).strict().optional(),
    meter_mismatch: z
      .object({ ...timing, raise_below: z.number().min(0).optional(), clear_above: z.number().min(0).optional(), raise_above: z.number().min(0).optional(), clear_below: z.number().min(0).optional(), min_it_kw: z.number().min(0).optional() })
      .strict()
      .optional(),
  })
  .strict();

export type RuleOverrides = z.infer<typeof overrides>;

/** The fleet file's `alerts:` section; the merged rules must keep every clear threshold inside its raise one. */
export const alertRulesSchema = overrides.superRefine((o, ctx) => {
  for (const problem of bandProblems(resolveRules(o))) ctx.addIssue({ code: 'custom', path: [problem.rule], message: problem.message });
});

export function resolveRules(o: RuleOverrides | undefined): Rules {
  const r = structuredClone(DEFAULT_RULES);
  if (!o) return r;
  for (const key of Object.keys(r) as AlertRule[]) {
    const given = o[key];
    if (given) Object.assign(r[key], Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)));
  }
  return r;
}

function bandProblems(r: Rules): { rule: AlertRule; message: string }[] {
  const out: { rule: AlertRule; message: string }[] = [];
  for (const rule of ['overload', 'site_capacity', 'efficiency_drift', 'voltage', 'phase_imbalance'] as const) {
    const { raise_pct, clear_pct } = r[rule];
    if (clear_pct > raise_pct) out.push({ rule, message: `clear_pct (${clear_pct}) must not be above raise_pct (${raise_pct})` });
  }
  const m = r.meter_mismatch;
  if (!(m.raise_below <= m.clear_above && m.clear_above <= m.clear_below && m.clear_below <= m.raise_above)) {
    out.push({ rule: 'meter_mismatch', message: `need raise_below ≤ clear_above ≤ clear_below ≤ raise_above, got ${m.raise_below}, ${m.clear_above}, ${m.clear_below}, ${m.raise_above}` });
  }
  return out;
}
