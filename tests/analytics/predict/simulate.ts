/**
 * Deterministic synthetic customers for the repeat-buying tests: mulberry32 uniforms, Box–Muller
 * normals, Marsaglia–Tsang gammas (2000, "A simple method for generating gamma variables"), betas
 * as X/(X+Y), and each customer's purchases simulated as the BG/NBD story itself.
 */

/** mulberry32: a 32-bit seeded PRNG returning uniforms in [0, 1). */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Sampler {
  uniform(): number;
  normal(): number;
  gamma(shape: number, rate: number): number;
  beta(a: number, b: number): number;
  exponential(rate: number): number;
}

export function sampler(seed: number): Sampler {
  const u = mulberry32(seed);
  const uniform = (): number => {
    let v = u();
    while (v === 0) v = u();
    return v;
  };
  const normal = (): number => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const standardGamma = (shape: number): number => {
    if (shape < 1) return standardGamma(shape + 1) * Math.pow(uniform(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let z: number;
      let v: number;
      do {
        z = normal();
        v = 1 + c * z;
      } while (v <= 0);
      v = v * v * v;
      const w = uniform();
      if (w < 1 - 0.0331 * z ** 4 || Math.log(w) < 0.5 * z * z + d * (1 - v + Math.log(v))) return d * v;
    }
  };
  return {
    uniform,
    normal,
    gamma: (shape, rate) => standardGamma(shape) / rate,
    beta: (a, b) => {
      const x = standardGamma(a);
      return x / (x + standardGamma(b));
    },
    exponential: (rate) => -Math.log(uniform()) / rate,
  };
}

export interface SimulatedCustomer {
  x: number;
  tx: number;
  T: number;
  /** Purchases in the holdout days after T. */
  holdout: number;
  lambda: number;
  p: number;
}

/**
 * BG/NBD customers: λ ~ Gamma(r, α), p ~ Beta(a, b); the first purchase at day `birth` uniform in
 * [0, 90] of a `calibration`-day window, so T = calibration − birth; Poisson purchases with rate λ,
 * dropout with probability p after every repeat purchase; then `holdout` further days.
 */
export function simulateBgNbd(
  params: { r: number; alpha: number; a: number; b: number },
  o: { customers: number; calibration: number; holdout: number; seed: number },
): SimulatedCustomer[] {
  const s = sampler(o.seed);
  const out: SimulatedCustomer[] = [];
  for (let i = 0; i < o.customers; i++) {
    const lambda = s.gamma(params.r, params.alpha);
    const p = s.beta(params.a, params.b);
    const T = o.calibration - 90 * s.uniform();
    let t = 0;
    let x = 0;
    let tx = 0;
    let holdout = 0;
    for (;;) {
      t += s.exponential(lambda);
      if (t > T + o.holdout) break;
      if (t <= T) {
        x++;
        tx = t;
      } else holdout++;
      if (s.uniform() < p) break;
    }
    out.push({ x, tx, T, holdout, lambda, p });
  }
  return out;
}

/** Gamma-Gamma spend: ν ~ Gamma(q, v), x ~ 1 + Poisson-ish (uniform 1..10), zᵢ ~ Gamma(p, ν), m = mean z. */
export function simulateSpend(
  params: { p: number; q: number; v: number },
  o: { customers: number; seed: number },
): Array<{ x: number; m: number }> {
  const s = sampler(o.seed);
  const out: Array<{ x: number; m: number }> = [];
  for (let i = 0; i < o.customers; i++) {
    const nu = s.gamma(params.q, params.v);
    const x = 1 + Math.floor(10 * s.uniform());
    let sum = 0;
    for (let k = 0; k < x; k++) sum += s.gamma(params.p, nu);
    out.push({ x, m: sum / x });
  }
  return out;
}
