import type { MqttClient } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { PublishTracker } from '../../simulators/src/mqtt/tracker.js';

type Callback = (err?: Error) => void;

/** Records publishes; the test acknowledges or fails them by hand. Stands in for MQTT.js only in this pure test. */
function fakeClient(): { client: MqttClient; calls: Array<{ topic: string; opts: unknown; cb: Callback }> } {
  const calls: Array<{ topic: string; opts: unknown; cb: Callback }> = [];
  const client = {
    publish(topic: string, _payload: string, opts: unknown, cb: Callback) {
      if (topic === 'throws') throw new Error('client disconnecting');
      calls.push({ topic, opts, cb });
    },
  } as unknown as MqttClient;
  return { client, calls };
}

describe('PublishTracker', () => {
  it('publishes with QoS 1 and counts messages and readings on acknowledgement only', () => {
    const acked: string[] = [];
    const tracker = new PublishTracker((topic) => acked.push(topic));
    const { client, calls } = fakeClient();
    tracker.publish(client, { topic: 'kilowatch/s/pdu/p', payload: '{}', readings: 12 }, false, true);
    tracker.publish(client, { topic: 'kilowatch/s/pdu/p/status', payload: 'online', readings: 0 }, true, false);
    expect(calls.map((c) => c.opts)).toEqual([
      { qos: 1, retain: false },
      { qos: 1, retain: true },
    ]);
    expect(tracker.snapshot()).toEqual({ messages: 0, readings: 0, errors: 0, pending: 2 });
    calls[0]?.cb();
    calls[1]?.cb();
    calls[1]?.cb(); // a second callback for the same publish changes nothing
    expect(tracker.snapshot()).toEqual({ messages: 1, readings: 12, errors: 0, pending: 0 });
    expect(acked).toEqual(['kilowatch/s/pdu/p', 'kilowatch/s/pdu/p/status']);
  });

  it('counts failed and throwing publishes, and a throwing callback, without throwing', () => {
    const tracker = new PublishTracker(() => {
      throw new Error('ledger full');
    });
    const { client, calls } = fakeClient();
    tracker.publish(client, { topic: 'a', payload: '1', readings: 1 }, false, true);
    tracker.publish(client, { topic: 'b', payload: '1', readings: 1 }, false, true);
    expect(() => tracker.publish(client, { topic: 'throws', payload: '1', readings: 1 }, false, true)).not.toThrow();
    calls[0]?.cb(new Error('Connection closed'));
    calls[1]?.cb();
    expect(tracker.snapshot()).toEqual({ messages: 1, readings: 1, errors: 3, pending: 0, lastError: 'ledger full' });
  });

  it('drains: true once all are acknowledged, false on timeout', async () => {
    const tracker = new PublishTracker();
    const { client, calls } = fakeClient();
    expect(await tracker.drain(10)).toBe(true);
    tracker.publish(client, { topic: 'a', payload: '1', readings: 1 }, false, true);
    expect(await tracker.drain(10)).toBe(false);
    const drained = tracker.drain(1000);
    calls[0]?.cb();
    expect(await drained).toBe(true);
  });
});
