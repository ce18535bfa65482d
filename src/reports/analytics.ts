import type { CurrencyRule } from '../attribution/currency';
import { describeRule } from '../attribution/currency';
import {
  cohortTable,
  type CohortRow,
  pareto,
  type ParetoResult,
  type PeriodCustomer,
  rnvl,
  rnvlBy,
  bySegment,
  byCohort,
  type RnvlGroup,
  type RnvlPeriod,
} from '../analytics/measures/index';
import type { PredictionModel } from '../analytics/predict-customers';
import { LIFECYCLE_STAGES, RFM_CELLS } from '../analytics/rfm';
import { instantToLocal } from '../calendar/zone';
import { AppError } from '../errors';
import { commonCurrency, readFlag } from '../storage/analytics';
import { atRisk, customerValueRows, type PeriodKind, periodActivity, rfmCounts, stageCounts, stageFlows } from '../storage/analytics-views';
import { latestCalendarPlan } from '../storage/campaign-versions';
import type { Database, Tx } from '../storage/db';

/**
 * The customer-analytics read models (README "Customer analytics"): the same numbers for
 * `GET /v1/analytics/{lifecycle,retention,value}`, the `/analytics` page and `almanac analytics`.
 * Money is in the report currency (SHOP_CURRENCY at CURRENCY_RATES, else the orders' most
 * common currency, others left out of revenue and said so in `currency.rule`).
 */

const MODEL_FLAG = 'analytics.model';

export interface Money {
  currency: string | null;
  rates: Record<string, number>;
  rule: string;
}

async function moneyOf(tx: Tx, rule: CurrencyRule): Promise<Money> {
  if (rule.shop !== null) return { currency: rule.shop, rates: { ...rule.rates, [rule.shop]: 1 }, rule: describeRule(rule) };
  const common = await commonCurrency(tx);
  return {
    currency: common,
    rates: common ? { [common]: 1 } : {},
    rule: common
      ? `No SHOP_CURRENCY: revenue is in ${common}, the orders' most common currency; orders in others count as orders, not revenue.`
      : 'No orders yet.',
  };
}

export interface LifecycleView {
  currency: Money;
  stages: Array<{ stage: string; contacts: number; revenue: number; value: number; churnRisk: number | null }>;
  customers: number;
  /** Stage changes over the last `flowDays` days, from → to. */
  flows: Array<{ from: string; to: string; contacts: number }>;
  flowDays: number;
  rfm: Array<{ cell: string; contacts: number; revenue: number }>;
  /** Who is about to leave: customers with churn risk over `minRisk`, most revenue first. */
  atRisk: Awaited<ReturnType<typeof atRisk>> & { minRisk: number };
  model: PredictionModel | null;
}

export async function lifecycleView(
  database: Database,
  rule: CurrencyRule,
  now: Date,
  o: { flowDays?: number } = {},
): Promise<LifecycleView> {
  const flowDays = o.flowDays ?? 30;
  return database.db.transaction(async (tx) => {
    const counts = new Map((await stageCounts(tx)).map((s) => [s.stage, s]));
    const stages = [...LIFECYCLE_STAGES, ...[...counts.keys()].filter((s) => !(LIFECYCLE_STAGES as readonly string[]).includes(s))].map(
      (stage) => counts.get(stage) ?? { stage, contacts: 0, revenue: 0, value: 0, churnRisk: null },
    );
    const cells = new Map((await rfmCounts(tx)).map((c) => [c.cell, c]));
    const minRisk = 0.6;
    return {
      currency: await moneyOf(tx, rule),
      stages,
      customers: stages.filter((s) => s.stage !== 'prospect').reduce((n, s) => n + s.contacts, 0),
      flows: await stageFlows(tx, new Date(now.getTime() - flowDays * 86_400_000), new Date(now.getTime() + 1)),
      flowDays,
      rfm: RFM_CELLS.map((cell) => cells.get(cell) ?? { cell, contacts: 0, revenue: 0 }),
      atRisk: { ...(await atRisk(tx, minRisk, 20)), minRisk },
      model: (await readFlag<PredictionModel>(tx, MODEL_FLAG)) ?? null,
    };
  });
}

export interface RetentionView {
  currency: Money;
  period: PeriodKind;
  timezone: string;
  periods: string[];
  /** Whole base: N (customers active the period before), V (revenue per retained customer), L (retention rate), R = N·V·L, reconciliation, decomposition. */
  rnvl: RnvlPeriod[];
  bySegment: RnvlGroup[];
  byCohort: RnvlGroup[];
  cohorts: CohortRow[];
  method: string;
}

const MAX_PERIODS: Record<PeriodKind, number> = { month: 24, quarter: 12, year: 10 };

