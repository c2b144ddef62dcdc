import type { MeterReading, MinerReading, OutletReading } from '../domain/reading.js';

export type ExportKind = 'outlet' | 'miner' | 'meter';
export type ExportFormat = 'csv' | 'json';

const COLUMNS: Record<ExportKind, string[]> = {
  outlet: ['time', 'ts_ms', 'site', 'pdu', 'outlet', 'rig', 'power_w', 'energy_wh', 'voltage_v', 'current_a', 'pf'],
  miner: ['time', 'ts_ms', 'site', 'rig', 'model', 'hashrate_ths', 'temp_c'],
  meter: ['time', 'ts_ms', 'site', 'meter', 'power_w', 'energy_wh'],
};

type Row = Record<string, string | number | null>;

function rowOf(kind: ExportKind, r: OutletReading | MinerReading | MeterReading): Row {
  const base = { time: new Date(r.ts).toISOString(), ts_ms: r.ts, site: r.site };
  if (kind === 'outlet') {
    const o = r as OutletReading;
    return { ...base, pdu: o.pdu, outlet: o.outlet, rig: o.rig ?? null, power_w: o.power_w, energy_wh: o.energy_wh ?? null, voltage_v: o.voltage_v ?? null, current_a: o.current_a ?? null, pf: o.pf ?? null };
  }
  if (kind === 'miner') {
    const m = r as MinerReading;
    return { ...base, rig: m.rig, model: m.model ?? null, hashrate_ths: m.hashrate_ths, temp_c: m.temp_c ?? null };
  }
  const m = r as MeterReading;
  return { ...base, meter: m.meter, power_w: m.power_w, energy_wh: m.energy_wh ?? null };
}

/**
 * Raw readings as CSV (RFC 4180, header row, empty cell for an absent value) or JSON. Numbers are
 * written as JavaScript prints them — the shortest text that reads back as the same double — so an
 * export re-imported anywhere gives back the stored values exactly.
 */
export function encodeReadings(kind: ExportKind, format: ExportFormat, readings: readonly (OutletReading | MinerReading | MeterReading)[]): { body: Buffer; columns: string[] } {
  const columns = COLUMNS[kind];
  const rows = readings.map((r) => rowOf(kind, r));
  if (format === 'json') return { body: Buffer.from(`${JSON.stringify({ columns, rows }, null, 0)}\n`), columns };
  const lines = [columns.join(','), ...rows.map((row) => columns.map((c) => csvCell(row[c] ?? null)).join(','))];
  return { body: Buffer.from(`${lines.join('\r\n')}\r\n`), columns };
}

function csvCell(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
