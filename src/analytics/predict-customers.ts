/**
 * The predictions a marketer targets (`predicted.churn_risk`, `predicted.next_order_at`, …), from
 * the repeat-buying models in ./predict/: BG/NBD for how many orders a customer will place and
 * whether they are still "alive", Gamma-Gamma for how much they spend per order. The model is
 * fitted once per full analytics pass over the whole customer base and kept as JSON
 * (`runtime_flags` `analytics.model`), so the incremental passes between predict with it.
 * There is no minimum-size gate: the model fits whenever the data allow it, and says "not enough
 * history: …" (every prediction null, the reason kept) when they do not.
 */
import {
  expectedNextPurchaseDays,
  expectedPurchases,
  fitBgNbd,
  probabilityAlive,
  type BgNbdParams,
  type BgNbdCustomer,
} from './predict/bgnbd';
import { expectedAverageSpend, fitGammaGamma, type GammaGammaParams } from './predict/gamma-gamma';

export interface CustomerSummary {
  id: number;
  /** Repeat orders (orders − 1). */
  x: number;
  /** Days from the first order to the last. */
  tx: number;
  /** Days from the first order to now. */
  T: number;
  /** Mean net spend per order (report currency), null when unknown. */
  meanSpend: number | null;
}

export interface PredictionModel {
  fittedAt: string;
  currency: string;
  /** Customers in the base; `sample`: how many the fit read when the base was larger than FIT_SAMPLE. */
  customers: number;
  sample?: number;
  purchases: { ok: true; params: BgNbdParams } | { ok: false; reason: string };
  spend: { ok: true; params: GammaGammaParams } | { ok: false; reason: string };
  /** Mean spend per order over every customer: the spend prediction when Gamma-Gamma cannot fit. */
  populationMeanSpend: number | null;
}

/** The most customers a fit reads: beyond, an even sample (every k-th by id), so a base of millions fits in seconds. */
export const FIT_SAMPLE = 20_000;

/** Every k-th customer so that at most `max` remain (deterministic: the input's order, by contact id). */
export function evenSample<T>(xs: readonly T[], max: number): T[] {
  if (xs.length <= max) return [...xs];
  const step = xs.length / max;
  return Array.from({ length: max }, (_, i) => xs[Math.floor(i * step)]!);
}

/** Fit both models on the base (or an even sample of FIT_SAMPLE customers of it). */
export function fitModel(
  base: readonly CustomerSummary[],
  o: { now: Date; currency: string; /** The whole base's size when `base` is already a sample of it. */ baseSize?: number },
): PredictionModel {
  const customers = evenSample(base, FIT_SAMPLE);
  const size = Math.max(o.baseSize ?? base.length, base.length);
  const purchases = fitBgNbd(customers.map((c): BgNbdCustomer => ({ x: c.x, tx: c.tx, T: c.T })));
  const repeaters = customers.filter((c) => c.x >= 1 && c.meanSpend !== null && c.meanSpend > 0);
  const spend = fitGammaGamma(repeaters.map((c) => ({ x: c.x, m: c.meanSpend! })));
  const spends = customers.filter((c) => c.meanSpend !== null).map((c) => c.meanSpend!);
  return {
    fittedAt: o.now.toISOString(),
    currency: o.currency,
    customers: size,
    ...(customers.length < size ? { sample: customers.length } : {}),
    purchases: purchases.ok ? { ok: true, params: purchases.params } : { ok: false, reason: purchases.reason },
    spend: spend.ok ? { ok: true, params: spend.params } : { ok: false, reason: spend.reason },
    populationMeanSpend: spends.length ? spends.reduce((a, b) => a + b, 0) / spends.length : null,
  };
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

/**
 * Per customer: `alive` (probability still active), `churn_risk` (1 − alive), `expected_orders`
 * over the horizon, `next_order_at` (now + expected days to the next order, absent when not
 * expected within ten years), `value` (expected orders × expected spend, undiscounted, in the
 * model's currency), `horizon_days`; or `{ reason }` when the purchase model could not be fitted.
 */
export function predictWith(
  model: PredictionModel,
  customers: readonly CustomerSummary[],
  o: { now: Date; horizonDays: number },
): Map<number, Record<string, unknown>> {
  const out = new Map<number, Record<string, unknown>>();
  for (const c of customers) {
    if (!model.purchases.ok) {
      out.set(c.id, { reason: model.purchases.reason });
      continue;
    }
    const p = model.purchases.params;
    const summary = { x: c.x, tx: c.tx, T: c.T };
    const alive = probabilityAlive(p, summary);
    const orders = expectedPurchases(p, summary, o.horizonDays);
    const nextDays = expectedNextPurchaseDays(p, summary);
    const spend = model.spend.ok
      ? c.x >= 1 && c.meanSpend !== null && c.meanSpend > 0
        ? expectedAverageSpend(model.spend.params, { x: c.x, m: c.meanSpend })
        : expectedAverageSpend(model.spend.params, { x: 0, m: 0 })
      : (c.meanSpend ?? model.populationMeanSpend);
    const next =
      nextDays !== null && Number.isFinite(nextDays) && nextDays < 3650 ? new Date(o.now.getTime() + nextDays * 86_400_000) : null;
    out.set(c.id, {
      alive: round(alive, 4),
      churn_risk: round(1 - alive, 4),
      expected_orders: round(orders, 4),
      ...(next ? { next_order_at: next.toISOString() } : {}),
      ...(spend !== null && Number.isFinite(spend) ? { value: round(orders * spend, 2) } : {}),
      horizon_days: o.horizonDays,
    });
  }
  return out;
}
