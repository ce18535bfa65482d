import { describe, expect, it } from 'vitest';
import { gammaSign, hyp2f1, logGamma } from '../../../src/analytics/predict/special';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('logGamma', () => {
  it('matches factorials and Γ(½) = √π', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12);
    expect(logGamma(11)).toBeCloseTo(Math.log(3628800), 10);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(logGamma(-0.5)).toBeCloseTo(Math.log(2 * Math.sqrt(Math.PI)), 12);
    expect(gammaSign(-0.5)).toBe(-1);
    expect(gammaSign(-1.5)).toBe(1);
    expect(gammaSign(-2)).toBe(0);
  });
});

describe('hyp2f1', () => {
  it('matches closed forms on both sides of the series limit', () => {
    for (const z of [0.1, 0.5, 0.74, 0.8, 0.95, 0.999, 0.999999]) {
      // ₂F₁(1, 1; 2; z) = −ln(1−z)/z  (c − a − b = 0: the degenerate connection case)
      expect(rel(hyp2f1(1, 1, 2, z), -Math.log(1 - z) / z)).toBeLessThan(1e-6);
      // ₂F₁(a, b; b; z) = (1−z)^(−a)
      expect(rel(hyp2f1(0.7, 2.3, 2.3, z), Math.pow(1 - z, -0.7))).toBeLessThan(1e-10);
      // ₂F₁(½, 1; 3/2; z²) = atanh(z)/z
      const s = Math.sqrt(z);
      expect(rel(hyp2f1(0.5, 1, 1.5, z), Math.atanh(s) / s)).toBeLessThan(1e-6);
    }
  });

  it('handles negative z (Pfaff) and agrees between series and connection formula', () => {
    // ₂F₁(1, 1; 2; z) = ln(1−z)/(−z) holds for z < 0 as well.
    expect(rel(hyp2f1(1, 1, 2, -3), Math.log(4) / 3)).toBeLessThan(1e-9);
    // Continuity across z = 0.75 for generic parameters.
    const below = hyp2f1(0.37, 1.9, 2.6, 0.75);
    const above = hyp2f1(0.37, 1.9, 2.6, 0.75 + 1e-12);
    expect(rel(above, below)).toBeLessThan(1e-9);
    expect(Number.isNaN(hyp2f1(1, 1, 2, 1))).toBe(true);
    expect(Number.isNaN(hyp2f1(1, 1, -2, 0.5))).toBe(true);
  });
});
