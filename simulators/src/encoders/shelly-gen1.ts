/**
 * Shelly Gen1 (ESP8266 `shellies/` firmware; server/src/ingest/dialects/shelly-gen1.ts; fixtures
 * test/fixtures/dialects/shelly-gen1/). One bare number per topic:
 *   shellies/<id>/relay/0/power    W                                                        every tick
 *   shellies/<id>/relay/0/energy   watt-MINUTES: the register in Wh × 60, a whole number     every tick, after power
 *   shellies/<id>/online           true (retained, on every connect) | false (retained: the last will, and on stop)
 *
 * Shape: one Shelly 1PM per outlet (`shelly1pm-<MAC>`, one relay: channel 1), bound to its PDU outlet.
 * Gen1 sends no time: the server stamps each message when it arrives, so these readings carry the server's
 * clock, not the tick's (and a historical run lands them at the time they are sent). Power goes first, so the
 * energy message finds this tick's power to go with it. The other relay topics a 1PM sends (`relay/0` on/off,
 * overpower) carry no metering and are left out.
 */
import type { SimMessage } from '../fleet.js';
import type { PduPlan, SitePlan } from '../layout.js';
import { fromSteps } from '../quantize.js';
import { statusMessage, type BindingSpec, type ChannelRef, type DeviceIds, type DialectEncoder, type SimDevice, type TickReadings, type Will } from './types.js';

export const shellyGen1: DialectEncoder = {
  name: 'shelly-gen1',
  devices: (site: SitePlan, pdus: readonly PduPlan[], ids: DeviceIds) =>
    pdus.flatMap((pdu) =>
      pdu.rigs.map((rig) => new ShellyGen1Device(site.id, `shelly1pm-${ids.mac(`${site.id}/${pdu.id}/${rig.outlet}`).toUpperCase()}`, { pdu: pdu.id, outlet: rig.outlet })),
    ),
};

/** Watt-minutes are whole: Wh × 60 exactly, and the server's ÷ 60 gives the Wh back exactly. */
export const WATT_MINUTES_PER_WH = 60;

export class ShellyGen1Device implements SimDevice {
  readonly dialect = 'shelly-gen1';
  readonly hardware = 'Shelly 1PM';
  readonly topics: readonly string[];
  private readonly base: string;

  constructor(
    readonly site: string,
    readonly device: string,
    readonly channel: ChannelRef,
  ) {
    this.base = `shellies/${device}`;
    this.topics = [`${this.base}/relay/0/power`, `${this.base}/relay/0/energy`, `${this.base}/online`];
  }

  get name(): string {
    return this.device;
  }

  will(): Will {
    return { topic: `${this.base}/online`, payload: 'false', retain: true };
  }

  bindings(): BindingSpec[] {
    return [{ match: { dialect: 'shelly-gen1', device: this.device }, to: { site: this.site, pdu: this.channel.pdu, outlet: this.channel.outlet } }];
  }

  /** Each message becomes a reading at the server (the energy one with the power before it). */
  tick(_ts: number, r: TickReadings): SimMessage[] {
    const o = r.outlet(this.channel);
    return [
      { topic: `${this.base}/relay/0/power`, payload: String(fromSteps('power', o.powerDw)), readings: 1, route: this.name },
      { topic: `${this.base}/relay/0/energy`, payload: String(o.energyWh * WATT_MINUTES_PER_WH), readings: 1, route: this.name },
    ];
  }

  status(online: boolean): SimMessage[] {
    return [statusMessage(this.name, `${this.base}/online`, online ? 'true' : 'false')];
  }

  connected(): void {}

  disconnected(): Will {
    return this.will();
  }
}
