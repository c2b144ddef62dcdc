/**
 * Identifiers and topics of the simulated fleet (payload format v1: ids are 1–64 chars of [A-Za-z0-9_.-]).
 *
 * Scheme, chosen to be readable on a dashboard and sortable as text:
 *   site   `site-1`, `site-2`, …                      (1-based)
 *   rack   `r01`, `r02`, … (zero-padded to ≥ 2 digits, more when a site has ≥ 100 racks)
 *   PDU    `r01-pdu1`, `r01-pdu2`                     (unique within its site, as the topic needs)
 *   rig    `site-1-r01-u03`                           (site-rack-unit; unique across the whole fleet, so a rig id
 *                                                      alone finds its row even outside the topic)
 *   meter  `main`                                     (one facility meter per site)
 * A rack's units are numbered across its PDUs: with 12 outlets, r01-pdu1 outlet 3 feeds u03 and
 * r01-pdu2 outlet 3 feeds u15.
 */

export const ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/** The facility meter's id; every site has exactly one. */
export const METER_ID = 'main';

export const TOPIC_ROOT = 'kilowatch';

export function siteId(index: number): string {
  return `site-${index}`;
}

/** Zero-padded number: at least 2 digits, and as many as `count` needs, so ids sort in order. */
export function padded(n: number, count: number): string {
  return String(n).padStart(Math.max(2, String(count).length), '0');
}

export function rackId(rack: number, racksInSite: number): string {
  return `r${padded(rack, racksInSite)}`;
}

export function pduId(rack: string, pduInRack: number): string {
  return `${rack}-pdu${pduInRack}`;
}

export function rigId(site: string, rack: string, unit: number, unitsPerRack: number): string {
  return `${site}-${rack}-u${padded(unit, unitsPerRack)}`;
}

export function pduTopic(site: string, pdu: string): string {
  return `${TOPIC_ROOT}/${site}/pdu/${pdu}`;
}

export function pduStatusTopic(site: string, pdu: string): string {
  return `${pduTopic(site, pdu)}/status`;
}

export function minerTopic(site: string, rig: string): string {
  return `${TOPIC_ROOT}/${site}/miner/${rig}`;
}

export function meterTopic(site: string, meter: string): string {
  return `${TOPIC_ROOT}/${site}/meter/${meter}`;
}