/** The labels of the last `n` periods up to the one holding `now`, oldest first, as SQL `to_char` writes them. */
export function periodLabels(now: Date, zone: string, kind: PeriodKind, n: number): string[] {
  const { date } = instantToLocal(now, zone);
  let y = Number(date.slice(0, 4));
  let m = Number(date.slice(5, 7));
  const out: string[] = [];
  if (kind === 'year') for (let i = n - 1; i >= 0; i--) out.push(String(y - i));
  else if (kind === 'quarter') {
    let q = Math.ceil(m / 3);
    for (let i = 0; i < n; i++) {
      out.unshift(`${y}-Q${q}`);
      if (--q === 0) ((q = 4), y--);
    }
  } else {
    for (let i = 0; i < n; i++) {
      out.unshift(`${y}-${String(m).padStart(2, '0')}`);
      if (--m === 0) ((m = 12), y--);
    }
  }
  return out;
}

export async function retentionView(
  database: Database,
  rule: CurrencyRule,
  now: Date,
  o: { period?: PeriodKind } = {},
): Promise<RetentionView> {
  const period = o.period ?? 'month';
  if (!['month', 'quarter', 'year'].includes(period))
    throw new AppError('bad_request', `period: expected month, quarter or year (got "${String(period).slice(0, 20)}")`, {
      details: { parameter: 'period' },
    });
  return database.db.transaction(async (tx) => {
    const money = await moneyOf(tx, rule);
    const timezone = (await latestCalendarPlan(tx))?.timezone ?? 'UTC';
    const rows = await periodActivity(tx, { zone: timezone, period, rates: money.rates, now });
    const labels = periodLabels(now, timezone, period, MAX_PERIODS[period]);
    const earliest = rows.reduce<string | null>((a, r) => (a === null || r.period < a ? r.period : a), null);
    // From the first period with an order (or the last two when there are none yet), at most MAX_PERIODS back.
    const periods = labels.slice(
      Math.max(0, Math.min(labels.length - 2, earliest === null ? Infinity : labels.findIndex((l) => l >= earliest))),
    );
    const byId = new Map<number, PeriodCustomer & { active: Record<string, number> }>();
    for (const r of rows) {
      const c = byId.get(r.contactId) ?? { id: r.contactId, cohort: r.cohort, ...(r.segment ? { segment: r.segment } : {}), active: {} };
      c.active[r.period] = r.revenue;
      byId.set(r.contactId, c);
    }
    const input = { customers: [...byId.values()], periods, currency: money.currency ?? 'EUR' };
    return {
      currency: money,
      period,
      timezone,
      periods,
      rnvl: rnvl(input),
      bySegment: rnvlBy(input, bySegment),
      byCohort: rnvlBy(input, byCohort),
      cohorts: cohortTable(input),
      method:
        'N = customers active in the previous period; L = the share of them active in this one (retention); V = revenue per retained customer; ' +
        'R = N·V·L = the retained customers’ revenue; total = R + new customers + reactivated ones. The change of R is split into N, V and L by ' +
        'LMDI-I (log-mean Divisia, exact), or by the three-factor Shapley shift-share when a factor is zero.',
    };
  });
}

export interface AnalyticsViews {
  lifecycle: LifecycleView;
  retention: RetentionView;
  value: ValueView;
}

/** All three views, for `/analytics`, `GET /v1/admin/analytics` and `almanac analytics`. */
export async function analyticsViews(
  database: Database,
  rule: CurrencyRule,
  now: Date,
  o: { period?: PeriodKind } = {},
): Promise<AnalyticsViews> {
  return {
    lifecycle: await lifecycleView(database, rule, now),
    retention: await retentionView(database, rule, now, o),
    value: await valueView(database, rule),
  };
}

export interface ValueView {
  currency: Money;
  pareto: Omit<ParetoResult, 'ranked'>;
  /** Segments are `attributes.acquisition_channel` (lower-cased; none → null). */
  segmentBy: string;
}

export async function valueView(database: Database, rule: CurrencyRule): Promise<ValueView> {
  return database.db.transaction(async (tx) => {
    const money = await moneyOf(tx, rule);
    const rows = await customerValueRows(tx);
    const { ranked: _ranked, ...rest } = pareto(
      rows.map((r) => ({
        id: r.contactId,
        ...(r.segment ? { segment: r.segment } : {}),
        revenue: r.revenue,
        cost: Math.round((r.revenue - r.value) * 100) / 100,
        value: r.value,
      })),
      money.currency ?? 'EUR',
    );
    return { currency: money, pareto: rest, segmentBy: 'attributes.acquisition_channel' };
  });
}
