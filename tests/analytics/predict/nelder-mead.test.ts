import { describe, expect, it } from 'vitest';
import { nelderMead } from '../../../src/analytics/predict/nelder-mead';

describe('nelderMead', () => {
  it('finds the Rosenbrock minimum (1, 1) from (−1.2, 1)', () => {
    const rosenbrock = ([x, y]: number[]) => 100 * (y! - x! * x!) ** 2 + (1 - x!) ** 2;
    const res = nelderMead(rosenbrock, [-1.2, 1]);
    expect(res.converged).toBe(true);
    expect(Math.abs(res.x[0]! - 1)).toBeLessThan(1e-4);
    expect(Math.abs(res.x[1]! - 1)).toBeLessThan(1e-4);
    expect(res.fx).toBeLessThan(1e-8);
  });

  it('minimises a 4-D quadratic', () => {
    const centre = [1, -2, 3, 0.5];
    const weights = [1, 4, 0.5, 10];
    const f = (x: number[]) => x.reduce((s, v, i) => s + weights[i]! * (v - centre[i]!) ** 2, 0) + 7;
    const res = nelderMead(f, [0, 0, 0, 0], { maxIterations: 5000 });
    expect(res.converged).toBe(true);
    res.x.forEach((v, i) => expect(v).toBeCloseTo(centre[i]!, 4));
    expect(res.fx).toBeCloseTo(7, 8);
  });

  it('treats NaN and Infinity as +∞ and walks away from them', () => {
    // Undefined for x ≤ 0 (NaN from the log) and Infinity for y > 3; minimum at (e, 2).
    const f = ([x, y]: number[]) => (y! > 3 ? Infinity : (Math.log(x!) - 1) ** 2 + (y! - 2) ** 2);
    const res = nelderMead(f, [0.05, 2.9], { step: 1 });
    expect(res.converged).toBe(true);
    expect(res.x[0]).toBeCloseTo(Math.E, 3);
    expect(res.x[1]).toBeCloseTo(2, 3);
    // A function that is NaN everywhere: no throw, not converged.
    const nan = nelderMead(() => NaN, [1, 1], { maxIterations: 50 });
    expect(nan.converged).toBe(false);
    expect(nan.fx).toBe(Infinity);
  });

  it('is deterministic', () => {
    const f = ([x, y]: number[]) => (x! - 3) ** 2 + Math.abs(y!) + Math.sin(5 * x!);
    expect(nelderMead(f, [0, 1])).toEqual(nelderMead(f, [0, 1]));
  });
});
