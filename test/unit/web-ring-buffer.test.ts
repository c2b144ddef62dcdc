import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../../web/src/lib/ring-buffer.js';

describe('RingBuffer', () => {
  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
    expect(() => new RingBuffer(-3)).toThrow(RangeError);
    expect(() => new RingBuffer(2.5)).toThrow(RangeError);
    expect(() => new RingBuffer(Number.NaN)).toThrow(RangeError);
  });

  it('starts empty', () => {
    const buffer = new RingBuffer<number>(3);
    expect(buffer.length).toBe(0);
    expect(buffer.first()).toBeUndefined();
    expect(buffer.last()).toBeUndefined();
    expect(buffer.toArray()).toEqual([]);
  });

  it('keeps insertion order below capacity', () => {
    const buffer = new RingBuffer<number>(4);
    expect(buffer.push(1)).toBeUndefined();
    expect(buffer.push(2)).toBeUndefined();
    expect(buffer.push(3)).toBeUndefined();
    expect(buffer.length).toBe(3);
    expect(buffer.toArray()).toEqual([1, 2, 3]);
    expect(buffer.first()).toBe(1);
    expect(buffer.last()).toBe(3);
  });

  it('never holds more than its capacity and evicts the oldest first', () => {
    const buffer = new RingBuffer<number>(3);
    for (const n of [1, 2, 3]) buffer.push(n);
    expect(buffer.push(4)).toBe(1);
    expect(buffer.push(5)).toBe(2);
    expect(buffer.length).toBe(3);
    expect(buffer.toArray()).toEqual([3, 4, 5]);
  });

  it('stays ordered oldest→newest across many wraps', () => {
    const buffer = new RingBuffer<number>(5);
    for (let n = 1; n <= 23; n += 1) buffer.push(n);
    expect(buffer.length).toBe(5);
    expect(buffer.toArray()).toEqual([19, 20, 21, 22, 23]);
    expect([...buffer]).toEqual([19, 20, 21, 22, 23]);
    expect(buffer.first()).toBe(19);
    expect(buffer.last()).toBe(23);
  });

  it('indexes oldest-first and returns undefined outside [0, length)', () => {
    const buffer = new RingBuffer<string>(3);
    for (const s of ['a', 'b', 'c', 'd']) buffer.push(s);
    expect(buffer.at(0)).toBe('b');
    expect(buffer.at(1)).toBe('c');
    expect(buffer.at(2)).toBe('d');
    expect(buffer.at(3)).toBeUndefined();
    expect(buffer.at(-1)).toBeUndefined();
    expect(buffer.at(0.5)).toBeUndefined();
  });

  it('works with capacity 1', () => {
    const buffer = new RingBuffer<number>(1);
    expect(buffer.push(7)).toBeUndefined();
    expect(buffer.push(8)).toBe(7);
    expect(buffer.toArray()).toEqual([8]);
  });

  it('fills a caller-supplied array in place, shrinking or growing it', () => {
    const buffer = new RingBuffer<number>(3);
    const out = [9, 9, 9, 9, 9];
    for (const n of [1, 2, 3, 4]) buffer.push(n);
    expect(buffer.toArray(out)).toBe(out);
    expect(out).toEqual([2, 3, 4]);
    buffer.clear();
    buffer.push(5);
    expect(buffer.toArray(out)).toEqual([5]);
  });

  it('is reusable after clear()', () => {
    const buffer = new RingBuffer<number>(2);
    for (const n of [1, 2, 3]) buffer.push(n);
    buffer.clear();
    expect(buffer.length).toBe(0);
    expect(buffer.toArray()).toEqual([]);
    buffer.push(10);
    buffer.push(11);
    buffer.push(12);
    expect(buffer.toArray()).toEqual([11, 12]);
  });
});
