import { describe, expect, it } from 'vitest';
import type { FacilityFrame, SiteFrame } from '../../server/src/live/events.js';
import { connectionState, summarizeFacility, type ConnFacts } from '../../web/src/lib/facility.js';

function site(id: string, overrides: Partial<SiteFrame> = {}): SiteFrame {
  return {
    site: id,
    ts: 1_700_000_000_000,
    power_w: 1_000_000,
    meter_power_w: null,
    pue: null,
    kwh_today: 100,
    hashrate_ths: 50_000,
    j_per_th: 20,
    rigs_online: 300,
    rigs_offline: 2,
    pdus_online: 20,
    pdus_offline: 0,
    ...overrides,
  };
}

function facility(sites: SiteFrame[]): FacilityFrame {
  return { ts: 1_700_000_000_000, power_w: 1_800_000, kwh_today: 250, sites };
}

describe('summarizeFacility', () => {
  it('sums counts and takes power and energy from the frame', () => {
    const summary = summarizeFacility(
      facility([site('a'), site('b', { rigs_online: 498, rigs_offline: 0, pdus_online: 25, pdus_offline: 1 })]),
    );
    expect(summary).toEqual({
      ts: 1_700_000_000_000,
      power_w: 1_800_000,
      kwh_today: 250,
      hashrate_ths: 100_000,
      j_per_th: 20,
      rigs_online: 798,
      rigs_offline: 2,
      pdus_online: 45,
      pdus_offline: 1,
    });
  });

  it('weights J/TH by hashrate', () => {
    // 30 J/TH × 10,000 TH/s = 300 kW; 20 J/TH × 30,000 TH/s = 600 kW; 900 kW / 40,000 TH/s = 22.5.
    const summary = summarizeFacility(
      facility([site('a', { j_per_th: 30, hashrate_ths: 10_000 }), site('b', { j_per_th: 20, hashrate_ths: 30_000 })]),
    );
    expect(summary.j_per_th).toBe(22.5);
  });

  it('leaves out sites without J/TH or hashrate, and is null when none has one', () => {
    const mixed = summarizeFacility(
      facility([site('a', { j_per_th: null }), site('b', { j_per_th: 18, hashrate_ths: 5 }), site('c', { hashrate_ths: 0 })]),
    );
    expect(mixed.j_per_th).toBe(18);
    const none = summarizeFacility(facility([site('a', { j_per_th: null, hashrate_ths: 0 })]));
    expect(none.j_per_th).toBeNull();
    expect(summarizeFacility(facility([])).j_per_th).toBeNull();
  });
});

describe('connectionState', () => {
  const base: ConnFacts = {
    connected: true,
    everConnected: true,
    connectedAt: 1_000,
    lastFrameAt: 10_000,
    now: 11_000,
    staleAfterMs: 5_000,
  };

  it('is connecting before the socket has ever been up', () => {
    expect(connectionState({ ...base, connected: false, everConnected: false, connectedAt: null, lastFrameAt: null })).toBe(
      'connecting',
    );
  });

  it('is live while frames keep arriving', () => {
    expect(connectionState(base)).toBe('live');
    expect(connectionState({ ...base, now: 15_000 })).toBe('live');
  });

  it('is stale when frames stop though the socket is up', () => {
    expect(connectionState({ ...base, now: 15_001 })).toBe('stale');
  });

  it('is reconnecting after a drop, whatever the last frame age', () => {
    expect(connectionState({ ...base, connected: false })).toBe('reconnecting');
  });

  it('waits for the first frame after connecting, then goes stale if none comes', () => {
    const fresh = { ...base, lastFrameAt: null, connectedAt: 10_000 };
    expect(connectionState({ ...fresh, now: 12_000 })).toBe('connecting');
    expect(connectionState({ ...fresh, now: 15_001 })).toBe('stale');
  });
});
