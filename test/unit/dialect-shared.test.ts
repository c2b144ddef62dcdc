import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../server/src/domain/errors.js';
import { ID_PATTERN } from '../../server/src/domain/ids.js';
import { pduIdFor } from '../../server/src/ingest/dialects/shared/device.js';
import { exactInteger, float32ToDecimal, scaleDecimal } from '../../server/src/ingest/dialects/shared/numbers.js';
import { BoundedMap } from '../../server/src/ingest/dialects/shared/state.js';

describe('scaleDecimal (kWh → Wh on the decimal text)', () => {
  it('gives the exact Wh for every 3-decimal kWh value a device prints, where ×1000 drifts', () => {
    expect(1.005 * 1000).not.toBe(1005);
    let drifted = 0;
    const wrong: string[] = [];
    for (let milli = 0; milli <= 2_000_000; milli += 7) {
      const text = `${Math.floor(milli / 1000)}.${String(milli % 1000).padStart(3, '0')}`;
      const kwh = JSON.parse(text) as number;
      if (scaleDecimal(kwh, 3) !== milli) wrong.push(text);
      if (kwh * 1000 !== milli) drifted += 1;
    }
    expect(wrong).toEqual([]);
    expect(drifted).toBeGreaterThan(0);
  });

  it('handles exponents, text tokens and negative powers', () => {
    expect(scaleDecimal(1e-7, 3)).toBe(0.0001);
    expect(scaleDecimal('1.0E4', 3)).toBe(10_000_000);
    expect(scaleDecimal('1.', 3)).toBe(1000);
    expect(scaleDecimal('.5', 3)).toBe(500);
    expect(scaleDecimal(1631186545.04, 3)).toBe(1631186545040);
    expect(scaleDecimal('1234', -3)).toBe(1.234);
  });
});

describe('float32ToDecimal', () => {
  it('gives back the decimal a float32 was written from', () => {
    expect(float32ToDecimal(12.300000190734863)).toBe(12.3);
    expect(float32ToDecimal(Math.fround(230.1))).toBe(230.1);
    expect(float32ToDecimal(3250.5)).toBe(3250.5);
    expect(float32ToDecimal(Number.NaN)).toBeNaN();
  });

  it('always names the same float32', () => {
    let seed = 7;
    const wrong: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      const f = Math.fround((seed / 2 ** 32) * 10 ** ((seed % 12) - 4));
      if (Math.fround(float32ToDecimal(f)) !== f) wrong.push(f);
    }
    expect(wrong).toEqual([]);
  });
});

describe('exactInteger', () => {
  it('keeps integers up to 2^53 - 1 and refuses beyond', () => {
    expect(exactInteger(2n ** 53n - 1n, 'x')).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => exactInteger(2n ** 53n, 'x')).toThrow(expect.objectContaining({ reason: 'unsafe_integer' }) as DecodeError);
  });
});

describe('pduIdFor', () => {
  it('keeps a valid id and hashes anything it had to change', () => {
    expect(pduIdFor('tasmota', 'plug_1')).toBe('tasmota.plug_1');
    const a = pduIdFor('line-protocol', 'rack 1');
    const b = pduIdFor('line-protocol', 'rack_1');
    expect(a).toMatch(/^line-protocol\.rack_1-[0-9a-f]{8}$/);
    expect(b).toBe('line-protocol.rack_1');
    const long = pduIdFor('sparkplug', `${'g'.repeat(40)}/${'e'.repeat(40)}`);
    expect(long).toMatch(ID_PATTERN);
    expect(long).toHaveLength(64);
    expect(pduIdFor('sparkplug', `${'g'.repeat(40)}/${'e'.repeat(41)}`)).not.toBe(long);
  });
});

describe('BoundedMap', () => {
  it('drops the least recently touched entry', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    m.get('a');
    m.set('c', 3);
    expect([m.get('a'), m.get('b'), m.get('c'), m.size]).toEqual([1, undefined, 3, 2]);
  });
});
