import { describe, expect, it } from 'vitest';
import { Yielder } from '../../server/src/lib/yield-now.js';

describe('Yielder', () => {
  it('gives the event loop a turn once its interval has passed, and not before', async () => {
    const ran: string[] = [];
    setImmediate(() => ran.push('other work'));
    await new Yielder(60_000).maybe();
    expect(ran).toEqual([]);
    await new Yielder(0).maybe();
    expect(ran).toEqual(['other work']);
  });
});
