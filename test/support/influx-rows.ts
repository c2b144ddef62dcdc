import type { InfluxdHandle } from '../harness/index.js';
import { sortRows, type MeterRow, type MinerRow, type OutletRow } from './published.js';

export interface StoredRows {
  outlets: OutletRow[];
  miners: MinerRow[];
  meters: MeterRow[];
}

/** Every stored row of the three measurements, read back with InfluxQL, in canonical order. */
export async function readInflux(influxd: InfluxdHandle, DB: string): Promise<StoredRows> {
  const rows = async (q: string) => {
    const res = (await influxd.query(q, DB)) as { results: { series?: { columns: string[]; values: unknown[][] }[] }[] };
    const series = res.results[0]?.series ?? [];
    return series.flatMap((s) => s.values.map((v) => Object.fromEntries(s.columns.map((c, i) => [c, v[i] ?? null])) as Record<string, unknown>));
  };
  const outlets = (await rows('SELECT * FROM pdu_outlet')).map((r): OutletRow => ({
    site: r.site as string, pdu: r.pdu as string, outlet: Number(r.outlet), rig: (r.rig as string | null) || null, ts: r.time as number, power_w: r.power_w as number,
    energy_wh: r.energy_wh as number | null, voltage_v: r.voltage_v as number | null, current_a: r.current_a as number | null, pf: r.pf as number | null,
  }));
  const miners = (await rows('SELECT * FROM miner')).map((r): MinerRow => ({
    site: r.site as string, rig: r.rig as string, model: (r.model as string | null) || null, ts: r.time as number, hashrate_ths: r.hashrate_ths as number, temp_c: r.temp_c as number | null,
  }));
  const meters = (await rows('SELECT * FROM site_meter')).map((r): MeterRow => ({
    site: r.site as string, meter: r.meter as string, ts: r.time as number, power_w: r.power_w as number, energy_wh: r.energy_wh as number | null,
  }));
  return { outlets: sortRows(outlets), miners: sortRows(miners), meters: sortRows(meters) };
}

