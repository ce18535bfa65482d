/**
 * The attribution models, side by side: each order is credited under every model at once, so a
 * report can show what the campaign earned by last click next to first click, linear, time decay
 * and UTM, and changing a window simply recomputes. Pure: plain data in, credits out.
 *
 * Eligible touches: at or before the order (age 0 counts), no older than the window of the touch's
 * own campaign (bounds inclusive: a click exactly 5 days old counts), and not flagged `bot` or
 * `machine`. The click models use the eligible clicks; only when an order has no eligible click do
 * they fall back to the eligible opens (the open window is the shorter one). So `last_click` is:
 * the last eligible click within its campaign's click window before the order; if there is none,
 * the last open within its open window; if neither, no credit.
 *
 * `utm` is a separate column, never summed with the click models: an order whose `utmCampaign`
 * names a campaign credits that campaign with weight 1 even without any tracked touch; without one,
 * the last eligible `utm` touch (a landing that carried utm_campaign, click window) is used. An
 * order can thus be credited to A by last click and to B by UTM; the report shows both, and the
 * totals of each column are each at most the revenue of the orders.
 *
 * Ties (same timestamp) are broken by sendId (null first), then campaign, then network, in code
 * unit order, so the "last" of equal touches is the one with the greatest sendId; the input order
 * of `touches` never matters.
 */
import { AppError } from '../errors';
import { fromMinor, splitMinor, toMinor } from './money';
import { DAY_MS, type Credit, type Model, type OrderFact, type Touch, type TouchKind, type Windows } from './types';

export const MODELS: readonly Model[] = Object.freeze(['last_click', 'first_click', 'linear', 'time_decay', 'utm'] as const);

export interface AttributeOptions {
  /** The windows of a campaign: its `goal.attribution`, else DEFAULT_WINDOWS (see `windowsOf`). */
  windows: (campaign: string) => Windows;
  /** Time-decay half-life: a touch this much older than another gets half its weight. Default 1 day. */
  halfLifeMs?: number;
  /**
   * The campaign an order's utm_campaign value names, or null when it names none (a campaign may
   * configure its own `utm.campaign`). Default: the trimmed value itself, null when empty.
   */
  utmCampaign?: (value: string) => string | null;
}

interface Weighted {
  campaign: string;
  sendId: number | null;
  kind: TouchKind;
  network: string | null;
  weight: number;
}

const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const cmpSend = (a: number | null, b: number | null): number => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a - b);

/** The total order of touches: time, then sendId (null first), campaign, network. */
export function compareTouches(a: Touch, b: Touch): number {
  return (
    a.at.getTime() - b.at.getTime() ||
    cmpSend(a.sendId, b.sendId) ||
    cmpStr(a.campaign, b.campaign) ||
    cmpStr(a.network ?? '', b.network ?? '')
  );
}

/** The touches that may earn credit for `order`, oldest first (see the module comment for the rule). */
export function eligibleTouches(order: OrderFact, touches: readonly Touch[], windows: (campaign: string) => Windows): Touch[] {
  const orderAt = order.at.getTime();
  return touches
    .filter((t) => {
      if (t.bot === true || t.machine === true) return false;
      const age = orderAt - t.at.getTime();
      const w = windows(t.campaign);
      const limit = t.kind === 'open' ? w.openMs : w.clickMs;
      return age >= 0 && age <= limit;
    })
    .sort(compareTouches);
}

const weighted = (t: Touch, weight: number): Weighted => ({
  campaign: t.campaign,
  sendId: t.sendId,
  kind: t.kind,
  network: t.network ?? null,
  weight,
});

/** Weight ∝ 2^(−age/halfLife), computed relative to the newest touch so old touches never underflow to an all-zero sum. */
function timeDecay(pool: readonly Touch[], orderAt: number, halfLifeMs: number): Weighted[] {
  const newest = Math.min(...pool.map((t) => orderAt - t.at.getTime()));
  return pool.map((t) => weighted(t, 2 ** (-(orderAt - t.at.getTime() - newest) / halfLifeMs)));
}

