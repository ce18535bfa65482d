/**
 * A derivative-free minimiser: the Nelder–Mead downhill simplex (Nelder & Mead 1965, "A simplex
 * method for function minimization", Computer Journal 7:308–313), with the standard coefficients
 * and the ordering rules of Lagarias, Reeds, Wright & Wright (1998, "Convergence properties of the
 * Nelder–Mead simplex method in low dimensions", SIAM J. Optim. 9:112–147):
 * reflection ρ = 1, expansion χ = 2, (outside and inside) contraction γ = ½, shrink σ = ½.
 *
 * Deterministic: the initial simplex is x0 plus one step along each axis, ties in the ordering keep
 * the earlier vertex (the sort is stable). A value that is NaN is taken as +∞, so a function may
 * signal "outside the domain" by returning NaN or Infinity and the simplex simply walks away.
 *
 * Stops when both the spread of the function values, f_worst − f_best ≤ tol·max(1, |f_best|), and
 * the simplex size, max_i ‖x_i − x_best‖∞ ≤ tol·max(1, ‖x_best‖∞), are below the tolerance
 * (`converged: true`), or after `maxIterations` (`converged: false`).
 */

export interface NelderMeadOptions {
  /** Default 200 × dimension (at least 1000). */
  maxIterations?: number;
  /** Relative tolerance on the function spread and the simplex size; default 1e-8. */
  tolerance?: number;
  /** Initial simplex edge along axis i: step · max(1, |x0_i|); default 0.1. */
  step?: number;
}

export interface NelderMeadResult {
  x: number[];
  fx: number;
  iterations: number;
  converged: boolean;
}

interface Vertex {
  x: number[];
  f: number;
}

const REFLECT = 1;
const EXPAND = 2;
const CONTRACT = 0.5;
const SHRINK = 0.5;

/** Minimise f from x0. Never throws on a bad value of f; throws only on an empty or non-finite x0. */
export function nelderMead(f: (x: number[]) => number, x0: number[], options: NelderMeadOptions = {}): NelderMeadResult {
  const n = x0.length;
  if (n === 0 || !x0.every(Number.isFinite)) throw new RangeError('nelderMead: x0 must be a non-empty vector of finite numbers');
  const maxIterations = options.maxIterations ?? Math.max(1000, 200 * n);
  const tol = options.tolerance ?? 1e-8;
  const step = options.step ?? 0.1;
  const evaluate = (x: number[]): number => {
    const v = f(x.slice());
    return Number.isNaN(v) ? Infinity : v;
  };
  const vertex = (x: number[]): Vertex => ({ x, f: evaluate(x) });
  const along = (from: number[], to: number[], t: number): number[] => from.map((v, i) => v + t * (to[i]! - v));

  const simplex: Vertex[] = [vertex(x0.slice())];
  for (let i = 0; i < n; i++) {
    const x = x0.slice();
    x[i] = x[i]! + step * Math.max(1, Math.abs(x[i]!));
    simplex.push(vertex(x));
  }

  const done = (): boolean => {
    const best = simplex[0]!;
    const worst = simplex[n]!;
    if (!Number.isFinite(best.f)) return false;
    if (!(worst.f - best.f <= tol * Math.max(1, Math.abs(best.f)))) return false;
    const scale = tol * Math.max(1, ...best.x.map(Math.abs));
    return simplex.every((v) => v.x.every((xi, i) => Math.abs(xi - best.x[i]!) <= scale));
  };

  let iterations = 0;
  sortVertices(simplex);
  while (!done()) {
    if (iterations >= maxIterations) return { x: simplex[0]!.x, fx: simplex[0]!.f, iterations, converged: false };
    iterations++;
    const best = simplex[0]!;
    const worst = simplex[n]!;
    const second = simplex[n - 1]!;
    // Centroid of every vertex but the worst.
    const centroid = new Array<number>(n).fill(0);
    for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) centroid[i] = centroid[i]! + simplex[k]!.x[i]! / n;

    const reflected = vertex(along(centroid, worst.x, -REFLECT));
    if (reflected.f < best.f) {
      const expanded = vertex(along(centroid, worst.x, -EXPAND));
      simplex[n] = expanded.f < reflected.f ? expanded : reflected;
    } else if (reflected.f < second.f) {
      simplex[n] = reflected;
    } else {
      // Outside contraction when the reflection beat the worst point, inside otherwise.
      const outside = reflected.f < worst.f;
      const contracted = vertex(along(centroid, worst.x, outside ? -CONTRACT : CONTRACT));
      if (outside ? contracted.f <= reflected.f : contracted.f < worst.f) {
        simplex[n] = contracted;
      } else {
        for (let k = 1; k <= n; k++) simplex[k] = vertex(along(best.x, simplex[k]!.x, SHRINK));
      }
    }
    sortVertices(simplex);
  }
  return { x: simplex[0]!.x, fx: simplex[0]!.f, iterations, converged: true };
}

/** Stable sort by value, +∞ last; equal values keep their order (determinism). */
function sortVertices(simplex: Vertex[]): void {
  simplex.sort((p, q) => (p.f === q.f ? 0 : p.f < q.f ? -1 : 1));
}
