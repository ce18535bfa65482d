import { describe, expect, it } from 'vitest';
import {
  churnRisk,
  expectedNextPurchaseDays,
  expectedPurchases,
  fitBgNbd,
  logLikelihood,
  logLikelihoodOne,
  probabilityAlive,
  type BgNbdCustomer,
  type BgNbdParams,
} from '../../../src/analytics/predict/bgnbd';
import { simulateBgNbd } from './simulate';

/** The published CDNOW estimates (Fader, Hardie & Lee 2005, table 1). */
const CDNOW: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

describe('BG/NBD likelihood', () => {
  it('reduces to (α/(α+T))^r for a customer with no repeat purchase', () => {
    const { r, alpha } = CDNOW;
    for (const T of [0, 10, 38.86, 365]) {
      expect(logLikelihoodOne(CDNOW, { x: 0, tx: 0, T })).toBeCloseTo(r * Math.log(alpha / (alpha + T)), 12);
    }
  });

  it('matches the closed form for x = 1 and x = 2', () => {
    const { r, alpha, a, b } = CDNOW;
    // x = 1: Γ(r+1)/Γ(r) = r, B(a,b+1)/B(a,b) = b/(a+b).
    const tx = 20;
    const T = 30;
    const l1 = (b / (a + b)) * r * alpha ** r * ((alpha + T) ** -(r + 1) + (a / b) * (alpha + tx) ** -(r + 1));
    expect(logLikelihoodOne(CDNOW, { x: 1, tx, T })).toBeCloseTo(Math.log(l1), 12);
    // x = 2: Γ(r+2)/Γ(r) = r(r+1), B(a,b+2)/B(a,b) = b(b+1)/((a+b)(a+b+1)).
    const l2 =
      ((b * (b + 1)) / ((a + b) * (a + b + 1))) *
      r *
      (r + 1) *
      alpha ** r *
      ((alpha + T) ** -(r + 2) + (a / (b + 1)) * (alpha + tx) ** -(r + 2));
    expect(logLikelihoodOne(CDNOW, { x: 2, tx, T })).toBeCloseTo(Math.log(l2), 12);
    // The summed version agrees with the per-customer one.
    const cs = [
      { x: 0, tx: 0, T: 30 },
      { x: 1, tx, T },
      { x: 2, tx, T },
    ];
    expect(logLikelihood(CDNOW, cs)).toBeCloseTo(
      cs.reduce((s, c) => s + logLikelihoodOne(CDNOW, c), 0),
      10,
    );
  });
});

describe('BG/NBD per-customer quantities', () => {
  it('P(alive) is 1 without repeat purchases and follows the closed form otherwise', () => {
    const { r, alpha, a, b } = CDNOW;
    expect(probabilityAlive(CDNOW, { x: 0, tx: 0, T: 100 })).toBe(1);
    const c = { x: 2, tx: 30.43, T: 38.86 };
    const expected = 1 / (1 + (a / (b + 1)) * ((alpha + c.T) / (alpha + c.tx)) ** (r + 2));
    expect(probabilityAlive(CDNOW, c)).toBeCloseTo(expected, 12);
    expect(churnRisk(CDNOW, c)).toBeCloseTo(1 - expected, 12);
    expect(expectedNextPurchaseDays(CDNOW, c)).toBeCloseTo((alpha + c.T) / (r + 2), 12);
  });

  it('E[Y(t) | x, tₓ, T] agrees with an independent numerical integral, including z near 1', () => {
    // E = P(alive) · ∫₀¹ (1 − (1 + p·t/(α+T))^−(r+x))/p · Beta(p; a, b+x) dp (λ integrated out),
    // by Simpson after u = p^min(1,a), which removes the p^(a−1) singularity at 0 when a < 1.
    const byIntegral = (p: BgNbdParams, c: BgNbdCustomer, t: number): number => {
      const betaLog = lg(p.a) + lg(p.b + c.x) - lg(p.a + p.b + c.x);
      const k = Math.min(1, p.a); // u = p^k: p^(a−1) dp = u^(a/k−1) du / k, smooth for k = min(1, a)
      const g = (u: number): number => {
        const q = Math.pow(u, 1 / k);
        const inner = q === 0 ? ((p.r + c.x) * t) / (p.alpha + c.T) : -Math.expm1(-(p.r + c.x) * Math.log1p((q * t) / (p.alpha + c.T))) / q;
        return (inner * Math.pow(u, p.a / k - 1) * Math.pow(1 - q, p.b + c.x - 1)) / k;
      };
      const n = 20_000;
      let s = g(0) + g(1);
      for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * g(i / n);
      return ((s / (3 * n)) * probabilityAlive(p, c)) / Math.exp(betaLog);
    };
    const cases: Array<[BgNbdParams, BgNbdCustomer, number]> = [
      [CDNOW, { x: 2, tx: 30.43, T: 38.86 }, 39],
      [CDNOW, { x: 0, tx: 0, T: 38.86 }, 52],
      [CDNOW, { x: 7, tx: 300, T: 365 }, 180],
      [CDNOW, { x: 1, tx: 0, T: 0 }, 3650], // z = 3650/3654.4: the connection formula
      [{ r: 0.9, alpha: 12, a: 2.5, b: 1.2 }, { x: 4, tx: 80, T: 100 }, 365],
      [{ r: 0.5, alpha: 5, a: 1, b: 3 }, { x: 3, tx: 50, T: 90 }, 60], // a = 1: removable singularity
    ];
    for (const [p, c, t] of cases) {
      const closed = expectedPurchases(p, c, t);
      expect(Math.abs(closed - byIntegral(p, c, t)) / closed).toBeLessThan(1e-5);
    }
    expect(expectedPurchases(CDNOW, { x: 2, tx: 30, T: 38 }, 0)).toBe(0);
  });
});

