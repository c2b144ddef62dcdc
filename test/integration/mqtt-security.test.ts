import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMosquitto, type MosquittoHandle } from '../harness/index.js';
import { startKilowatch, waitFor, type RunningKilowatch } from '../support/kilowatch.js';

/**
 * The broker connection as deployed: TLS with a private CA, a user name and password, and the shipped
 * ACL (deploy/mosquitto/acl), under which a gateway may publish only under its own site.
 */
const ACL = join(import.meta.dirname, '../../deploy/mosquitto/acl');

function makePki(dir: string): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Kilowatch test CA', '-keyout', 'ca.key', '-out', 'ca.crt');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'san.ext', '-out', 'server.crt');
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=Someone else', '-keyout', 'other.key', '-out', 'other.crt');
}

describe('MQTT over TLS with passwords and the deployment ACL', () => {
  let pki: string;
  let mosquitto: MosquittoHandle;
  let kw: RunningKilowatch;

  beforeAll(async () => {
    pki = mkdtempSync(join(tmpdir(), 'kilowatch-pki-'));
    makePki(pki);
    const passwd = join(pki, 'passwd');
    writeFileSync(passwd, '');
    execFileSync('mosquitto_passwd', ['-b', passwd, 'kilowatch', 'server secret']);
    execFileSync('mosquitto_passwd', ['-b', passwd, 'site-1', 'gateway secret']);
    mosquitto = await startMosquitto({
      security: {
        tls: true,
        lines: [`cafile ${pki}/ca.crt`, `certfile ${pki}/server.crt`, `keyfile ${pki}/server.key`, 'allow_anonymous false', `password_file ${passwd}`, `acl_file ${ACL}`],
      },
    });
    kw = await startKilowatch({ MQTT_URL: mosquitto.url, MQTT_USERNAME: 'kilowatch', MQTT_PASSWORD: 'server secret', MQTT_CA_FILE: join(pki, 'ca.crt') });
  });
  afterAll(async () => {
    await kw?.stop();
    await mosquitto?.stop();
    rmSync(pki, { recursive: true, force: true });
  });

  it('stores what a gateway publishes under its own site, and the broker refuses the rest', async () => {
    expect((await kw.health()).mqtt.state).toBe('connected');
    const gateway = await mqtt.connectAsync(mosquitto.url, { username: 'site-1', password: 'gateway secret', ca: readFileSync(join(pki, 'ca.crt')), protocolVersion: 5 });
    const ts = Date.now();
    await gateway.publishAsync('kilowatch/site-1/meter/main', JSON.stringify({ ts, power_w: 1000 }), { qos: 1 });
    // MQTT 5 tells the publisher: PUBACK reason 0x87, Not authorized.
    await expect(gateway.publishAsync('kilowatch/site-2/meter/main', JSON.stringify({ ts, power_w: 666 }), { qos: 1 })).rejects.toThrow(/Not authorized/);
    await gateway.endAsync();
    await waitFor(async () => (await kw.health()).counters.readings_stored >= 1, async () => JSON.stringify((await kw.health()).counters));
    const sites = (await (await fetch(`${kw.url}/api/sites`)).json()) as { sites: { site: string }[] };
    expect(sites.sites.map((s) => s.site)).toEqual(['site-1']);
  });

  it('does not connect to a broker whose certificate its CA did not sign', async () => {
    const other = await startKilowatch({ MQTT_URL: mosquitto.url, MQTT_USERNAME: 'kilowatch', MQTT_PASSWORD: 'server secret', MQTT_CA_FILE: join(pki, 'other.crt') });
    try {
      const h = (await other.health()) as unknown as { mqtt: { state: string; last_error: string } };
      expect(h.mqtt.state).not.toBe('connected');
      expect(h.mqtt.last_error).toMatch(/certificate/i);
    } finally {
      await other.stop();
    }
  });

  it('does not connect with a wrong password', async () => {
    const wrong = await startKilowatch({ MQTT_URL: mosquitto.url, MQTT_USERNAME: 'kilowatch', MQTT_PASSWORD: 'guess', MQTT_CA_FILE: join(pki, 'ca.crt') });
    try {
      const h = (await wrong.health()) as unknown as { mqtt: { state: string; last_error: string } };
      expect(h.mqtt.state).not.toBe('connected');
      expect(h.mqtt.last_error).toMatch(/Bad user name or password|Not authorized/i);
    } finally {
      await wrong.stop();
    }
  });
});