function utmShare(order: OrderFact, eligible: readonly Touch[], resolve: (value: string) => string | null): Weighted[] {
  const named = order.utmCampaign == null ? null : resolve(order.utmCampaign);
  if (named !== null) return [{ campaign: named, sendId: null, kind: 'utm', network: null, weight: 1 }];
  const landings = eligible.filter((t) => t.kind === 'utm');
  const last = landings[landings.length - 1];
  return last ? [weighted(last, 1)] : [];
}

/** Shares of the same (campaign, send, kind, network) merged, sorted, normalised to sum 1, and given their revenue. */
function toCredits(order: OrderFact, model: Model, shares: readonly Weighted[], revenueMinor: number): Credit[] {
  const merged = new Map<string, Weighted>();
  for (const s of shares) {
    const key = JSON.stringify([s.campaign, s.sendId, s.kind, s.network]);
    const seen = merged.get(key);
    if (seen) seen.weight += s.weight;
    else merged.set(key, { ...s });
  }
  // A time-decay weight can underflow to 0 (a touch thousands of half-lives older than the newest): it earns nothing and is dropped.
  const list = [...merged.values()]
    .filter((s) => s.weight > 0)
    .sort(
      (a, b) =>
        cmpStr(a.campaign, b.campaign) || cmpSend(a.sendId, b.sendId) || cmpStr(a.kind, b.kind) || cmpStr(a.network ?? '', b.network ?? ''),
    );
  const total = list.reduce((a, s) => a + s.weight, 0);
  if (list.length === 0 || !(total > 0)) return [];
  const weights = list.map((s) => s.weight / total);
  const minor = splitMinor(revenueMinor, weights);
  return list.map((s, i) => ({
    orderId: order.id,
    campaign: s.campaign,
    sendId: s.sendId,
    model,
    touch: s.kind,
    weight: weights[i]!,
    revenue: fromMinor(minor[i]!, order.currency),
    revenueMinor: minor[i]!,
    currency: order.currency,
    network: s.network,
  }));
}

const defaultUtm = (value: string): string | null => (value.trim() === '' ? null : value.trim());

/**
 * Credits of one order under every model. An order with no eligible touch gets no credit under the
 * click models (an empty list, not a zero row); under each model with credit, weights sum to 1 and
 * `revenueMinor` sums exactly to the order's revenue.
 */
export function attribute(order: OrderFact, touches: readonly Touch[], options: AttributeOptions): Record<Model, Credit[]> {
  if (!(Number.isFinite(order.revenue) && order.revenue >= 0)) {
    throw new AppError('validation_failed', 'revenue: must be a finite number ≥ 0', { details: { field: 'revenue' } });
  }
  const halfLifeMs = options.halfLifeMs ?? DAY_MS;
  if (!(Number.isFinite(halfLifeMs) && halfLifeMs > 0)) {
    throw new AppError('validation_failed', 'halfLifeMs: must be a positive number', { details: { field: 'halfLifeMs' } });
  }
  const revenueMinor = toMinor(order.revenue, order.currency);
  const eligible = eligibleTouches(order, touches, options.windows);
  const clicks = eligible.filter((t) => t.kind === 'click');
  const pool = clicks.length > 0 ? clicks : eligible.filter((t) => t.kind === 'open');
  const first = pool[0];
  const last = pool[pool.length - 1];
  const orderAt = order.at.getTime();
  const shares: Record<Model, Weighted[]> = {
    last_click: last ? [weighted(last, 1)] : [],
    first_click: first ? [weighted(first, 1)] : [],
    linear: pool.map((t) => weighted(t, 1)),
    time_decay: pool.length > 0 ? timeDecay(pool, orderAt, halfLifeMs) : [],
    utm: utmShare(order, eligible, options.utmCampaign ?? defaultUtm),
  };
  return {
    last_click: toCredits(order, 'last_click', shares.last_click, revenueMinor),
    first_click: toCredits(order, 'first_click', shares.first_click, revenueMinor),
    linear: toCredits(order, 'linear', shares.linear, revenueMinor),
    time_decay: toCredits(order, 'time_decay', shares.time_decay, revenueMinor),
    utm: toCredits(order, 'utm', shares.utm, revenueMinor),
  };
}
