import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors';
import { katzRelative, lift, LIFT_MINIMUMS, newcombDifference } from '../../src/attribution/lift';

const rep = (n: number, v: number): number[] => Array.from({ length: n }, () => v);

describe('newcombDifference (method 10)', () => {
  it("reproduces Newcomb's (1998) table II examples", () => {
    // 56/70 − 48/80 = 0.2000, interval 0.0524 to 0.3339.
    const a = newcombDifference(56, 70, 48, 80)!;
    expect(a.estimate).toBeCloseTo(0.2, 12);
    expect(a.ci.lower).toBeCloseTo(0.0524, 4);
    expect(a.ci.upper).toBeCloseTo(0.3339, 4);
    // 9/10 − 3/10 = 0.6000, 0.1705 to 0.8090; 5/56 − 0/29 = 0.0893, −0.0381 to 0.1926.
    const b = newcombDifference(9, 10, 3, 10)!;
    expect([b.ci.lower, b.ci.upper].map((x) => Number(x.toFixed(4)))).toEqual([0.1705, 0.809]);
    const c = newcombDifference(5, 56, 0, 29)!;
    expect([c.ci.lower, c.ci.upper].map((x) => Number(x.toFixed(4)))).toEqual([-0.0381, 0.1926]);
  });
});

describe('lift: a worked example by hand', () => {
  // Treated: 100 contacts, 20 converters (10 spent 50, 10 spent 100). Held out: 50 contacts, 5 converters (each 40).
  // z = 1.959964, z² = 3.841459.
  const treated = { contacts: 100, converters: 20, revenue: [...rep(10, 50), ...rep(10, 100)] };
  const heldOut = { contacts: 50, converters: 5, revenue: rep(5, 40) };
  const r = lift(treated, heldOut);

  it('has enough data', () => {
    expect(r.enough).toBe(true);
    expect(r.reason).toBeNull();
  });

  it('gives Wilson intervals for the rates', () => {
    // 20/100: centre (20 + 1.920729) / 103.841459 = 0.211098; half 1.959964/103.841459 · √(20·80/100 + 0.960365)
    //         = 0.0188746 · 4.118297 = 0.077731 → [0.133367, 0.288829].
    expect(r.treated.rate).toBe(0.2);
    expect(r.treated.rateCi!.lower).toBeCloseTo(0.133367, 5);
    expect(r.treated.rateCi!.upper).toBeCloseTo(0.288829, 5);
    // 5/50: centre 6.920729 / 53.841459 = 0.128539; half 0.0364024 · √(5·45/50 + 0.960365) = 0.0364024 · 2.336710
    //       = 0.085062 → [0.043477, 0.213601].
    expect(r.heldOut.rate).toBe(0.1);
    expect(r.heldOut.rateCi!.lower).toBeCloseTo(0.043477, 5);
    expect(r.heldOut.rateCi!.upper).toBeCloseTo(0.213601, 5);
  });

  it('gives the absolute lift with its Newcomb interval', () => {
    // d = 0.2 − 0.1 = 0.1.
    // L = 0.1 − √((0.2 − 0.133367)² + (0.213601 − 0.1)²) = 0.1 − √(0.0044400 + 0.0129052) = 0.1 − 0.131701 = −0.031701.
    // U = 0.1 + √((0.288829 − 0.2)² + (0.1 − 0.043477)²) = 0.1 + √(0.0078906 + 0.0031948) = 0.1 + 0.105287 = 0.205287.
    expect(r.absolute!.estimate).toBeCloseTo(0.1, 12);
    expect(r.absolute!.ci.lower).toBeCloseTo(-0.031701, 5);
    expect(r.absolute!.ci.upper).toBeCloseTo(0.205287, 5);
  });

  it('gives the relative lift with its Katz interval', () => {
    // RR = 0.2 / 0.1 = 2 → relative lift 1 (+100 %). SE(ln RR) = √(1/20 − 1/100 + 1/5 − 1/50) = √0.22 = 0.469042.
    // exp(±1.959964 · 0.469042) = exp(±0.919306) = 2.507546, 0.398797 → RR in [0.797594, 5.015092] → lift [−0.202406, 4.015092].
    expect(r.relative!.estimate).toBeCloseTo(1, 12);
    expect(r.relative!.ci.lower).toBeCloseTo(-0.202406, 5);
    expect(r.relative!.ci.upper).toBeCloseTo(4.015092, 5);
  });

  it("gives revenue per contact with Welch's interval", () => {
    // Treated: sum 1500, mean 15, Σx² = 10·2500 + 10·10000 = 125000, s² = (125000 − 100·15²)/99 = 1035.3535, s²/n = 10.353535.
    // Held out: sum 200, mean 4, Σx² = 8000, s² = (8000 − 50·4²)/49 = 146.93878, s²/n = 2.9387755.
    // SE = √(10.353535 + 2.9387755) = √13.292311 = 3.645862.
    // df = 13.292311² / (10.353535²/99 + 2.9387755²/49) = 176.68553 / (1.0827770 + 0.1762533) = 140.3338.
    // t(0.975, 140.33) = 1.97701 (between 1.9799 at 120 and 1.9771 at 140, tables) → 11 ± 7.20792 = [3.79208, 18.20792].
    expect(r.treated.revenue).toBe(1500);
    expect(r.treated.revenuePerContact).toBe(15);
    expect(r.heldOut.revenuePerContact).toBe(4);
    const d = r.revenuePerContact!;
    expect(d.estimate).toBe(11);
    expect(d.df).toBeCloseTo(140.3338, 3);
    expect(d.ci.lower).toBeCloseTo(3.79208, 4);
    expect(d.ci.upper).toBeCloseTo(18.20792, 4);
  });

  it('gives the same from SQL-style sums as from the values', () => {
    const bySums = lift(
      { contacts: 100, converters: 20, revenue: { sum: 1500, sumSquares: 125000 } },
      { contacts: 50, converters: 5, revenue: { sum: 200, sumSquares: 8000 } },
    );
    expect(bySums.revenuePerContact!.ci.lower).toBeCloseTo(r.revenuePerContact!.ci.lower, 9);
    expect(bySums.revenuePerContact!.df).toBeCloseTo(r.revenuePerContact!.df, 6);
    expect(bySums.absolute).toEqual(r.absolute);
  });
});

