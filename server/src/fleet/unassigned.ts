import type { Reading } from '../domain/reading.js';
import { UNASSIGNED_SITE } from '../ingest/dialects/shared/device.js';

export interface UnassignedDevice {
  pdu: string;
  outlet: number;
  dialect: string | null;
  device: string | null;
  channel: number | null;
  metric: string | null;
  first_seen: number;
  last_seen: number;
  last_power_w: number | null;
  readings: number;
}

const MAX_DEVICES = 10_000;

/**
 * Devices that published but are in no binding: stored under site `unassigned` and listed here so an
 * operator can bind them in the fleet file. Bounded: past the limit the longest-silent entry goes.
 */
export class UnassignedDevices {
  private readonly devices = new Map<string, UnassignedDevice>();

  observe(readings: readonly Reading[]): void {
    for (const r of readings) {
      if (r.site !== UNASSIGNED_SITE || r.kind !== 'outlet') continue;
      const key = `${r.pdu}/${r.outlet}`;
      const d = this.devices.get(key);
      if (d) {
        d.last_seen = Math.max(d.last_seen, r.ts);
        d.last_power_w = r.power_w;
        d.readings += 1;
        continue;
      }
      if (this.devices.size >= MAX_DEVICES) this.evictOldest();
      const src = r.source;
      this.devices.set(key, {
        pdu: r.pdu, outlet: r.outlet, dialect: src?.dialect ?? null, device: src?.device ?? null, channel: src?.channel ?? null, metric: src?.metric ?? null,
        first_seen: r.ts, last_seen: r.ts, last_power_w: r.power_w, readings: 1,
      });
    }
  }

  /** After the fleet changed: devices bound now drop out, and return here if they still come in unbound. */
  clear(): void {
    this.devices.clear();
  }

  /** How many are listed (without sorting the list, as /api/health asks every few seconds). */
  get size(): number {
    return this.devices.size;
  }

  list(): UnassignedDevice[] {
    return [...this.devices.values()].sort((a, b) => (a.pdu < b.pdu ? -1 : a.pdu > b.pdu ? 1 : a.outlet - b.outlet));
  }

  private evictOldest(): void {
    let oldest: [string, number] | null = null;
    for (const [key, d] of this.devices) if (!oldest || d.last_seen < oldest[1]) oldest = [key, d.last_seen];
    if (oldest) this.devices.delete(oldest[0]);
  }
}
