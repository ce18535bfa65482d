/**
 * The Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV: using
 * iso-value curves for customer base analysis", Journal of Marketing Research 42(4):415–430;
 * Hardie 2013, "The Gamma-Gamma Model of Monetary Value", brucehardie.com/notes/025). A customer's
 * transaction values are zᵢ ~ Gamma(p, ν) (shape p, rate ν, mean p/ν); across customers
 * ν ~ Gamma(q, v). Spend is assumed independent of the purchase process (so it composes with BG/NBD).
 *
 * A customer is (x, m): x ≥ 1 transactions whose mean value is m > 0. Since x·m̄ ~ Gamma(px, ν),
 * integrating ν out gives the density of m̄ (Hardie 2013, eq. 3):
 *   f(m̄ | p, q, v, x) = Γ(px+q)/(Γ(px)Γ(q)) · v^q · m̄^(px−1) · x^(px) / (v + x·m̄)^(px+q).
 */
import { nelderMead } from './nelder-mead';
import { logGamma } from './special';

export interface GammaGammaParams {
  p: number;
  q: number;
  v: number;
}

export interface GammaGammaCustomer {
  /** Transactions averaged in m (for use with BG/NBD, the repeat purchases). */
  x: number;
  /** Mean value per transaction. */
  m: number;
}

export type GammaGammaFit =
  | { ok: true; params: GammaGammaParams; logLikelihood: number; iterations: number; converged: boolean; customers: number }
  | { ok: false; reason: string };

/** ln f(m̄ | p, q, v, x), the density above. */
export function gammaGammaLogLikelihoodOne(params: GammaGammaParams, c: GammaGammaCustomer): number {
  const { p, q, v } = params;
  const px = p * c.x;
  return (
    logGamma(px + q) -
    logGamma(px) -
    logGamma(q) +
    q * Math.log(v) +
    (px - 1) * Math.log(c.m) +
    px * Math.log(c.x) -
    (px + q) * Math.log(v + c.x * c.m)
  );
}

/** Σ ln f over the customers. */
export function gammaGammaLogLikelihood(params: GammaGammaParams, customers: readonly GammaGammaCustomer[]): number {
  let sum = 0;
  for (const c of customers) sum += gammaGammaLogLikelihoodOne(params, c);
  return sum;
}

const usable = (c: GammaGammaCustomer): boolean => Number.isFinite(c.x) && Number.isFinite(c.m) && c.x >= 1 && c.m > 0;
const fromLog = (t: readonly number[]): GammaGammaParams => ({ p: Math.exp(t[0]!), q: Math.exp(t[1]!), v: Math.exp(t[2]!) });
const LOG_BOUND = 30;

/**
 * Maximum likelihood for (p, q, v) by Nelder–Mead over their logs, from (p, q) ∈ {(1, 2), (5, 5),
 * (2, 10)} with v = (q−1)·mean(m)/p (so the population mean spend pv/(q−1) starts at the observed
 * mean), each restarted once, the best kept. Only customers with x ≥ 1 and m > 0 (finite) are used.
 * Declines with "not enough history: …" when fewer than 2 such customers remain, when they all have
 * the same mean spend (no heterogeneity to measure: the maximum is on the boundary), or when the
 * maximum is not finite, not interior, or the simplex did not converge.
 */
