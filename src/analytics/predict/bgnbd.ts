/**
 * The BG/NBD model of repeat buying (Fader, Hardie & Lee 2005, "'Counting your customers' the easy
 * way: an alternative to the Pareto/NBD model", Marketing Science 24(2):275–284; equation numbers
 * below are theirs). While alive a customer buys as a Poisson process with rate λ; after every
 * repeat purchase they drop out for good with probability p. Across customers
 * λ ~ Gamma(r, α) (shape r, rate α, in purchases per day) and p ~ Beta(a, b).
 *
 * A customer is summarised by x (repeat purchases), tₓ (day of the last purchase, counted from the
 * first) and T (days since the first purchase), with 0 ≤ tₓ ≤ T and tₓ = 0 when x = 0.
 *
 * Pure: no clock, no I/O; the fit is deterministic (fixed starting points, deterministic simplex).
 */
import { nelderMead } from './nelder-mead';
import { hyp2f1, logAddExp, logGamma } from './special';

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface BgNbdCustomer {
  /** Repeat purchases (orders − 1). */
  x: number;
  /** Days from the first purchase to the last. */
  tx: number;
  /** Days from the first purchase to the end of the observation. */
  T: number;
}

export type BgNbdFit =
  | { ok: true; params: BgNbdParams; logLikelihood: number; iterations: number; converged: boolean; customers: number }
  | { ok: false; reason: string };

export interface BgNbdFitOptions {
  /**
   * L2 penalty on the log-parameters, adding penalty · Σ (ln θ)² to −LL/n (the mean negative
   * log-likelihood). Default 0: plain maximum likelihood. A small value (1e-3) keeps tiny bases
   * away from the boundary at the price of a bias towards θ = 1.
   */
  penalty?: number;
  /** Nelder–Mead iterations per run (each start is run, then restarted once); default 4000. */
  maxIterations?: number;
}

/** Why a customer summary cannot be used, or null when it can. */
export function invalidCustomer(c: BgNbdCustomer): string | null {
  if (![c.x, c.tx, c.T].every(Number.isFinite)) return 'x, tx and T must be finite';
  if (c.x < 0) return 'x must be ≥ 0';
  if (c.tx < 0 || c.tx > c.T) return 'tx must lie in [0, T]';
  return null;
}

/**
 * ln of the individual likelihood (eq. 6):
 * L = B(a, b+x)/B(a, b) · Γ(r+x)αʳ/Γ(r) · [ (α+T)^−(r+x) + 𝟙(x>0) · a/(b+x−1) · (α+tₓ)^−(r+x) ].
 * The first bracket term is "still alive at T", the second "dropped out right after the purchase at tₓ".
 */
export function logLikelihoodOne(p: BgNbdParams, c: BgNbdCustomer): number {
  const { r, alpha, a, b } = p;
  const { x, tx, T } = c;
  const head = logGamma(r + x) - logGamma(r) + r * Math.log(alpha) + logGamma(a + b) + logGamma(b + x) - logGamma(b) - logGamma(a + b + x);
  const alive = -(r + x) * Math.log(alpha + T);
  const dropped = x > 0 ? Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx) : -Infinity;
  return head + logAddExp(alive, dropped);
}

/** Σ ln Lᵢ over the customers (eq. 6 summed; FHL maximise this, reporting −9582.4 on CDNOW). */
export function logLikelihood(p: BgNbdParams, customers: readonly BgNbdCustomer[]): number {
  return makeObjective(customers)(p);
}

/**
 * The summed log-likelihood as a closure over the data, with the Γ terms (which depend on x only)
 * computed once per distinct x per call rather than once per customer.
 */
function makeObjective(customers: readonly BgNbdCustomer[]): (p: BgNbdParams) => number {
  const xs = [...new Set(customers.map((c) => c.x))].sort((u, v) => u - v);
  const index = new Map(xs.map((x, i) => [x, i]));
  const rows = customers.map((c) => ({ k: index.get(c.x)!, x: c.x, tx: c.tx, T: c.T }));
  return ({ r, alpha, a, b }) => {
    const lnAlpha = Math.log(alpha);
    const base = -logGamma(r) + r * lnAlpha + logGamma(a + b) - logGamma(b);
    const lnA = Math.log(a);
    const head = xs.map((x) => base + logGamma(r + x) + logGamma(b + x) - logGamma(a + b + x));
    const drop = xs.map((x) => (x > 0 ? lnA - Math.log(b + x - 1) : -Infinity));
    let sum = 0;
    for (const row of rows) {
      const alive = -(r + row.x) * Math.log(alpha + row.T);
      const dropped = row.x > 0 ? drop[row.k]! - (r + row.x) * Math.log(alpha + row.tx) : -Infinity;
      sum += head[row.k]! + logAddExp(alive, dropped);
    }
    return sum;
  };
}

