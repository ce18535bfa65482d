import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors';
import { fromMinor, minorDigits, netRevenue, splitMinor, toMinor } from '../../src/attribution/money';

describe('money', () => {
  it("knows each currency's minor units from Intl", () => {
    expect([minorDigits('PLN'), minorDigits('EUR'), minorDigits('JPY'), minorDigits('KWD')]).toEqual([2, 2, 0, 3]);
    expect(() => minorDigits('euro')).toThrow(AppError);
  });

  it('converts without binary noise: 1.005 PLN is 101 grosze, 0.1 + 0.2 is 30', () => {
    expect(toMinor(1.005, 'PLN')).toBe(101);
    expect(toMinor(0.1 + 0.2, 'PLN')).toBe(30);
    expect(toMinor(1234, 'JPY')).toBe(1234);
    expect(fromMinor(12345, 'PLN')).toBe(123.45);
    expect(fromMinor(12345, 'KWD')).toBe(12.345);
  });

  it('nets refunds', () => {
    expect(netRevenue(199.99, [], 'PLN')).toBe(199.99);
    expect(netRevenue(199.99, [99.99], 'PLN')).toBe(100);
    expect(() => netRevenue(10, [10.01], 'PLN')).toThrow(/refund/);
    expect(() => netRevenue(10, [-1], 'PLN')).toThrow(/refund/);
  });

  it('splits by largest remainder: 100 over 1/3 each is 34 + 33 + 33; 10 over 0.45/0.45/0.1 is 5 + 4 + 1', () => {
    expect(splitMinor(100, [1, 1, 1])).toEqual([34, 33, 33]);
    // Exact 4.5, 4.5, 1 → floors 4, 4, 1 (sum 9); the 1 left goes to the first of the tied .5 remainders.
    expect(splitMinor(10, [0.45, 0.45, 0.1])).toEqual([5, 4, 1]);
    expect(splitMinor(0, [0.3, 0.7])).toEqual([0, 0]);
    expect(splitMinor(5, [])).toEqual([]);
  });

  it('always sums exactly, never negative (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e12 }),
        fc.array(fc.double({ min: 1e-12, max: 1, noNaN: true }), { minLength: 1, maxLength: 12 }),
        (total, w) => {
          const shares = splitMinor(total, w);
          expect(shares.reduce((a, s) => a + s, 0)).toBe(total);
          expect(shares.every((s) => Number.isInteger(s) && s >= 0)).toBe(true);
        },
      ),
    );
  });
});
