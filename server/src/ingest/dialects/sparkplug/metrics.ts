import { clip } from '../../../domain/values.js';
import { checkChannel, normalizeName, quantityNames, type QuantityNames, type QuantityRule } from '../shared/quantities.js';

/**
 * Which Sparkplug metrics are outlet values. A metric name is a path ("Outlet 3/Power", "PDU/Outlets/3/
 * Energy kWh"); its last segment, normalized, is looked up in the quantity names (shared/quantities.ts:
 * "Power", "Active Power", "power_w" → W; "Energy", "energy_wh" → Wh; "Energy kWh", "kWh" → ×1000 …;
 * configurable). The channel is the nearest number in the path before it: a segment "3", "Outlet 3",
 * "Channel 2", "ch2", "Phase 1", "L1"; or a prefix of the last segment ("Outlet 3 Power"). No number: channel 1.
 * Node Control/*, Properties/*, bdSeq and anything unknown are not outlet values and are skipped.
 */
export interface MetricTarget extends QuantityRule {
  channel: number;
}

// "L1".. "L3" are phases, as 3-phase meters name them.
const CHANNEL_WORD = '(?:outlet|channel|ch|relay|phase|port|socket|circuit|l)';
const CHANNEL_SEGMENT = new RegExp(`^(?:${CHANNEL_WORD}\\s*[#_-]?\\s*)?(\\d{1,5})$`, 'i');
const CHANNEL_PREFIX = new RegExp(`^${CHANNEL_WORD}\\s*[#_-]?\\s*(\\d{1,5})[\\s_-]+(.+)$`, 'i');

export function metricMapper(overrides?: QuantityNames): (name: string) => MetricTarget | undefined {
  const names = quantityNames(overrides);
  const cache = new Map<string, MetricTarget | undefined>();
  return (name) => {
    if (cache.has(name)) return cache.get(name);
    const target = resolve(name, names);
    // Bounded: names come from births, a finite set per fleet; a flood of distinct names stops caching.
    if (cache.size < 10_000) cache.set(name, target);
    return target;
  };
}

function resolve(name: string, names: Map<string, QuantityRule | null>): MetricTarget | undefined {
  const segments = name.split('/');
  let last = segments.pop() ?? '';
  let channel: string | undefined;
  const prefixed = CHANNEL_PREFIX.exec(last);
  if (prefixed) [, channel, last] = prefixed as unknown as [string, string, string];
  const rule = names.get(normalizeName(last));
  if (!rule) return undefined;
  for (let i = segments.length - 1; channel === undefined && i >= 0; i--) channel = CHANNEL_SEGMENT.exec(segments[i]!.trim())?.[1];
  const number = channel === undefined ? 1 : Number(channel);
  // Channel 0 ("Outlet 0") is refused rather than guessed as 1: the device numbers from 0 or is broken.
  return { ...rule, channel: checkChannel(number, `metric "${clip(name, 60)}"`) };
}
