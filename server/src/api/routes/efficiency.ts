import { Router } from 'express';
import { loadAsicSpecs } from '../../../../simulators/src/models.js';
import { efficiencyReport } from '../../energy/efficiency.js';
import { NameplateTable } from '../../energy/nameplate.js';
import type { Store } from '../../store/store.js';
import { id, parseQuery, range } from '../params.js';

const query = range({ site: id }, 31);

/**
 * GET /api/efficiency — J/TH of a site, each PDU and each rig over [from, to) (∫power dt / ∫hashrate dt), each
 * rig's drift from its model's nameplate, and the site's overhead (facility meter kWh / Σ PDU kWh).
 * The nameplates are read once, here, from simulators/data/asic-specs.csv unless given.
 */
export function efficiencyRouter(store: Store, nameplates: NameplateTable = new NameplateTable(loadAsicSpecs())): Router {
  const router = Router();
  router.get('/efficiency', async (req, res) => {
    const q = parseQuery(query, req.query);
    const filter = { site: q.site, from: q.from, to: q.to };
    const [outlets, miners, meters] = await Promise.all([store.outlets(filter), store.miners(filter), store.meters(filter)]);
    const report = efficiencyReport({ outlets, miners, meters, range: { from: q.from, to: q.to }, nameplates });
    res.json({
      site: q.site,
      from: q.from,
      to: q.to,
      ...report,
      note: 'J/TH = energy (J) / hash-work (TH) = ∫P dt / ∫H dt over the range, not an average of ratios. drift = (J/TH − nameplate J/TH) / nameplate J/TH. overhead.ratio = facility meter kWh / Σ PDU outlet kWh (PUE-style). Compare energy_completeness with hash_completeness: gaps on one side only bias J/TH. See docs/energy.md.',
    });
  });
  return router;
}
