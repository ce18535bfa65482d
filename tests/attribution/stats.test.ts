import { describe, expect, it } from 'vitest';
import { incompleteBeta, normalQuantile, tQuantile, wilson, Z95 } from '../../src/attribution/stats';

describe('wilson', () => {
  it("matches Newcomb's (1998) published intervals", () => {
    // 81/263 → 0.2553–0.3662 (Newcomb 1998 table I; also the Wikipedia example).
    const w = wilson(81, 263)!;
    expect(w.lower).toBeCloseTo(0.2553, 4);
    expect(w.upper).toBeCloseTo(0.3662, 4);
    // 15/148 → 0.0624–0.1605 and 0/20 → 0–0.1611 (Newcomb 1998 table I).
    expect(wilson(15, 148)!.lower).toBeCloseTo(0.0624, 4);
    expect(wilson(15, 148)!.upper).toBeCloseTo(0.1605, 4);
    expect(wilson(0, 20)).toEqual({ lower: 0, upper: expect.closeTo(0.1611, 4) });
    expect(wilson(1, 29)!.lower).toBeCloseTo(0.0061, 4);
    expect(wilson(1, 29)!.upper).toBeCloseTo(0.1718, 4);
  });

  it('stays in [0, 1] and is null with no trials', () => {
    expect(wilson(10, 10)!.upper).toBe(1);
    expect(wilson(0, 0)).toBeNull();
  });
});

describe('quantiles', () => {
  it('gives Φ⁻¹ to ~1e-9', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(Z95, 8);
    expect(normalQuantile(0.995)).toBeCloseTo(2.5758293035489, 8);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.0902323061678, 8);
    expect(normalQuantile(0.5)).toBe(0);
  });

  it('gives the textbook t(0.975) table, fractional df, and the normal limit', () => {
    const table: Array<[number, number]> = [
      [1, 12.7062],
      [2, 4.3027],
      [3, 3.1824],
      [5, 2.5706],
      [10, 2.2281],
      [30, 2.0423],
      [120, 1.9799],
    ];
    for (const [df, t] of table) expect(tQuantile(0.975, df), `df ${df}`).toBeCloseTo(t, 4);
    expect(tQuantile(0.025, 10)).toBeCloseTo(-2.2281, 4);
    expect(tQuantile(0.995, 4)).toBeCloseTo(4.6041, 4);
    const between = tQuantile(0.975, 2.5);
    expect(between).toBeLessThan(4.3027);
    expect(between).toBeGreaterThan(3.1824);
    expect(tQuantile(0.975, 1e9)).toBeCloseTo(Z95, 8);
    expect(tQuantile(0.975, 1e6)).toBeCloseTo(Z95, 5);
  });

  it('has I_x(a, b) right at known points', () => {
    // I_x(1, 1) = x; I_x(a, 1) = x^a; I_½(a, a) = ½.
    expect(incompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12);
    expect(incompleteBeta(0.5, 3, 1)).toBeCloseTo(0.125, 12);
    expect(incompleteBeta(0.5, 7.5, 7.5)).toBeCloseTo(0.5, 12);
  });
});
