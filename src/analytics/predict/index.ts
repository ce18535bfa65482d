/**
 * Customer-base predictions from the standard models of repeat buying: BG/NBD for how many orders
 * a customer will place and whether they are still active (./bgnbd.ts), Gamma-Gamma for what they
 * spend per order (./gamma-gamma.ts). Pure: the summaries in, both fits and per-customer
 * predictions out.
 *
 * predictedValue = E[orders over the horizon] × E[spend per order], undiscounted (the horizon is
 * meant to be short: a year or less). The spend is the Gamma-Gamma posterior mean when that model
 * fits, else the population mean spend (`model.spendSource` says which).
 */
import { expectedNextPurchaseDays, expectedPurchases, fitBgNbd, probabilityAlive, type BgNbdFit } from './bgnbd';
import { fitGammaGamma, spendEstimate, type GammaGammaFit, type SpendSource } from './gamma-gamma';

export * from './bgnbd';
export * from './gamma-gamma';
export { nelderMead } from './nelder-mead';
export { hyp2f1 } from './special';

export interface CustomerInput {
  id: number;
  /** Repeat purchases (orders − 1). */
  x: number;
  /** Days from the first purchase to the last. */
  tx: number;
  /** Days from the first purchase to now. */
  T: number;
  /** Mean spend per order, null when unknown. */
  meanSpend: number | null;
}

export interface CustomerPrediction {
  id: number;
  alive: number | null;
  churnRisk: number | null;
  expectedPurchases: number | null;
  /** Days to the next order if still alive: (α+T)/(r+x), see `expectedNextPurchaseDays`. */
  nextOrderInDays: number | null;
  predictedValue: number | null;
  /** Why some of the above are null. */
  reason?: string;
}

export interface Predictions {
  model: {
    purchases: BgNbdFit;
    spend: GammaGammaFit;
    /** Where predictedValue's spend comes from; null when no spend is known at all. */
    spendSource: SpendSource | null;
    /** Mean of meanSpend over the customers who have one (> 0), null when nobody does. */
    populationMeanSpend: number | null;
    horizonDays: number;
  };
  predictions: CustomerPrediction[];
}

const hasSpend = (c: CustomerInput): c is CustomerInput & { meanSpend: number } =>
  c.meanSpend !== null && Number.isFinite(c.meanSpend) && c.meanSpend > 0;

/** Fit both models on `customers` and predict each of them over the next `horizonDays` days. */
export function predictCustomers(customers: readonly CustomerInput[], horizonDays: number): Predictions {
  const purchases = fitBgNbd(customers.map((c) => ({ x: c.x, tx: c.tx, T: c.T })));
  const spend = fitGammaGamma(customers.filter((c) => c.x >= 1 && hasSpend(c)).map((c) => ({ x: c.x, m: c.meanSpend! })));
  const spends = customers.filter(hasSpend).map((c) => c.meanSpend);
  const populationMeanSpend = spends.length ? spends.reduce((s, v) => s + v, 0) / spends.length : null;
  const spendSource: SpendSource | null = spend.ok ? 'gamma-gamma' : populationMeanSpend !== null ? 'population-mean' : null;
  const model = { purchases, spend, spendSource, populationMeanSpend, horizonDays };

  const predictions = customers.map((c): CustomerPrediction => {
    if (!purchases.ok) {
      return {
        id: c.id,
        alive: null,
        churnRisk: null,
        expectedPurchases: null,
        nextOrderInDays: null,
        predictedValue: null,
        reason: purchases.reason,
      };
    }
    const p = purchases.params;
    const summary = { x: c.x, tx: c.tx, T: c.T };
    const alive = probabilityAlive(p, summary);
    const orders = expectedPurchases(p, summary, horizonDays);
    const perOrder = spendEstimate(spend, hasSpend(c) ? { x: c.x, m: c.meanSpend } : { x: 0, m: 0 }, populationMeanSpend);
    const value = perOrder && Number.isFinite(orders) ? orders * perOrder.spend : null;
    return {
      id: c.id,
      alive,
      churnRisk: 1 - alive,
      expectedPurchases: Number.isFinite(orders) ? orders : null,
      nextOrderInDays: expectedNextPurchaseDays(p, summary),
      predictedValue: value,
      ...(value === null
        ? { reason: perOrder ? 'expected purchases could not be computed' : 'not enough history: no spend recorded' }
        : {}),
    };
  });
  return { model, predictions };
}
