import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { OutletReading } from '../../server/src/domain/reading.js';
import { FleetSource, readFleetFile } from '../../server/src/fleet/loader.js';
import { UnassignedDevices } from '../../server/src/fleet/unassigned.js';

const FLEET = join(import.meta.dirname, '../fixtures/fleet/fleet.yaml');
const TS = Date.UTC(2026, 0, 1);
const plug = (channel: number, extra: Partial<OutletReading> = {}): OutletReading => ({
  kind: 'outlet', site: 'unassigned', pdu: 'tasmota.plug-17', outlet: channel, ts: TS, power_w: 100 + channel,
  source: { dialect: 'tasmota', device: 'plug-17', channel }, ...extra,
});

describe('fleet registry', () => {
  const fleet = readFleetFile(FLEET);

  it('binds a device channel to its PDU outlet and rig, the most specific binding first', () => {
    expect(fleet.bind(plug(2))).toEqual({ ...plug(2), site: 'tx-1', pdu: 'r01-pdu1', outlet: 3, rig: 'tx-1-r01-u03' });
    expect(fleet.bind(plug(1))).toEqual({ ...plug(1), site: 'tx-1', pdu: 'r01-pdu1', outlet: 1, rig: 'tx-1-r01-u01' });
  });

  it('turns a device bound to a meter into meter readings', () => {
    const phase: OutletReading = { kind: 'outlet', site: 'unassigned', pdu: 'shelly-gen2.x', outlet: 1, ts: TS, power_w: 5000, energy_wh: 123, source: { dialect: 'shelly-gen2', device: 'shellypro3em-0cb815fcaff4', channel: 1 } };
    expect(fleet.bind(phase)).toEqual({ kind: 'meter', site: 'tx-1', meter: 'main', ts: TS, power_w: 5000, energy_wh: 123, source: phase.source });
  });

  it('leaves unbound devices under site unassigned, and fills in the rig of a native outlet', () => {
    const stranger = plug(1, { pdu: 'tasmota.other', source: { dialect: 'tasmota', device: 'other', channel: 1 } });
    expect(fleet.bind(stranger)).toBe(stranger);
    const native: OutletReading = { kind: 'outlet', site: 'tx-1', pdu: 'r01-pdu1', outlet: 2, ts: TS, power_w: 3000 };
    expect(fleet.bind(native)).toEqual({ ...native, rig: 'tx-1-r01-u02' });
    expect(fleet.bind({ ...native, rig: 'as-sent' })).toEqual({ ...native, rig: 'as-sent' });
  });

  it('binds a device\'s online/offline status to its PDU', () => {
    expect(fleet.bindStatus({ kind: 'status', site: 'unassigned', pdu: 'tasmota.plug-17', online: false })).toEqual({ kind: 'status', site: 'tx-1', pdu: 'r01-pdu1', online: false });
    // A meter has no online count: its device's status is not shown as an unassigned PDU either.
    expect(fleet.bindStatus({ kind: 'status', site: 'unassigned', pdu: 'shelly-gen2.shellypro3em-0cb815fcaff4', online: true })).toBeNull();
  });

  it('knows each site\'s time zone (UTC for sites it does not list)', () => {
    expect(fleet.timeZoneOf('tx-1')).toBe('America/Chicago');
    expect(fleet.timeZoneOf('elsewhere')).toBe('UTC');
  });

  it('names every mistake in a fleet file with its path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kw-fleet-'));
    const file = join(dir, 'fleet.json');
    writeFileSync(file, JSON.stringify({
      version: 1,
      sites: [{ id: 's1', time_zone: 'Mars/Olympus', racks: [{ id: 'r', pdus: [{ id: 'p', rating_a: 30, voltage_v: 230, outlets: [{ outlet: 1, rig: 'a' }, { outlet: 1, rig: 'a' }] }] }] }],
      bindings: [{ match: { dialect: 'tasmota', device: 'x' }, to: { site: 's1', pdu: 'nope' } }, { match: { dialect: 'tasmota', device: 'y' }, to: { site: 's9', meter: 'm' } }],
    }));
    expect(() => readFleetFile(file)).toThrow(
      /sites\.0\.time_zone: must be an IANA time zone[\s\S]*sites\.0\.racks\.0\.pdus\.0\.outlets\.1\.outlet: outlet 1 appears twice[\s\S]*outlets\.1\.rig: rig a is on two outlets[\s\S]*bindings\.0\.to\.pdu: site s1 has no PDU nope[\s\S]*bindings\.1\.to\.site: no site s9/,
    );
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('fleet file reloads', () => {
  it('takes a changed file, and keeps the previous fleet when the new one is broken', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kw-fleet-'));
    const file = join(dir, 'fleet.yaml');
    copyFileSync(FLEET, file);
    let reloads = 0;
    const source = new FleetSource(file, pino({ level: 'silent' }), () => reloads++, 60_000);
    source.start();
    expect(source.current.timeZoneOf('tx-1')).toBe('America/Chicago');
    writeFileSync(file, 'version: 1\nsites:\n  - id: tx-1\n    time_zone: Europe/Oslo\n');
    expect(source.reload('test')).toBe(true);
    expect(source.current.timeZoneOf('tx-1')).toBe('Europe/Oslo');
    writeFileSync(file, 'version: 1\nsites: [ {');
    expect(source.reload('test')).toBe(false);
    expect(source.current.timeZoneOf('tx-1')).toBe('Europe/Oslo');
    expect(reloads).toBe(1);
    source.stop();
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('unassigned devices', () => {
  it('lists devices that publish without a binding, once each', () => {
    const u = new UnassignedDevices();
    u.observe([plug(1), plug(1, { ts: TS + 1000, power_w: 7 }), { ...plug(2), site: 'tx-1' }]);
    expect(u.list()).toEqual([{ pdu: 'tasmota.plug-17', outlet: 1, dialect: 'tasmota', device: 'plug-17', channel: 1, metric: null, first_seen: TS, last_seen: TS + 1000, last_power_w: 7, readings: 2 }]);
  });
});
