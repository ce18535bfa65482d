import { describe, expect, it } from 'vitest';
import {
  expectedAverageSpend,
  fitGammaGamma,
  gammaGammaLogLikelihood,
  gammaGammaLogLikelihoodOne,
  populationAverageSpend,
  spendEstimate,
} from '../../../src/analytics/predict/gamma-gamma';
import { simulateSpend } from './simulate';

describe('Gamma-Gamma', () => {
  const truth = { p: 6, q: 4, v: 15 };
  const data = simulateSpend(truth, { customers: 4000, seed: 2 });
  const fit = fitGammaGamma(data);

  it('has the closed-form density for x = 1 (a Lomax-type compound of two gammas)', () => {
    // x = 1: f(m) = Γ(p+q)/(Γ(p)Γ(q)) v^q m^(p−1)/(v+m)^(p+q); with p = 1, q = 2: 2v²/(v+m)³.
    const params = { p: 1, q: 2, v: 10 };
    expect(gammaGammaLogLikelihoodOne(params, { x: 1, m: 5 })).toBeCloseTo(Math.log((2 * 100) / 15 ** 3), 12);
  });

  it('recovers p, q, v within 25 % (q within 10 %)', () => {
    expect(fit.ok).toBe(true);
    if (!fit.ok) return;
    expect(Math.abs(fit.params.p / truth.p - 1)).toBeLessThan(0.25);
    expect(Math.abs(fit.params.q / truth.q - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.params.v / truth.v - 1)).toBeLessThan(0.25);
    // The population mean pv/(q−1) = 30 is far better determined than p and v separately.
    expect(Math.abs(populationAverageSpend(fit.params) / 30 - 1)).toBeLessThan(0.05);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(gammaGammaLogLikelihood(truth, data));
  });

  it('shrinks a customer mean toward the population mean, as in the closed form', () => {
    const params = { p: 6, q: 4, v: 15 };
    const population = (6 * 15) / 3; // 30
    const c = { x: 3, m: 50 };
    const weight = (6 * 3) / (6 * 3 + 4 - 1); // 18/21 on the customer's own mean
    const closed = (1 - weight) * population + weight * 50;
    expect(expectedAverageSpend(params, c)).toBeCloseTo(closed, 12);
    expect(expectedAverageSpend(params, c)).toBeLessThan(50);
    expect(expectedAverageSpend(params, c)).toBeGreaterThan(population);
    expect(expectedAverageSpend(params, { x: 0, m: 0 })).toBeCloseTo(population, 12);
    expect(Number.isNaN(expectedAverageSpend({ p: 1, q: 0.5, v: 1 }, { x: 0, m: 0 }))).toBe(true);
  });

  it('falls back: too few repeat customers, identical spend; then the population mean is used', () => {
    expect(fitGammaGamma([])).toEqual({ ok: false, reason: expect.stringMatching(/^not enough history: 0 repeat customers/) });
    expect(
      fitGammaGamma([
        { x: 2, m: 10 },
        { x: 0, m: 10 },
      ]),
    ).toEqual({
      ok: false,
      reason: expect.stringMatching(/^not enough history: 1 repeat customer with spend/),
    });
    const same = fitGammaGamma([
      { x: 2, m: 10 },
      { x: 5, m: 10 },
      { x: 1, m: 10 },
    ]);
    expect(same).toEqual({ ok: false, reason: 'not enough history: every repeat customer has the same mean spend' });
    expect(spendEstimate(same, { x: 2, m: 10 }, 12.5)).toEqual({ spend: 12.5, source: 'population-mean' });
    expect(spendEstimate(same, { x: 2, m: 10 }, null)).toBeNull();
    if (fit.ok) expect(spendEstimate(fit, { x: 3, m: 50 }, 12.5)?.source).toBe('gamma-gamma');
  });

  it('is deterministic', () => {
    expect(fitGammaGamma(data.slice(0, 300))).toEqual(fitGammaGamma(data.slice(0, 300)));
  });
});
