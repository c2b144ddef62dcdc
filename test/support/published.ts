/**
 * What a publisher sent, turned into the rows a store must hold — built from the JSON payloads alone,
 * independently of the server's decoder, so the comparison can catch the decoder too.
 */
export interface OutletRow {
  site: string;
  pdu: string;
  outlet: number;
  rig: string | null;
  ts: number;
  power_w: number;
  energy_wh: number | null;
  voltage_v: number | null;
  current_a: number | null;
  pf: number | null;
}
export interface MinerRow {
  site: string;
  rig: string;
  model: string | null;
  ts: number;
  hashrate_ths: number;
  temp_c: number | null;
}
export interface MeterRow {
  site: string;
  meter: string;
  ts: number;
  power_w: number;
  energy_wh: number | null;
}

export class PublishedLedger {
  readonly outlets = new Map<string, OutletRow>();
  readonly miners = new Map<string, MinerRow>();
  readonly meters = new Map<string, MeterRow>();

  add(topic: string, payload: string): void {
    const [, site = '', kind, device = '', sub] = topic.split('/');
    if (sub !== undefined) return; // status
    const body = JSON.parse(payload) as Record<string, unknown>;
    const ts = body.ts as number;
    const num = (v: unknown) => (typeof v === 'number' ? v : null);
    if (kind === 'pdu') {
      for (const o of body.outlets as Record<string, unknown>[]) {
        const row: OutletRow = {
          site, pdu: device, outlet: o.outlet as number, rig: (o.rig as string | undefined) ?? null, ts, power_w: o.power_w as number,
          energy_wh: num(o.energy_wh), voltage_v: num(o.voltage_v), current_a: num(o.current_a), pf: num(o.pf),
        };
        this.outlets.set(`${site}/${device}/${row.outlet}/${row.rig ?? ''}/${ts}`, row);
      }
    } else if (kind === 'miner') {
      const row: MinerRow = { site, rig: device, model: (body.model as string | undefined) ?? null, ts, hashrate_ths: body.hashrate_ths as number, temp_c: num(body.temp_c) };
      this.miners.set(`${site}/${device}/${row.model ?? ''}/${ts}`, row);
    } else if (kind === 'meter') {
      this.meters.set(`${site}/${device}/${ts}`, { site, meter: device, ts, power_w: body.power_w as number, energy_wh: num(body.energy_wh) });
    }
  }

  get total(): number {
    return this.outlets.size + this.miners.size + this.meters.size;
  }
}

/** Rows in one canonical order, for exact comparison. */
export function sortRows<T extends { ts: number }>(rows: Iterable<T>): T[] {
  return [...rows].sort((a, b) => a.ts - b.ts || JSON.stringify(a).localeCompare(JSON.stringify(b)));
}
