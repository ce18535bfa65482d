/**
 * Special functions the repeat-buying models need: ln Γ (with the sign of Γ, for the arguments of
 * the hypergeometric connection formula, which can be negative), a stable log-sum-exp, and the
 * Gaussian hypergeometric function ₂F₁(a, b; c; z) for real z < 1.
 *
 * ln Γ is src/attribution/stats.ts's (Lanczos, g = 7, n = 9; ~1e-15 relative).
 */
import { logGamma } from '../../attribution/stats';

export { logGamma };

/** The sign of Γ(x): 1 for x > 0, (−1)^⌈−x⌉ between the poles below 0, and 0 at a pole. */
export function gammaSign(x: number): -1 | 0 | 1 {
  if (x > 0) return 1;
  if (Number.isInteger(x)) return 0;
  return Math.floor(x) % 2 === 0 ? 1 : -1;
}

/** ln(eᵃ + eᵇ) without overflow; −∞ when both are −∞. */
export function logAddExp(a: number, b: number): number {
  const m = Math.max(a, b);
  if (m === -Infinity) return -Infinity;
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
}

/** Γ(num₁)·Γ(num₂)/(Γ(den₁)·Γ(den₂)), by logs and signs; 0 when a denominator sits on a pole. */
function gammaRatio(num: readonly number[], den: readonly number[]): number {
  let sign = 1;
  let log = 0;
  for (const v of den) {
    const s = gammaSign(v);
    if (s === 0) return 0;
    sign *= s;
    log -= logGamma(v);
  }
  for (const v of num) {
    const s = gammaSign(v);
    if (s === 0) return NaN;
    sign *= s;
    log += logGamma(v);
  }
  return sign * Math.exp(log);
}

const EPS = 1e-16;
/** z beyond which the direct series gives way to the connection formula in 1 − z. */
const SERIES_LIMIT = 0.75;
/** Distance of c − a − b from an integer below which the connection formula is degenerate. */
const INTEGER_GAP = 1e-4;

/**
 * The Gauss series Σₙ (a)ₙ(b)ₙ/((c)ₙ n!) zⁿ (A&S 15.1.1), summed until the terms are past their peak
 * (n > max(|a|, |b|, |c|), so the term ratio tends monotonically to z) and the geometric bound on
 * the remaining tail, |tₙ|·ρ/(1 − ρ) with ρ = max(|ratio|, |z|), is below 1e-16 of the sum. NaN
 * when that does not happen within `maxTerms`.
 */
function gaussSeries(a: number, b: number, c: number, z: number, maxTerms: number): number {
  let term = 1;
  let sum = 1;
  const peak = Math.max(Math.abs(a), Math.abs(b), Math.abs(c));
  for (let n = 0; n < maxTerms; n++) {
    const ratio = (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    term *= ratio;
    sum += term;
    if (term === 0) return sum; // a or b a non-positive integer: a polynomial
    if (!Number.isFinite(sum)) return NaN;
    if (n > peak) {
      const rho = Math.max(Math.abs(ratio), Math.abs(z));
      if (rho < 1 && (Math.abs(term) * rho) / (1 - rho) <= EPS * Math.abs(sum)) return sum;
    }
  }
  return NaN;
}

/**
 * The connection formula to 1 − z (A&S 15.3.6), valid when c − a − b is not an integer:
 * ₂F₁(a,b;c;z) = Γ(c)Γ(c−a−b)/(Γ(c−a)Γ(c−b)) · ₂F₁(a, b; a+b−c+1; 1−z)
 *              + (1−z)^(c−a−b) · Γ(c)Γ(a+b−c)/(Γ(a)Γ(b)) · ₂F₁(c−a, c−b; c−a−b+1; 1−z).
 */
function connection(a: number, b: number, c: number, z: number): number {
  const d = c - a - b;
  const w = 1 - z;
  const first = gammaRatio([c, d], [c - a, c - b]);
  const second = gammaRatio([c, -d], [a, b]);
  const f1 = first === 0 ? 0 : first * gaussSeries(a, b, 1 - d, w, 100_000);
  const f2 = second === 0 ? 0 : Math.pow(w, d) * second * gaussSeries(c - a, c - b, 1 + d, w, 100_000);
  return f1 + f2;
}

/**
 * ₂F₁(a, b; c; z) for real parameters and real z < 1; NaN where it is undefined (z ≥ 1, c a
 * non-positive integer) or could not be summed.
 *
 * - z < 0: Pfaff's transformation ₂F₁(a,b;c;z) = (1−z)^(−a) ₂F₁(a, c−b; c; z/(z−1)) (A&S 15.3.4),
 *   which maps z into (0, 1) so the series has no alternating cancellation;
 * - 0 ≤ z ≤ 0.75: the Gauss series, with the convergence check above (at most 100 000 terms);
 * - z > 0.75: the connection formula in 1 − z ≤ 0.25, where both series converge fast. When
 *   c − a − b is within 1e-4 of an integer the formula is degenerate (its two terms have opposite
 *   poles); there the direct series is tried with up to 2 000 000 terms, and failing that the
 *   formula at c ± 1e-3 and c ± 2e-3, Richardson-extrapolated (₂F₁ is analytic in c; error O(h⁴)).
 */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  if (![a, b, c, z].every(Number.isFinite) || z >= 1) return NaN;
  if (c <= 0 && Number.isInteger(c)) return NaN;
  if (z === 0 || a === 0 || b === 0) return 1;
  if (z < 0) return Math.pow(1 - z, -a) * hyp2f1(a, c - b, c, z / (z - 1));
  if (z <= SERIES_LIMIT) return gaussSeries(a, b, c, z, 100_000);
  const d = c - a - b;
  if (Math.abs(d - Math.round(d)) > INTEGER_GAP) return connection(a, b, c, z);
  const direct = gaussSeries(a, b, c, z, 2_000_000);
  if (Number.isFinite(direct)) return direct;
  // Symmetric means at c ± h and c ± 2h, Richardson-combined so the O(h²) errors cancel.
  const h = 1e-3;
  const near = (connection(a, b, c + h, z) + connection(a, b, c - h, z)) / 2;
  const far = (connection(a, b, c + 2 * h, z) + connection(a, b, c - 2 * h, z)) / 2;
  return (4 * near - far) / 3;
}
