/**
 * Tasmota (tasmota/docs MQTT.md; server/src/ingest/dialects/tasmota.ts; fixtures test/fixtures/dialects/tasmota/):
 *   tele/<topic>/SENSOR  {"Time": local time, "ENERGY": {"Total": kWh, "Power": W, ...}}   every tick
 *   tele/<topic>/LWT     Online (retained, on every connect) | Offline (retained: the last will, and on a clean stop)
 *
 * Shape: a PDU's outlets are metered by multi-channel Tasmota devices (a Shelly Pro 4PM or Pro 2PM running
 * Tasmota, a POW for a lone outlet: channelGroups), named by their `Topic`: `<site>-<pdu>-pm<k>`. With more than
 * one channel Tasmota prints each ENERGY field as an array, one entry per channel; `SetOption129 1` is assumed,
 * which splits `Total` per channel too — without it Total is one sum the server cannot give to any outlet.
 *
 * Resolutions are the device's: `WattRes 1` and `VoltRes 1` (0.1 W, 0.1 V: the model's own), `AmpRes 3` (1 mA, the
 * default), `Total` with 3 decimals (EnergyRes 3: whole Wh, which the registers are) and `Factor` with 2 — the one
 * value a Tasmota cannot carry at the model's 0.001. Today/Yesterday/Period are left out: they are not lifetime
 * registers, the server does not read them, and they would need a per-day state the model does not keep.
 */
import type { OutletSample } from '../devices/pdu.js';
import type { SimMessage } from '../fleet.js';
import type { PduPlan, SitePlan } from '../layout.js';
import { coarser, stepsText } from '../quantize.js';
import { channelBindings, channelGroups, statusMessage, type ChannelRef, type DialectEncoder, type SimDevice, type TickReadings, type Will } from './types.js';

const HARDWARE: Record<number, string> = { 4: 'Shelly Pro 4PM (Tasmota)', 2: 'Shelly Pro 2PM (Tasmota)', 1: 'Sonoff POW R3 (Tasmota)' };

export const tasmota: DialectEncoder = {
  name: 'tasmota',
  devices: (site: SitePlan, pdus: readonly PduPlan[]) =>
    pdus.flatMap((pdu) => channelGroups(pdu).map((channels, k) => new TasmotaDevice(site.id, `${site.id}-${pdu.id}-pm${k + 1}`, channels))),
};

export class TasmotaDevice implements SimDevice {
  readonly dialect = 'tasmota';
  readonly hardware: string;
  readonly topics: readonly string[];

  constructor(
    readonly site: string,
    /** The device's `Topic`; also its gateway name (unique: it holds the site and PDU). */
    readonly device: string,
    readonly channels: readonly ChannelRef[],
  ) {
    this.hardware = HARDWARE[channels.length] ?? `${channels.length}-channel Tasmota`;
    this.topics = [`tele/${device}/SENSOR`, `tele/${device}/LWT`];
  }

  get name(): string {
    return this.device;
  }

  will(): Will {
    return { topic: `tele/${this.device}/LWT`, payload: 'Offline', retain: true };
  }

  bindings() {
    return channelBindings('tasmota', this.device, this.site, this.channels);
  }

  tick(ts: number, r: TickReadings): SimMessage[] {
    const samples = this.channels.map((c) => r.outlet(c));
    return [{ topic: `tele/${this.device}/SENSOR`, payload: sensorPayload(ts, samples), readings: samples.length, route: this.name }];
  }

  status(online: boolean): SimMessage[] {
    return [statusMessage(this.name, `tele/${this.device}/LWT`, online ? 'Online' : 'Offline')];
  }

  connected(): void {}

  disconnected(): Will {
    return this.will();
  }
}

/**
 * The SENSOR JSON, written by hand so each number has the device's fixed decimals ("Total":6.290, not 6.29).
 * One channel prints scalars, several print arrays (Voltage too: the channels sit on different phases).
 */
export function sensorPayload(ts: number, samples: readonly OutletSample[], utcOffsetMinutes = 0): string {
  const field = (values: string[]): string => (values.length === 1 ? (values[0] as string) : `[${values.join(',')}]`);
  const column = (f: (o: OutletSample) => string) => field(samples.map(f));
  const apparentDva = (o: OutletSample) => Math.round((o.voltageSteps * o.currentMa) / 1000);
  const reactiveDva = (o: OutletSample) => Math.round(Math.sqrt(Math.max(0, apparentDva(o) ** 2 - o.powerDw ** 2)));
  const energy = [
    `"Total":${column((o) => stepsText(o.energyWh, 3))}`,
    `"Power":${column((o) => stepsText(o.powerDw, 1))}`,
    `"ApparentPower":${column((o) => stepsText(apparentDva(o), 1))}`,
    `"ReactivePower":${column((o) => stepsText(reactiveDva(o), 1))}`,
    `"Factor":${column((o) => stepsText(coarser(o.pfSteps, 3, 2), 2))}`,
    `"Voltage":${column((o) => stepsText(o.voltageSteps, 1))}`,
    `"Current":${column((o) => stepsText(o.currentMa, 3))}`,
  ];
  return `{"Time":"${tasmotaTime(ts, utcOffsetMinutes)}","ENERGY":{${energy.join(',')}}}`;
}

/**
 * `Time` is the device's local wall clock without a zone ("2026-01-01T06:00:00"). The simulated devices keep
 * UTC (`Timezone 0`), which is how the server reads a zoneless Time by default (tasmota `defaultUtcOffset` 0).
 * A device in another zone is given as with `SetOption52 1`: the offset appended, which the server reads
 * whatever its settings. Tasmota prints whole seconds; ms are added only for ticks that are not on one.
 */
export function tasmotaTime(ts: number, utcOffsetMinutes = 0): string {
  const local = new Date(ts + utcOffsetMinutes * 60_000).toISOString().slice(0, 23);
  const text = ts % 1000 === 0 ? local.slice(0, 19) : local;
  if (utcOffsetMinutes === 0) return text;
  const abs = Math.abs(utcOffsetMinutes);
  const zone = `${utcOffsetMinutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${text}${zone}`;
}
