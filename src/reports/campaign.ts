import { type CurrencyRule, describeRule, NO_SHOP_CURRENCY, toShopCurrency } from '../attribution/currency';
import { minorDigits } from '../attribution/money';
import { lift, LIFT_METHODS, LIFT_MINIMUMS, type LiftResult } from '../attribution/lift';
import { MODELS } from '../attribution/models';
import { windowsOf } from '../attribution/types';
import { type CampaignPlan, revivePlan } from '../dsl/plan';
import { AppError } from '../errors';
import { latestVersions } from '../storage/campaign-versions';
import type { Database } from '../storage/db';
import { campaignCounts, holdoutArms, holdoutCurrency } from '../storage/reports';

/** Revenue under one attribution model, per currency (never summed across currencies). */
export interface ModelRevenue {
  model: string;
  currency: string;
  /** Credited orders: the sum of the model's weights (0.5 = half an order). */
  orders: number;
  revenue: number;
  /** revenue / recipients (contacts with a sent mail of this campaign). */
  revenuePerRecipient: number | null;
}

export interface CampaignReport {
  campaign: string;
  name: string;
  purpose: string;
  range: { from: string | null; to: string | null };
  sends: Record<string, number> & { total: number };
  recipients: number;
  opens: { human: number; machine: number; uniqueHuman: number };
  clicks: { human: number; bot: number; uniqueHuman: number };
  unsubscribes: number;
  complaints: number;
  revenue: ModelRevenue[];
  /**
   * The shop's currency (SHOP_CURRENCY) and the conversion rule in words; `primary` is the
   * currency of `daily` revenue and of lift revenue: the shop's, else the currency with the most
   * last-click revenue, else the one most holdout buyers paid in (the others are then left out of
   * those two, never summed in).
   */
  currency: { shop: string | null; primary: string | null; rule: string };
  /** Per model, one total in the shop's currency at the configured rates; empty without SHOP_CURRENCY. */
  totals: Array<{
    model: string;
    currency: string;
    orders: number;
    revenue: number;
    revenuePerRecipient: number | null;
    /** Revenue in currencies with no rate: shown apart, in its own currency. */
    unconverted: Array<{ currency: string; orders: number; revenue: number }>;
  }>;
  /** Holdout lift (conversion within the campaign's click window after entering), when the campaign holds some out. */
  lift:
    | (LiftResult & {
        methods: typeof LIFT_METHODS;
        minimums: typeof LIFT_MINIMUMS;
        windowDays: number;
        /** The currency of revenue per contact (`currency.primary`); orders in others are left out of it. */
        currency: string | null;
      })
    | null;
  /** Where contacts are in the journey: runs per step key and phase, sends per step and status, exits by reason. */
  funnel: {
    runs: Array<{ step: string; status: string; phase: string | null; runs: number }>;
    /** `reason`: why a send is held (deferred), was held before it went (sent), or was suppressed, failed or cancelled. */
    sends: Array<{ step: string; template: string; status: string; reason: string | null; sends: number }>;
    exits: Array<{ reason: string; runs: number }>;
  };
  /** Campaign links per network (`almanac link create`): clicks, and orders/revenue credited by their UTMs (the `utm` model). */
  networks: Array<{ network: string; clicks: number; botClicks: number; orders: number; currency: string | null; revenue: number }>;
  /** Per UTC day: sends, human clicks, last-click revenue in `currency.primary` (converted at the shop's rates when set). */
  daily: Array<{ day: string; sends: number; clicks: number; revenue: number }>;
}

/**
 * One campaign's report, the same for `GET /v1/reports/:campaign` and `almanac report`: what was
 * sent and what became of it (sends by status, recipients, human and machine opens, human and bot
 * clicks, unsubscribes, complaints), revenue under every attribution model side by side (never
 * summed: a model is a point of view, src/attribution/models.ts), revenue per recipient, holdout
 * lift with 95 % intervals (src/attribution/lift.ts; "not enough data yet" below its minimums),
 * the journey's funnel and daily figures. Read-only. Unknown campaign → 404 naming it.
 */