const fromLog = (t: readonly number[]): BgNbdParams => ({
  r: Math.exp(t[0]!),
  alpha: Math.exp(t[1]!),
  a: Math.exp(t[2]!),
  b: Math.exp(t[3]!),
});

/** Log-parameters beyond ±LOG_BOUND (θ outside [e⁻¹², e¹²] ≈ [6·10⁻⁶, 1.6·10⁵]: no real base has a shape, scale or dropout parameter there) mean the maximum lies on the boundary: a fit that says "nobody ever drops out" (a → 0) or "no heterogeneity" (r, α → ∞) from too little history. */
const LOG_BOUND = 12;

/**
 * Maximum likelihood for (r, α, a, b): Nelder–Mead on the mean negative log-likelihood over
 * ln r, ln α, ln a, ln b (so every parameter stays positive), from three deterministic starting
 * points (r, a, b) ∈ {(1, 1, 1), (0.3, 0.5, 3), (3, 2, 1)} with α = r / (Σx / ΣT) so that the prior
 * mean rate r/α matches the observed repeat rate; each run is restarted once from its end point
 * (the usual cure for a collapsed simplex) and the best end point is kept.
 *
 * No size gate: it fits whenever the likelihood can be maximised. It declines, with a reason
 * starting "not enough history:", when there are fewer than 2 customers, when nobody has bought
 * again (x = 0 everywhere: nothing to tell the purchase rate from dropout), or when the maximum is
 * not finite, not interior (a log-parameter beyond ±12) or the simplex did not converge.
 * Invalid summaries (non-finite, x < 0, tₓ outside [0, T]) give "invalid input: …".
 */
export function fitBgNbd(customers: readonly BgNbdCustomer[], options: BgNbdFitOptions = {}): BgNbdFit {
  const n = customers.length;
  if (n < 2) return { ok: false, reason: `not enough history: ${n} customer${n === 1 ? '' : 's'}, the model needs at least 2` };
  for (let i = 0; i < n; i++) {
    const why = invalidCustomer(customers[i]!);
    if (why) return { ok: false, reason: `invalid input: customer ${i}: ${why}` };
  }
  if (!customers.some((c) => c.x >= 1)) return { ok: false, reason: 'not enough history: no customer has bought more than once' };
  const sumX = customers.reduce((s, c) => s + c.x, 0);
  const sumT = customers.reduce((s, c) => s + c.T, 0);
  if (!(sumT > 0)) return { ok: false, reason: 'not enough history: every customer was first seen today (T = 0)' };
  const rate = sumX / sumT;
  const penalty = options.penalty ?? 0;
  const maxIterations = options.maxIterations ?? 4000;
  const ll = makeObjective(customers);
  const objective = (t: number[]): number => {
    if (t.some((v) => Math.abs(v) > LOG_BOUND + 5)) return Infinity;
    const value = -ll(fromLog(t)) / n;
    return penalty > 0 ? value + penalty * t.reduce((s, v) => s + v * v, 0) : value;
  };

  const starts: Array<[number, number, number]> = [
    [1, 1, 1],
    [0.3, 0.5, 3],
    [3, 2, 1],
  ];
  let best: { x: number[]; fx: number; iterations: number; converged: boolean } | null = null;
  for (const [r, a, b] of starts) {
    const x0 = [Math.log(r), Math.log(r / rate), Math.log(a), Math.log(b)];
    const first = nelderMead(objective, x0, { maxIterations, step: 0.5, tolerance: 1e-10 });
    const again = nelderMead(objective, first.x, { maxIterations, step: 0.1, tolerance: 1e-10 });
    const run = { x: again.x, fx: again.fx, iterations: first.iterations + again.iterations, converged: again.converged };
    if (best === null || run.fx < best.fx) best = run;
  }
  const b = best!;
  if (!Number.isFinite(b.fx)) return { ok: false, reason: 'not enough history: the likelihood has no finite maximum' };
  if (b.x.some((v) => Math.abs(v) > LOG_BOUND))
    return { ok: false, reason: 'not enough history: the likelihood is maximised on the boundary (a parameter runs to 0 or ∞)' };
  if (!b.converged) return { ok: false, reason: `not enough history: the fit did not converge in ${b.iterations} iterations` };
  const params = fromLog(b.x);
  return { ok: true, params, logLikelihood: ll(params), iterations: b.iterations, converged: true, customers: n };
}

