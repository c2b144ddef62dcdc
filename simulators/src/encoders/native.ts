/**
 * Kilowatch native payload format v1 (the JSON the ingestion server's `native` dialect decodes).
 * Inputs are integer counts of the reporting steps (quantize.ts); each is divided once here, so every number
 * printed is the short decimal it stands for. Key order is fixed, which keeps payloads byte-identical per seed.
 */
import type { OutletSample } from '../devices/pdu.js';
import { fromSteps } from '../quantize.js';

export interface PduPayloadV1 {
  ts: number;
  outlets: Array<{
    outlet: number;
    rig: string;
    power_w: number;
    voltage_v: number;
    current_a: number;
    pf: number;
    energy_wh: number;
  }>;
}

export interface MinerPayloadV1 {
  ts: number;
  hashrate_ths: number;
  model: string;
  temp_c: number;
}

export interface MeterPayloadV1 {
  ts: number;
  power_w: number;
  energy_wh: number;
}

export function encodePdu(ts: number, outlets: readonly OutletSample[]): string {
  const payload: PduPayloadV1 = {
    ts,
    outlets: outlets.map((o) => ({
      outlet: o.outlet,
      rig: o.rig,
      power_w: fromSteps('power', o.powerDw),
      voltage_v: fromSteps('voltage', o.voltageSteps),
      current_a: fromSteps('current', o.currentMa),
      pf: fromSteps('pf', o.pfSteps),
      energy_wh: o.energyWh,
    })),
  };
  return JSON.stringify(payload);
}

export function encodeMiner(ts: number, hashrateSteps: number, model: string, tempSteps: number): string {
  const payload: MinerPayloadV1 = {
    ts,
    hashrate_ths: fromSteps('hashrate', hashrateSteps),
    model,
    temp_c: fromSteps('temp', tempSteps),
  };
  return JSON.stringify(payload);
}

export function encodeMeter(ts: number, powerDw: number, energyWh: number): string {
  const payload: MeterPayloadV1 = { ts, power_w: fromSteps('power', powerDw), energy_wh: energyWh };
  return JSON.stringify(payload);
}

/** Retained PDU gateway status; `offline` is also the gateway's MQTT last will. */
export function encodeStatus(online: boolean): 'online' | 'offline' {
  return online ? 'online' : 'offline';
}
