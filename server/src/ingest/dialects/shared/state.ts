import type { Fields } from './quantities.js';

/**
 * A Map with a size bound: the oldest-touched entry goes first. Per-device state in a decoder must be
 * bounded, or a device that changes its id every boot (or a fuzzer) grows it without end.
 */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly max: number) {}

  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      // Touching an entry makes it the newest (Map iterates in insertion order).
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  get size(): number {
    return this.map.size;
  }
}

export const DEFAULT_MAX_DEVICES = 10_000;

/**
 * Last power seen per device channel. `power_w` is required in a reading, but devices report values on
 * change or one per message (Shelly NotifyStatus, Shelly Gen1 topics, Sparkplug report-by-exception):
 * an energy-only report carries the channel's last reported power, which by those protocols' own
 * rule is still the current one. Nothing else is carried over: a reading's other fields are what
 * this message said.
 */
export class LastPower {
  private readonly devices: BoundedMap<string, Map<number, number>>;

  constructor(maxDevices = DEFAULT_MAX_DEVICES) {
    this.devices = new BoundedMap(maxDevices);
  }

  /** The fields with power filled in, or undefined when this channel's power was never seen. */
  complete(device: string, channel: number, fields: Fields): (Fields & { power_w: number }) | undefined {
    let channels = this.devices.get(device);
    if (fields.power_w !== undefined) {
      if (!channels) this.devices.set(device, (channels = new Map()));
      channels.set(channel, fields.power_w);
      return { ...fields, power_w: fields.power_w };
    }
    const last = channels?.get(channel);
    return last === undefined ? undefined : { ...fields, power_w: last };
  }

  /** The device said its power is unknown now (Shelly `null`). */
  clear(device: string, channel: number): void {
    this.devices.get(device)?.delete(channel);
  }

  /** The device went offline (Sparkplug death): what it reported before is stale. */
  forget(device: string): void {
    this.devices.delete(device);
  }
}