/** The odds of "dropped out at tₓ" against "alive at T": 𝟙(x>0) · a/(b+x−1) · ((α+T)/(α+tₓ))^(r+x). */
function dropoutOdds(p: BgNbdParams, c: BgNbdCustomer): number {
  if (c.x <= 0) return 0;
  return (p.a / (p.b + c.x - 1)) * Math.exp((p.r + c.x) * (Math.log(p.alpha + c.T) - Math.log(p.alpha + c.tx)));
}

/**
 * P(alive at T | x, tₓ, T) = 1 / (1 + 𝟙(x>0) · a/(b+x−1) · ((α+T)/(α+tₓ))^(r+x)) (FHL 2005 appendix;
 * Fader, Hardie & Lee 2008, "Computing P(alive) using the BG/NBD model"). Exactly 1 when x = 0:
 * in the BG/NBD nobody drops out before their first repeat purchase.
 */
export function probabilityAlive(p: BgNbdParams, c: BgNbdCustomer): number {
  return 1 / (1 + dropoutOdds(p, c));
}

/** 1 − P(alive). */
export function churnRisk(p: BgNbdParams, c: BgNbdCustomer): number {
  const odds = dropoutOdds(p, c);
  return odds / (1 + odds);
}

/**
 * E[Y(t) | x, tₓ, T], the expected purchases in the next t days (eq. 10):
 *   (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) · ₂F₁(r+x, b+x; a+b+x−1; z)] / (1 + dropout odds),
 * z = t/(α+T+t). Computed in Euler's form (A&S 15.3.3, ₂F₁(A,B;C;z) = (1−z)^(C−A−B) ₂F₁(C−A, C−B; C; z)),
 * which absorbs the power and leaves parameters that do not grow with x:
 *   (a+b+x−1)/(a−1) · [1 − (1−z)^(a−1) · ₂F₁(a+b−1−r, a−1; a+b+x−1; z)].
 * The expression has removable singularities at a = 1 and where a+b+x−1 is a non-positive integer;
 * within 1e-6 of one it is the mean of the values at a ± 1e-6 (error O(1e-12)). 0 for t ≤ 0.
 */
export function expectedPurchases(p: BgNbdParams, c: BgNbdCustomer, horizonDays: number): number {
  if (!(horizonDays > 0)) return horizonDays === 0 || horizonDays < 0 ? 0 : NaN;
  const c0 = p.a + p.b + c.x - 1;
  const degenerate = Math.abs(p.a - 1) < 1e-6 || (c0 <= 1e-6 && Math.abs(c0 - Math.round(c0)) < 1e-6);
  if (degenerate) {
    const h = 1e-6;
    return (
      (conditionalExpectation({ ...p, a: p.a + h }, c, horizonDays) + conditionalExpectation({ ...p, a: p.a - h }, c, horizonDays)) / 2
    );
  }
  return conditionalExpectation(p, c, horizonDays);
}

function conditionalExpectation(p: BgNbdParams, c: BgNbdCustomer, t: number): number {
  const { r, alpha, a, b } = p;
  const z = t / (alpha + c.T + t);
  const cc = a + b + c.x - 1;
  const f = hyp2f1(a + b - 1 - r, a - 1, cc, z);
  const bracket = 1 - Math.exp((a - 1) * Math.log1p(-z)) * f;
  return ((cc / (a - 1)) * bracket) / (1 + dropoutOdds(p, c));
}

/**
 * Days to the next purchase of a customer who is still alive, defined as the reciprocal of their
 * posterior mean purchase rate: given x purchases in T days and alive, λ ~ Gamma(r+x, α+T), so
 * 1/E[λ] = (α+T)/(r+x). It deliberately ignores dropout — read it together with
 * `probabilityAlive` (a customer unlikely to be alive will probably never order). Null when the
 * inputs give no finite value.
 */
export function expectedNextPurchaseDays(p: BgNbdParams, c: BgNbdCustomer): number | null {
  const days = (p.alpha + c.T) / (p.r + c.x);
  return Number.isFinite(days) && days >= 0 ? days : null;
}
