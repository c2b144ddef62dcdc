/**
 * InfluxDB line protocol, as Telegraf's MQTT output publishes it (topic `telegraf/<host>/<plugin>`, data_format
 * "influx"; server/src/ingest/dialects/line-protocol.ts; fixtures test/fixtures/dialects/line-protocol/):
 *   telegraf/<host>/pdu   pdu,host=<host>,outlet=3 power_w=3250.4,energy_wh=123456789i,voltage=230.1,current=15.873,pf=0.987 1767225600000000000
 *
 * Shape: one Telegraf host per PDU (`<site>-<pdu>`, e.g. the agent that polls the PDU over SNMP), one line per
 * outlet with an `outlet` tag, all of a tick in one message. The names are in the server's default maps: the
 * `pdu` measurement, the `host` device tag, the `outlet` channel tag, and the fields power_w (W), energy_wh (Wh,
 * an integer with the `i` suffix, read as an exact integer), voltage, current and pf. Timestamps
 * are ns (Telegraf's default precision), written as the tick's ms followed by six zeros — no float in between.
 * Floats print as the shortest decimal (3250.4), which the server scales on its text. Telegraf sets no will.
 */
import type { SimMessage } from '../fleet.js';
import type { PduPlan, SitePlan } from '../layout.js';
import { fromSteps } from '../quantize.js';
import type { BindingSpec, DialectEncoder, SimDevice, TickReadings, Will } from './types.js';

export const lineProtocol: DialectEncoder = {
  name: 'line',
  devices: (site: SitePlan, pdus: readonly PduPlan[]) => pdus.map((pdu) => new TelegrafHost(site.id, pdu)),
};

export class TelegrafHost implements SimDevice {
  readonly dialect = 'line';
  readonly hardware = 'Telegraf (inputs.snmp → outputs.mqtt)';
  readonly device: string;
  readonly topics: readonly string[];

  constructor(
    readonly site: string,
    readonly pdu: PduPlan,
  ) {
    this.device = `${site}-${pdu.id}`;
    this.topics = [`telegraf/${this.device}/pdu`];
  }

  get name(): string {
    return this.device;
  }

  will(): undefined {
    return undefined;
  }

  /** The host is the PDU, and the outlet tag its outlet: one binding for the whole host. */
  bindings(): BindingSpec[] {
    return [{ match: { dialect: 'line-protocol', device: this.device }, to: { site: this.site, pdu: this.pdu.id } }];
  }

  tick(ts: number, r: TickReadings): SimMessage[] {
    const ns = `${ts}000000`;
    const lines = this.pdu.rigs.map(({ outlet }) => {
      const o = r.outlet({ pdu: this.pdu.id, outlet });
      const fields = [
        `power_w=${fromSteps('power', o.powerDw)}`,
        `energy_wh=${o.energyWh}i`,
        `voltage=${fromSteps('voltage', o.voltageSteps)}`,
        `current=${fromSteps('current', o.currentMa)}`,
        `pf=${fromSteps('pf', o.pfSteps)}`,
      ];
      return `pdu,host=${this.device},outlet=${outlet} ${fields.join(',')} ${ns}`;
    });
    return [{ topic: this.topics[0] as string, payload: `${lines.join('\n')}\n`, readings: lines.length, route: this.name }];
  }

  status(): SimMessage[] {
    return [];
  }

  connected(): void {}

  disconnected(): Will | undefined {
    return undefined;
  }
}
