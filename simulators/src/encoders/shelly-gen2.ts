/**
 * Shelly Gen2/Gen3/Gen4 (Shelly API docs: Mqtt, Notifications, Switch, EM1; server/src/ingest/dialects/shelly-gen2.ts;
 * fixtures test/fixtures/dialects/shelly-gen2/). The topic prefix is the device id, as it is by default:
 *   <id>/events/rpc   {"src", "dst", "method": "NotifyStatus", "params": {"ts": s, "switch:N": {...}}}   every tick
 *   <id>/online       true (retained, on every connect) | false (retained: the last will, and on a clean stop)
 *
 * Shape: a PDU's outlets are switched and metered by Shelly Pro 4PM / Pro 2PM / Plus 1PM devices
 * (channelGroups), `switch:N` = channel N+1. NotifyStatus is used rather than `status/switch:N`, because only the
 * frame carries the time of the values (`params.ts`, Unix seconds with a fraction): a status topic has only
 * `aenergy.minute_ts`, the start of the minute. Every frame carries the full electrical state of every switch —
 * the values change at every tick anyway — so no reading depends on one before it.
 *
 * Units are the API's: apower W (0.1), voltage V (0.1), current A (0.001), pf with 2 decimals (the API's; the
 * model has 0.001), aenergy.total Wh — the lifetime register, whole Wh here. aenergy.by_minute (mWh per minute)
 * is left out: it is not read and would need per-minute state.
 *
 * The facility meter of a small site can be a Shelly Pro EM (em1:0 + em1data:0 in the same kind of frame),
 * bound to the site's meter `main`: see shellyProEmMeter.
 */
import type { SimMessage } from '../fleet.js';
import type { PduPlan, SitePlan } from '../layout.js';
import { coarser, fromSteps } from '../quantize.js';
import { channelBindings, channelGroups, statusMessage, type ChannelRef, type DeviceIds, type DialectEncoder, type SimDevice, type TickReadings, type Will } from './types.js';

const MODELS: Record<number, { prefix: string; hardware: string }> = {
  4: { prefix: 'shellypro4pm', hardware: 'Shelly Pro 4PM' },
  2: { prefix: 'shellypro2pm', hardware: 'Shelly Pro 2PM' },
  1: { prefix: 'shellyplus1pm', hardware: 'Shelly Plus 1PM' },
};

export const shellyGen2: DialectEncoder = {
  name: 'shelly-gen2',
  devices: (site: SitePlan, pdus: readonly PduPlan[], ids: DeviceIds) =>
    pdus.flatMap((pdu) =>
      channelGroups(pdu).map((channels, k) => {
        const model = MODELS[channels.length] as { prefix: string; hardware: string };
        return new ShellyGen2Device(site.id, `${model.prefix}-${ids.mac(`${site.id}/${pdu.id}/${k + 1}`)}`, model.hardware, channels);
      }),
    ),
};

/** What a Gen2 device has in common, whatever it meters: the online topic and the NotifyStatus frame. */
abstract class Gen2Base {
  readonly dialect = 'shelly-gen2';
  readonly topics: readonly string[];

  constructor(
    readonly site: string,
    readonly device: string,
    readonly hardware: string,
  ) {
    this.topics = [`${device}/events/rpc`, `${device}/online`];
  }

  get name(): string {
    return this.device;
  }

  will(): Will {
    return { topic: `${this.device}/online`, payload: 'false', retain: true };
  }

  status(online: boolean): SimMessage[] {
    return [statusMessage(this.name, `${this.device}/online`, online ? 'true' : 'false')];
  }

  connected(): void {}

  disconnected(): Will {
    return this.will();
  }

  protected frame(ts: number, components: Record<string, unknown>, readings: number): SimMessage {
    // ts in seconds: ms / 1000 is the double nearest to the 3-decimal value, which is the text JSON prints.
    const payload = { src: this.device, dst: `${this.device}/events`, method: 'NotifyStatus', params: { ts: ts / 1000, ...components } };
    return { topic: `${this.device}/events/rpc`, payload: JSON.stringify(payload), readings, route: this.name };
  }
}

export class ShellyGen2Device extends Gen2Base implements SimDevice {
  constructor(
    site: string,
    device: string,
    hardware: string,
    readonly channels: readonly ChannelRef[],
  ) {
    super(site, device, hardware);
  }

  bindings() {
    return channelBindings('shelly-gen2', this.device, this.site, this.channels);
  }

  tick(ts: number, r: TickReadings): SimMessage[] {
    const components: Record<string, unknown> = {};
    this.channels.forEach((c, id) => {
      const o = r.outlet(c);
      components[`switch:${id}`] = {
        id,
        output: true,
        apower: fromSteps('power', o.powerDw),
        voltage: fromSteps('voltage', o.voltageSteps),
        current: fromSteps('current', o.currentMa),
        pf: coarser(o.pfSteps, 3, 2) / 100,
        aenergy: { total: o.energyWh, minute_ts: Math.floor(ts / 60_000) * 60 },
      };
    });
    return [this.frame(ts, components, this.channels.length)];
  }
}

/**
 * A Shelly Pro EM-50 on the site's incoming feed, channel 1 (em1:0) bound to meter `main`. Not a Pro 3EM: the
 * server makes one reading per phase, and three readings of one meter at one time would be merged into one in
 * the store, not summed. Its power must also stay within a device reading's 100 kW bound (blend.ts).
 */
export class ShellyProEmMeter extends Gen2Base implements SimDevice {
  constructor(site: string, ids: DeviceIds) {
    super(site, `shellyproem50-${ids.mac(`${site}/meter`)}`, 'Shelly Pro EM');
  }

  bindings() {
    return [{ match: { dialect: 'shelly-gen2', device: this.device, channel: 1 }, to: { site: this.site, meter: 'main' } }];
  }

  tick(ts: number, r: TickReadings): SimMessage[] {
    const components = {
      'em1:0': { id: 0, act_power: fromSteps('power', r.meter.powerDw) },
      'em1data:0': { id: 0, total_act_energy: r.meter.energyWh, total_act_ret_energy: 0 },
    };
    return [this.frame(ts, components, 1)];
  }
}
