import { Router } from 'express';
import { loadAsicSpecs } from '../../../../simulators/src/models.js';
import { efficiencyReport, type RigTags } from '../../energy/efficiency.js';
import { NameplateTable } from '../../energy/nameplate.js';
import type { FleetRegistry } from '../../fleet/registry.js';
import { groupFigures, type GroupSource } from '../../reconcile/groups.js';
import type { Figures } from '../../rollup/figures.js';
import type { Store } from '../../store/store.js';
import { id, parseQuery, range } from '../params.js';

const query = range({ site: id }, 370);

const HOUR_MS = 3_600_000;
/** Where to look for each rig's PDU and model: the range's last minute, then its last hour, day, 31 days. */
const TAG_WINDOWS_MS = [60_000, HOUR_MS, 24 * HOUR_MS, 31 * 24 * HOUR_MS];

export interface EfficiencyRouteDeps extends GroupSource {
  fleet?: () => FleetRegistry;
  nameplates?: NameplateTable;
}

/**
 * GET /api/efficiency — J/TH of a site, each PDU and each rig over [from, to) (∫power dt / ∫hashrate dt), each
 * rig's drift from its model's nameplate, and the site's overhead (facility meter kWh / Σ PDU kWh). The
 * figures come from rollups where clean (raw readings elsewhere), as /api/energy's do; each rig's PDU and
 * model from its last readings in the range, else the fleet file. The nameplates are read once, here, from
 * simulators/data/asic-specs.csv unless given.
 */
export function efficiencyRouter(deps: EfficiencyRouteDeps): Router {
  const nameplates = deps.nameplates ?? new NameplateTable(loadAsicSpecs());
  const router = Router();
  router.get('/efficiency', async (req, res) => {
    const q = parseQuery(query, req.query);
    const figures = await groupFigures(deps, q.site, q.from, q.to);
    const tags = await rigTags(deps.store, q.site, q.from, q.to, figures.groups, deps.fleet?.());
    const report = efficiencyReport({ groups: figures.groups, range: { from: q.from, to: q.to }, nameplates, tagsOf: (rig) => tags.get(rig) ?? { pdu: null, model: null } });
    res.json({
      site: q.site,
      from: q.from,
      to: q.to,
      ...report,
      answered_from: figures.answered_from,
      note: 'J/TH = energy (J) / hash-work (TH) = ∫P dt / ∫H dt over the range, not an average of ratios. drift = (J/TH − nameplate J/TH) / nameplate J/TH. overhead.ratio = facility meter kWh / Σ PDU outlet kWh (PUE-style). Compare energy_completeness with hash_completeness: gaps on one side only bias J/TH. See docs/energy.md.',
    });
  });
  return router;
}

/**
 * Each rig's PDU (from its outlet readings) and the model its miner reported last. Rollups do not hold them;
 * the newest readings in the range do, so the search reads further back, a slice at a time, only while a rig
 * that has outlet readings lacks its PDU or one that has miner readings lacks its model (a miner that reports
 * no model would otherwise send every request 31 days back). What readings do not say, the fleet file does.
 */
async function rigTags(store: Store, site: string, from: number, to: number, groups: ReadonlyMap<string, Figures>, fleet: FleetRegistry | undefined): Promise<Map<string, RigTags>> {
  const rigs = [...groups].filter(([key]) => key.startsWith('rig/')).map(([key, f]) => ({ rig: key.slice(4), outlets: f.series_ms > 0, miners: f.miner_samples > 0 }));
  const pdus = new Map<string, string>();
  const models = new Map<string, string>();
  const known = (rig: string) => fleet?.rigOutlet(site, rig);
  const missing = () => rigs.some((r) => (r.outlets && !pdus.has(r.rig) && !known(r.rig)) || (r.miners && !models.has(r.rig) && !known(r.rig)?.model));
  let end = to;
  for (const span of TAG_WINDOWS_MS) {
    const start = Math.max(from, to - span);
    if (start >= end) continue;
    const [outlets, miners] = await Promise.all([store.outlets({ site, from: start, to: end, energyOnly: true }), store.miners({ site, from: start, to: end })]);
    // Newest first: a slice further back only fills in what the newer ones did not say.
    for (const o of outlets.sort((x, y) => y.ts - x.ts)) if (o.rig !== undefined && !pdus.has(o.rig)) pdus.set(o.rig, o.pdu);
    for (const m of miners.sort((x, y) => y.ts - x.ts)) if (m.model !== undefined && m.model !== '' && !models.has(m.rig)) models.set(m.rig, m.model);
    end = start;
    if (start === from || !missing()) break;
  }
  return new Map(rigs.map(({ rig }) => [rig, { pdu: pdus.get(rig) ?? known(rig)?.pdu.id ?? null, model: models.get(rig) ?? known(rig)?.model ?? null }]));
}
