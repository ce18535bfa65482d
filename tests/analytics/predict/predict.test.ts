import { describe, expect, it } from 'vitest';
import { predictCustomers, type CustomerInput } from '../../../src/analytics/predict/index';
import { sampler, simulateBgNbd } from './simulate';

/** A synthetic base: BG/NBD purchases, a spend per customer around 30 for those who repeat. */
function base(n: number, seed: number): CustomerInput[] {
  const s = sampler(seed + 1000);
  return simulateBgNbd({ r: 0.25, alpha: 4, a: 0.8, b: 2.5 }, { customers: n, calibration: 365, holdout: 0, seed }).map((c, id) => ({
    id,
    x: c.x,
    tx: c.tx,
    T: c.T,
    meanSpend: c.x >= 1 || id % 2 === 0 ? 10 + 40 * s.uniform() : null,
  }));
}

describe('predictCustomers', () => {
  const customers = base(1500, 7);
  const out = predictCustomers(customers, 180);

  it('predicts every customer with both models fitted', () => {
    expect(out.model.purchases.ok).toBe(true);
    expect(out.model.spend.ok).toBe(true);
    expect(out.model.spendSource).toBe('gamma-gamma');
    expect(out.predictions).toHaveLength(customers.length);
    for (const p of out.predictions) {
      expect(p.alive).toBeGreaterThan(0);
      expect(p.alive).toBeLessThanOrEqual(1);
      expect(p.churnRisk).toBeCloseTo(1 - p.alive!, 12);
      expect(p.expectedPurchases).toBeGreaterThanOrEqual(0);
      expect(p.nextOrderInDays).toBeGreaterThan(0);
      expect(p.predictedValue).toBeGreaterThanOrEqual(0);
      expect(p.reason).toBeUndefined();
    }
  });

  it('is deterministic', () => {
    const small = customers.slice(0, 300);
    expect(predictCustomers(small, 90)).toEqual(predictCustomers(small, 90));
  });

  it('returns nulls with the reason when the purchase model cannot fit', () => {
    for (const input of [
      [],
      [{ id: 1, x: 4, tx: 30, T: 60, meanSpend: 20 }],
      [
        { id: 1, x: 0, tx: 0, T: 60, meanSpend: 20 },
        { id: 2, x: 0, tx: 0, T: 30, meanSpend: null },
      ],
    ] as CustomerInput[][]) {
      const res = predictCustomers(input, 180);
      expect(res.model.purchases.ok).toBe(false);
      expect(res.predictions).toHaveLength(input.length);
      for (const p of res.predictions) {
        expect(p).toEqual({
          id: p.id,
          alive: null,
          churnRisk: null,
          expectedPurchases: null,
          nextOrderInDays: null,
          predictedValue: null,
          reason: expect.stringMatching(/^not enough history: /),
        });
      }
    }
  });

  it('uses the population mean spend when Gamma-Gamma cannot fit', () => {
    const input = customers.slice(0, 400).map((c) => ({ ...c, meanSpend: c.meanSpend === null ? null : 25 }));
    const res = predictCustomers(input, 180);
    expect(res.model.purchases.ok).toBe(true);
    expect(res.model.spend.ok).toBe(false);
    expect(res.model.spendSource).toBe('population-mean');
    expect(res.model.populationMeanSpend).toBe(25);
    for (const p of res.predictions) expect(p.predictedValue).toBeCloseTo(p.expectedPurchases! * 25, 10);
  });
});

describe('fitting a large base', () => {
  it('reads an even, deterministic sample of at most FIT_SAMPLE customers', async () => {
    const { evenSample, FIT_SAMPLE } = await import('../../../src/analytics/predict-customers');
    const xs = Array.from({ length: 50_001 }, (_, i) => i);
    const sample = evenSample(xs, FIT_SAMPLE);
    expect(sample).toHaveLength(FIT_SAMPLE);
    expect(sample[0]).toBe(0);
    expect(new Set(sample).size).toBe(FIT_SAMPLE);
    expect(sample.at(-1)!).toBeGreaterThan(49_990);
    expect(evenSample(xs, FIT_SAMPLE)).toEqual(sample);
    expect(evenSample([1, 2, 3], FIT_SAMPLE)).toEqual([1, 2, 3]);
  });
});