export async function campaignReport(
  database: Database,
  campaign: string,
  range: { from?: Date; to?: Date } = {},
  money: CurrencyRule = NO_SHOP_CURRENCY,
): Promise<CampaignReport> {
  return database.db.transaction(async (tx) => {
    const version = (await latestVersions(tx)).find((v) => v.kind === 'campaign' && v.campaign === campaign);
    if (!version) {
      const known = (await latestVersions(tx)).filter((v) => v.kind === 'campaign').map((v) => v.campaign);
      throw new AppError('not_found', `no campaign "${campaign}" (have: ${known.join(', ') || 'none applied'})`, {
        details: { campaign },
      });
    }
    // A stored plan this release cannot read (written by an older one, damaged) still has its numbers: report them with defaults.
    let plan: Pick<CampaignPlan, 'name' | 'purpose' | 'holdoutPercent' | 'goal'>;
    try {
      plan = revivePlan(version.plan);
    } catch {
      plan = { name: campaign, purpose: '(unreadable plan)', holdoutPercent: 0 };
    }
    const c = await campaignCounts(tx, campaign, range);
    const sends = Object.fromEntries(c.sends.map((s) => [s.status, s.n])) as Record<string, number>;
    const total = c.sends.reduce((n, s) => n + s.n, 0);
    const windowMs = windowsOf(plan).clickMs;
    const order = new Map(MODELS.map((m, i) => [m as string, i]));
    const revenue: ModelRevenue[] = c.revenue
      .map((r) => ({
        model: r.model,
        currency: r.currency,
        orders: Math.round(r.orders * 1e6) / 1e6,
        revenue: Number(r.revenue),
        revenuePerRecipient: c.recipients ? Math.round((Number(r.revenue) / c.recipients) * 100) / 100 : null,
      }))
      .sort((a, b) => (order.get(a.model) ?? 99) - (order.get(b.model) ?? 99) || a.currency.localeCompare(b.currency));
    const lastClick = revenue.filter((r) => r.model === 'last_click').sort((a, b) => b.revenue - a.revenue);
    const primary =
      money.shop ??
      lastClick[0]?.currency ??
      revenue[0]?.currency ??
      (plan.holdoutPercent > 0 ? await holdoutCurrency(tx, campaign) : null);
    /** Amounts in the primary currency: converted at the shop's rates, else only those already in it. */
    const inPrimary = (amounts: Array<{ currency: string; amount: number }>): number =>
      toShopCurrency(money, amounts)?.amount ?? amounts.filter((a) => a.currency === primary).reduce((n, a) => n + a.amount, 0);
    let liftResult: CampaignReport['lift'] = null;
    if (plan.holdoutPercent > 0) {
      // The arms' revenue in the primary currency, summed in SQL: the shop's rates, else the primary currency alone.
      const rates = money.shop
        ? [
            { currency: money.shop, rate: 1 },
            ...Object.entries(money.rates)
              .filter(([c]) => c !== money.shop)
              .map(([currency, rate]) => ({ currency, rate })),
          ]
        : primary
          ? [{ currency: primary, rate: 1 }]
          : [];
      const arms = await holdoutArms(tx, campaign, rates, primary === null ? 2 : minorDigits(primary));
      const arm = (heldOut: boolean) => {
        const a = arms.find((x) => x.heldOut === heldOut) ?? { contacts: 0, converters: 0, revenue: { sum: 0, sumSquares: 0 } };
        return { contacts: a.contacts, converters: a.converters, revenue: a.revenue };
      };
      liftResult = {
        ...lift(arm(false), arm(true)),
        methods: LIFT_METHODS,
        minimums: LIFT_MINIMUMS,
        windowDays: windowMs / 86_400_000,
        currency: primary,
      };
    }
    return {
      campaign,
      name: plan.name,
      purpose: plan.purpose,
      range: { from: range.from?.toISOString() ?? null, to: range.to?.toISOString() ?? null },
      sends: { ...sends, total },
      recipients: c.recipients,
      opens: c.opens,
      clicks: c.clicks,
      unsubscribes: c.unsubscribes,
      complaints: c.complaints,
      revenue,
      currency: { shop: money.shop, primary, rule: describeRule(money) },
      totals: money.shop ? shopTotals(revenue, money, c.recipients) : [],
      lift: liftResult,
      funnel: {
        runs: c.funnel.map((f) => ({ step: f.step, status: f.status, phase: f.phase, runs: f.n })),
        sends: c.sendsByStep.map((s) => ({ step: s.step, template: s.template, status: s.status, reason: s.reason, sends: s.n })),
        exits: c.exits.map((e) => ({ reason: e.reason, runs: e.n })),
      },
      networks: c.networks.map((n) => ({ ...n, orders: Math.round(n.orders * 1e6) / 1e6, revenue: Number(n.revenue) })),
      daily: c.daily.map((d) => ({
        day: d.day,
        sends: d.sends,
        clicks: d.clicks,
        revenue: inPrimary(d.revenue.map((r) => ({ currency: r.currency, amount: Number(r.revenue) }))),
      })),
    };
  });
}

/** Per model, the revenue of every currency with a rate as one total in the shop's currency; the rest apart. */
function shopTotals(revenue: ModelRevenue[], money: CurrencyRule, recipients: number): CampaignReport['totals'] {
  const models = [...new Set(revenue.map((r) => r.model))];
  return models.map((model) => {
    const rows = revenue.filter((r) => r.model === model);
    const shop = toShopCurrency(
      money,
      rows.map((r) => ({ currency: r.currency, amount: r.revenue })),
    )!;
    const converted = rows.filter((r) => shop.converted.includes(r.currency));
    const orders = converted.reduce((n, r) => n + r.orders, 0);
    return {
      model,
      currency: shop.currency,
      orders: Math.round(orders * 1e6) / 1e6,
      revenue: shop.amount,
      revenuePerRecipient: recipients ? Math.round((shop.amount / recipients) * 100) / 100 : null,
      unconverted: rows
        .filter((r) => !shop.converted.includes(r.currency))
        .map((r) => ({ currency: r.currency, orders: r.orders, revenue: r.revenue })),
    };
  });
}

/** Every applied campaign's report (retired ones too: their revenue is history), for `GET /reports`. */
export async function campaignReports(
  database: Database,
  range: { from?: Date; to?: Date } = {},
  money: CurrencyRule = NO_SHOP_CURRENCY,
): Promise<CampaignReport[]> {
  const names = (await database.db.transaction((tx) => latestVersions(tx))).filter((v) => v.kind === 'campaign').map((v) => v.campaign);
  const out: CampaignReport[] = [];
  for (const name of names) out.push(await campaignReport(database, name, range, money));
  return out;
}

/** The two arms of a lift, labelled, in the order reports show them (treated first). */
export function liftArms(l: LiftResult): Array<{ label: 'treated' | 'held out' } & LiftResult['treated']> {
  return [
    { label: 'treated', ...l.treated },
    { label: 'held out', ...l.heldOut },
  ];
}
