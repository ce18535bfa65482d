import { describe, expect, it } from 'vitest';
import { defaultConcurrency } from '../../../src/scheduler/dispatch';

describe('the dispatcher keeps enough provider calls in flight for its send rate', () => {
  it('a quarter of a second of the rate (SES answers in 50–150 ms), at least 8, at most 200', () => {
    expect(defaultConcurrency(undefined)).toBe(8); // the outbox: no provider round trip to cover
    expect(defaultConcurrency(1)).toBe(8);
    expect(defaultConcurrency(14)).toBe(8);
    expect(defaultConcurrency(500)).toBe(125); // 500/s with 250 ms calls: 125 at once
    expect(defaultConcurrency(458.3)).toBe(115); // SES's 27,500/min
    expect(defaultConcurrency(5000)).toBe(200);
  });
});
