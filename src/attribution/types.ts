/**
 * The plain data the attribution core works on. Everything here is a value the storage layer can
 * build from raw rows (clicks, opens, orders, the campaign's compiled `goal.attribution`), so every
 * credit is recomputable from raw touches at any time: changing a window recomputes history.
 */
import type { CampaignPlan } from '../dsl/plan';

export type TouchKind = 'click' | 'open' | 'utm';

/**
 * One thing a contact did that a campaign may earn credit for. `bot` clicks and `machine` opens
 * (privacy proxies such as Apple MPP) stay in raw data but are never credited. A `utm` touch is a
 * landing that carried `utm_campaign` without a tracked click; only the `utm` model reads it.
 */
export interface Touch {
  kind: TouchKind;
  at: Date;
  campaign: string;
  sendId: number | null;
  /** The channel of a minted campaign link (facebook, sms, …); absent for email. */
  network?: string;
  bot?: boolean;
  machine?: boolean;
}

/**
 * An order as attribution sees it. `revenue` is the order total minus refunds (≥ 0), in major
 * units of `currency` (12.34 PLN); refunds therefore shrink credit before any model runs (see
 * `netRevenue`). `utmCampaign` is the campaign the landing URL named, if any.
 */
export interface OrderFact {
  id: number;
  at: Date;
  revenue: number;
  currency: string;
  contactId: number | null;
  utmCampaign?: string | null;
}

/** How long after a touch an order still counts, per campaign and per touch kind. */
export interface Windows {
  clickMs: number;
  openMs: number;
}

const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** 5 days after a click, 1 day after an open: the Klaviyo convention, used unless `goal.attribution` says otherwise. */
export const DEFAULT_WINDOWS: Readonly<Windows> = Object.freeze({ clickMs: 5 * DAY_MS, openMs: DAY_MS });

/** A campaign's windows: its compiled `goal.attribution` when it has a goal, else the defaults. */
export function windowsOf(plan: Pick<CampaignPlan, 'goal'> | undefined): Windows {
  const own = plan?.goal?.attribution;
  return own ? { clickMs: own.clickMs, openMs: own.openMs } : { ...DEFAULT_WINDOWS };
}

export type Model = 'last_click' | 'first_click' | 'linear' | 'time_decay' | 'utm';

/**
 * A share of one order credited to one campaign (and send) under one model. Weights of an order
 * sum to 1 per model; `revenueMinor` (integer minor units: cents, or yen for JPY) sums exactly to the
 * order's revenue, and `revenue` is the same amount in major units. `currency` and `network` are
 * carried so rollups never sum PLN with EUR and reports can say which network's links sell.
 */
export interface Credit {
  orderId: number;
  campaign: string;
  sendId: number | null;
  model: Model;
  touch: TouchKind;
  weight: number;
  revenue: number;
  revenueMinor: number;
  currency: string;
  network: string | null;
}

/** The longest attribution window a campaign may set (`goal.attribution`): no touch older than this before an order is read. */
export const MAX_ATTRIBUTION_WINDOW_MS = 90 * 86_400_000;