export function fitGammaGamma(customers: readonly GammaGammaCustomer[], options: { maxIterations?: number } = {}): GammaGammaFit {
  const data = customers.filter(usable);
  const n = data.length;
  if (n < 2)
    return { ok: false, reason: `not enough history: ${n} repeat customer${n === 1 ? '' : 's'} with spend, the model needs at least 2` };
  const mean = data.reduce((s, c) => s + c.m, 0) / n;
  if (data.every((c) => Math.abs(c.m - data[0]!.m) <= 1e-12 * mean))
    return { ok: false, reason: 'not enough history: every repeat customer has the same mean spend' };
  const maxIterations = options.maxIterations ?? 4000;
  // The Γ terms depend on x only: computed once per distinct x per evaluation.
  const xs = [...new Set(data.map((c) => c.x))];
  const index = new Map(xs.map((x, i) => [x, i]));
  const rows = data.map((c) => ({ k: index.get(c.x)!, x: c.x, lnM: Math.log(c.m), lnX: Math.log(c.x), m: c.m }));
  const objective = (t: number[]): number => {
    if (t.some((v) => Math.abs(v) > LOG_BOUND + 5)) return Infinity;
    const { p, q, v } = fromLog(t);
    const base = -logGamma(q) + q * Math.log(v);
    const head = xs.map((x) => base + logGamma(p * x + q) - logGamma(p * x));
    let sum = 0;
    for (const c of rows) {
      const px = p * c.x;
      sum += head[c.k]! + (px - 1) * c.lnM + px * c.lnX - (px + q) * Math.log(v + c.x * c.m);
    }
    return -sum / n;
  };
  const starts: Array<[number, number]> = [
    [1, 2],
    [5, 5],
    [2, 10],
  ];
  let best: { x: number[]; fx: number; iterations: number; converged: boolean } | null = null;
  for (const [p, q] of starts) {
    const x0 = [Math.log(p), Math.log(q), Math.log(((q - 1) * mean) / p)];
    const first = nelderMead(objective, x0, { maxIterations, step: 0.5, tolerance: 1e-10 });
    const again = nelderMead(objective, first.x, { maxIterations, step: 0.1, tolerance: 1e-10 });
    const run = { x: again.x, fx: again.fx, iterations: first.iterations + again.iterations, converged: again.converged };
    if (best === null || run.fx < best.fx) best = run;
  }
  const b = best!;
  if (!Number.isFinite(b.fx)) return { ok: false, reason: 'not enough history: the spend likelihood has no finite maximum' };
  if (b.x.some((v) => Math.abs(v) > LOG_BOUND))
    return { ok: false, reason: 'not enough history: the spend likelihood is maximised on the boundary (a parameter runs to 0 or ∞)' };
  if (!b.converged) return { ok: false, reason: `not enough history: the spend fit did not converge in ${b.iterations} iterations` };
  const params = fromLog(b.x);
  return {
    ok: true,
    params,
    logLikelihood: gammaGammaLogLikelihood(params, data),
    iterations: b.iterations,
    converged: true,
    customers: n,
  };
}

/**
 * E[Z | x, m̄] = (q−1)/(px+q−1) · pv/(q−1) + px/(px+q−1) · m̄ = p(v + x·m̄)/(px+q−1) (Hardie 2013,
 * eq. 5): a weighted mean of the population mean pv/(q−1) and the customer's own mean, the weight
 * on the customer growing with x. x = 0 (or m unknown, pass m = 0) gives the population mean.
 * NaN when px + q ≤ 1 (the posterior mean does not exist; for x = 0 that is q ≤ 1).
 */
export function expectedAverageSpend(params: GammaGammaParams, c: GammaGammaCustomer): number {
  const { p, q, v } = params;
  const x = c.x > 0 && c.m > 0 ? c.x : 0;
  const denominator = p * x + q - 1;
  if (!(denominator > 0)) return NaN;
  return (p * (v + x * (x > 0 ? c.m : 0))) / denominator;
}

/** E[Z] = pv/(q−1), the population mean spend per transaction; NaN when q ≤ 1. */
export function populationAverageSpend(params: GammaGammaParams): number {
  return params.q > 1 ? (params.p * params.v) / (params.q - 1) : NaN;
}

export type SpendSource = 'gamma-gamma' | 'population-mean';

/**
 * The spend per transaction to predict with, and where it came from: the Gamma-Gamma posterior mean
 * when the model fitted (and gives a finite value), otherwise the population mean spend passed in
 * (the plain mean over customers with a known spend). Null when neither is available.
 */
export function spendEstimate(
  fit: GammaGammaFit,
  c: GammaGammaCustomer,
  populationMeanSpend: number | null,
): { spend: number; source: SpendSource } | null {
  if (fit.ok) {
    const spend = expectedAverageSpend(fit.params, c);
    if (Number.isFinite(spend)) return { spend, source: 'gamma-gamma' };
  }
  return populationMeanSpend !== null && Number.isFinite(populationMeanSpend)
    ? { spend: populationMeanSpend, source: 'population-mean' }
    : null;
}
