/**
 * Normalized readings: what every dialect decodes into and every store writes.
 * Times are milliseconds since the Unix epoch, taken from the device (`ts`), never from arrival.
 */

/**
 * Where a reading came from, for dialects whose devices do not name their site, PDU and outlet
 * (Tasmota, Shelly, Sparkplug, line protocol): the fleet registry binds `dialect`/`device`/`channel`
 * to a site, PDU outlet, rig or meter. Not stored.
 */
export interface ReadingSource {
  dialect: string;
  /** The device's own id: Tasmota topic, Shelly id, Sparkplug edge node/device, line-protocol tag value. */
  device: string;
  /** 1-based channel (relay, outlet, phase) on a multi-channel device. */
  channel?: number;
  /** Sparkplug metric or line-protocol measurement.field, where that is what identifies the quantity. */
  metric?: string;
}

/** One PDU outlet's electrical reading. `energy_wh` is the outlet's lifetime register. */
export interface OutletReading {
  kind: 'outlet';
  site: string;
  pdu: string;
  outlet: number;
  rig?: string;
  ts: number;
  power_w: number;
  energy_wh?: number;
  voltage_v?: number;
  current_a?: number;
  pf?: number;
  source?: ReadingSource;
}

/** A miner's own report of its work. */
export interface MinerReading {
  kind: 'miner';
  site: string;
  rig: string;
  ts: number;
  hashrate_ths: number;
  model?: string;
  temp_c?: number;
  source?: ReadingSource;
}

/** The facility (revenue/utility) meter: IT load plus cooling plus losses. */
export interface MeterReading {
  kind: 'meter';
  site: string;
  meter: string;
  ts: number;
  power_w: number;
  energy_wh?: number;
  source?: ReadingSource;
}

export type Reading = OutletReading | MinerReading | MeterReading;

/** Online/offline as a PDU gateway announces it (retained status, MQTT last will). Live state only. */
export interface DeviceStatus {
  kind: 'status';
  site: string;
  pdu: string;
  online: boolean;
}

/** The key that makes a reading unique in the store: the same key twice is the same reading. */
export function readingKey(r: Reading): string {
  switch (r.kind) {
    case 'outlet':
      return `outlet/${r.site}/${r.pdu}/${r.outlet}/${r.rig ?? ''}/${r.ts}`;
    case 'miner':
      return `miner/${r.site}/${r.rig}/${r.model ?? ''}/${r.ts}`;
    case 'meter':
      return `meter/${r.site}/${r.meter}/${r.ts}`;
  }
}