describe('lift: thin data', () => {
  it(`says "not enough data yet" below ${LIFT_MINIMUMS.contacts} contacts or ${LIFT_MINIMUMS.converters} converters per group, still estimating`, () => {
    expect(LIFT_MINIMUMS).toEqual({ contacts: 30, converters: 5 });
    const r = lift({ contacts: 29, converters: 6, revenue: [] }, { contacts: 40, converters: 4, revenue: [] });
    expect(r.enough).toBe(false);
    expect(r.reason).toBe('not enough data yet: treated has 29 contacts (needs 30); held-out has 4 converters (needs 5)');
    expect(r.absolute).not.toBeNull();
    expect(lift({ contacts: 30, converters: 5, revenue: [] }, { contacts: 30, converters: 5, revenue: [] }).enough).toBe(true);
  });

  it('works from the first day: an empty holdout gives nulls, not NaN', () => {
    const r = lift({ contacts: 3, converters: 1, revenue: [20] }, { contacts: 0, converters: 0, revenue: [] });
    expect(r.enough).toBe(false);
    expect(r.heldOut).toEqual({ contacts: 0, converters: 0, rate: null, rateCi: null, revenue: 0, revenuePerContact: null });
    expect(r.absolute).toBeNull();
    expect(r.relative).toBeNull();
    expect(r.revenuePerContact).toBeNull();
  });

  it('has no relative lift without converters in a group, and a point interval with no revenue variance', () => {
    expect(katzRelative(5, 50, 0, 50)).toBeNull();
    const r = lift({ contacts: 40, converters: 0, revenue: [] }, { contacts: 40, converters: 0, revenue: [] });
    expect(r.revenuePerContact).toEqual({ estimate: 0, ci: { lower: 0, upper: 0 }, df: Infinity });
  });

  it('refuses impossible counts', () => {
    expect(() => lift({ contacts: 5, converters: 6, revenue: [] }, { contacts: 5, converters: 0, revenue: [] })).toThrow(AppError);
    expect(() => lift({ contacts: 5, converters: 1, revenue: [] }, { contacts: 1.5, converters: 0, revenue: [] })).toThrow(
      /heldOut.contacts/,
    );
    expect(() => lift({ contacts: 1, converters: 1, revenue: [1, 2] }, { contacts: 5, converters: 0, revenue: [] })).toThrow(/revenue/);
  });
});
