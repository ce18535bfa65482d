/**
 * Exact decomposition of the change of a product R = N · V · L between two periods into the
 * contributions of its three factors (contributions sum to ΔR = R₁ − R₀).
 *
 * - LMDI-I (log-mean Divisia index, Ang 2004): contribution_X = Lm(R₁, R₀) · ln(X₁ / X₀), with the
 *   logarithmic mean Lm(a, b) = (a − b) / (ln a − ln b) and Lm(a, a) = a. Exact because
 *   Σ ln(X₁/X₀) = ln(R₁/R₀). Defined only when every factor is > 0 (finite) in both periods.
 * - Otherwise (any factor zero, negative or missing in either period) the exact three-factor
 *   Shapley decomposition (symmetric shift-share): the effect of changing X averaged over the six
 *   orders in which the factors can change, which for X with the other factors Y, Z is
 *   ΔX · [(Y₀Z₀ + Y₁Z₁)/3 + (Y₀Z₁ + Y₁Z₀)/6]. A missing factor counts as 0 there.
 */

export type DecompositionMethod = 'lmdi' | 'shapley';

/** The three factors of R = N · V · L in one period; null when undefined (e.g. V with no retained customers). */
export interface Factors {
  N: number | null;
  V: number | null;
  L: number | null;
}

export interface Contributions {
  N: number;
  V: number;
  L: number;
}

export interface Decomposition {
  method: DecompositionMethod;
  contributions: Contributions;
}

/** The logarithmic mean of two positive numbers: (a − b) / (ln a − ln b), and a when a = b. */
export function logMean(a: number, b: number): number {
  if (a === b) return a;
  return (a - b) / Math.log(a / b);
}

const positive = (x: number | null): x is number => x !== null && Number.isFinite(x) && x > 0;

/** LMDI-I contributions; null unless all six factors are > 0. */
export function lmdi(before: Factors, after: Factors): Contributions | null {
  const { N: n0, V: v0, L: l0 } = before;
  const { N: n1, V: v1, L: l1 } = after;
  if (!positive(n0) || !positive(v0) || !positive(l0) || !positive(n1) || !positive(v1) || !positive(l1)) return null;
  const w = logMean(n1 * v1 * l1, n0 * v0 * l0);
  return { N: w * Math.log(n1 / n0), V: w * Math.log(v1 / v0), L: w * Math.log(l1 / l0) };
}

/** Shapley (symmetric shift-share) contributions for three factors; a null factor counts as 0. */
export function shapley(before: Factors, after: Factors): Contributions {
  const [n0, v0, l0] = [before.N ?? 0, before.V ?? 0, before.L ?? 0];
  const [n1, v1, l1] = [after.N ?? 0, after.V ?? 0, after.L ?? 0];
  const share = (dx: number, y0: number, y1: number, z0: number, z1: number): number =>
    dx * ((y0 * z0 + y1 * z1) / 3 + (y0 * z1 + y1 * z0) / 6);
  return {
    N: share(n1 - n0, v0, v1, l0, l1),
    V: share(v1 - v0, n0, n1, l0, l1),
    L: share(l1 - l0, n0, n1, v0, v1),
  };
}

/** LMDI-I when every factor is positive in both periods, else Shapley. */
export function decompose(before: Factors, after: Factors): Decomposition {
  const log = lmdi(before, after);
  return log ? { method: 'lmdi', contributions: log } : { method: 'shapley', contributions: shapley(before, after) };
}

/**
 * Contributions rounded to whole minor units so that they sum to `deltaMinor` exactly: each is
 * rounded half away from zero, and what is left over (at most a unit or two) goes to the
 * contribution largest in magnitude (ties: N, then V, then L). Inputs and outputs in minor units.
 */
export function roundContributions(exact: Contributions, deltaMinor: number): Contributions {
  const keys = ['N', 'V', 'L'] as const;
  const rounded = { N: roundHalfAway(exact.N), V: roundHalfAway(exact.V), L: roundHalfAway(exact.L) };
  const left = deltaMinor - (rounded.N + rounded.V + rounded.L);
  const largest = keys.reduce((best, k) => (Math.abs(exact[k]) > Math.abs(exact[best]) ? k : best), keys[0]);
  rounded[largest] += left;
  return rounded;
}

function roundHalfAway(x: number): number {
  const r = Math.round(Math.abs(Number(x.toPrecision(15))));
  return x < 0 && r !== 0 ? -r : r;
}