/** ln Γ for the test's own integral, by Stirling's series after shifting x up (independent of src). */
function lg(x: number): number {
  let shift = 0;
  while (x < 20) {
    shift -= Math.log(x);
    x += 1;
  }
  return shift + (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3) + 1 / (1260 * x ** 5);
}

describe('BG/NBD fit on synthetic customers', () => {
  const truth: BgNbdParams = { r: 0.25, alpha: 4, a: 0.8, b: 2.5 };
  const sim = simulateBgNbd(truth, { customers: 4000, calibration: 365, holdout: 180, seed: 2 });
  const fit = fitBgNbd(sim);

  it('recovers r, α, a, b within 15 %', () => {
    expect(fit.ok).toBe(true);
    if (!fit.ok) return;
    expect(fit.converged).toBe(true);
    expect(fit.customers).toBe(4000);
    for (const k of ['r', 'alpha', 'a', 'b'] as const) expect(Math.abs(fit.params[k] / truth[k] - 1)).toBeLessThan(0.15);
    // The maximum beats the truth on its own data.
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(logLikelihood(truth, sim));
  });

  it('predicts the 180-day holdout within 10 % and ranks the buyers as more alive', () => {
    if (!fit.ok) throw new Error(fit.reason);
    const expected = sim.reduce((s, c) => s + expectedPurchases(fit.params, c, 180), 0);
    const actual = sim.reduce((s, c) => s + c.holdout, 0);
    expect(Math.abs(expected / actual - 1)).toBeLessThan(0.1);
    const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
    const buyers = mean(sim.filter((c) => c.holdout > 0).map((c) => probabilityAlive(fit.params, c)));
    const others = mean(sim.filter((c) => c.holdout === 0).map((c) => probabilityAlive(fit.params, c)));
    expect(buyers).toBeGreaterThan(others + 0.1);
  });

  it('is deterministic', () => {
    expect(fitBgNbd(sim.slice(0, 500))).toEqual(fitBgNbd(sim.slice(0, 500)));
  });
});

describe('BG/NBD fallbacks', () => {
  it('says "not enough history" with the specific reason', () => {
    const empty = fitBgNbd([]);
    expect(empty).toEqual({ ok: false, reason: expect.stringMatching(/^not enough history: 0 customers/) });
    const one = fitBgNbd([{ x: 3, tx: 20, T: 40 }]);
    expect(one).toEqual({ ok: false, reason: expect.stringMatching(/^not enough history: 1 customer,/) });
    const noRepeat = fitBgNbd([
      { x: 0, tx: 0, T: 40 },
      { x: 0, tx: 0, T: 10 },
    ]);
    expect(noRepeat).toEqual({ ok: false, reason: 'not enough history: no customer has bought more than once' });
    expect(
      fitBgNbd([
        { x: 1, tx: 50, T: 40 },
        { x: 0, tx: 0, T: 1 },
      ]),
    ).toEqual({ ok: false, reason: expect.stringMatching(/^invalid input/) });
  });

  it('fits tiny bases when the likelihood allows, or declines honestly', () => {
    const tiny = fitBgNbd([
      { x: 2, tx: 30, T: 60 },
      { x: 0, tx: 0, T: 45 },
      { x: 1, tx: 5, T: 90 },
    ]);
    if (tiny.ok) {
      expect(Object.values(tiny.params).every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    } else {
      expect(tiny.reason).toMatch(/^not enough history: /);
    }
  });
});
