import type { CurrencyRule } from '../attribution/currency';
import { describeRule } from '../attribution/currency';
import { minorDigits } from '../attribution/money';
import {
  type CohortAggregate,
  cohortTableFromAggregates,
  type CohortRow,
  emptyRnvlAggregate,
  paretoFromAggregates,
  type ParetoResult,
  type RnvlAggregate,
  rnvlFromAggregates,
  type RnvlGroup,
  type RnvlPeriod,
} from '../analytics/measures/index';
import type { PredictionModel } from '../analytics/predict-customers';
import { LIFECYCLE_STAGES, RFM_CELLS } from '../analytics/rfm';
import { instantToLocal } from '../calendar/zone';
import { AppError } from '../errors';
import { ANALYTICS_FLAGS, readFlag, reportCurrency, writeFlag } from '../storage/analytics-flags';
import {
  atRisk,
  customerValueAggregates,
  earliestActivePeriod,
  type PeriodAggregateRows,
  periodAggregates,
  type PeriodKind,
  rfmCounts,
  stageCounts,
  stageFlows,
} from '../storage/analytics-views';
import { latestCalendarPlan } from '../storage/campaign-versions';
import type { Database, Tx } from '../storage/db';

/**
 * The customer-analytics read models (README "Customer analytics"): the same numbers for
 * `GET /v1/analytics/{lifecycle,retention,value}`, the `/analytics` page and `almanac analytics`.
 * Money is in the report currency (SHOP_CURRENCY at CURRENCY_RATES, else the orders' most
 * common currency, others left out of revenue and said so in `currency.rule`).
 */

export interface Money {
  currency: string | null;
  rates: Record<string, number>;
  rule: string;
}

async function moneyOf(tx: Tx, rule: CurrencyRule): Promise<Money> {
  if (rule.shop !== null) return { currency: rule.shop, rates: { ...rule.rates, [rule.shop]: 1 }, rule: describeRule(rule) };
  const common = await reportCurrency(tx);
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
      model: (await readFlag<PredictionModel>(tx, ANALYTICS_FLAGS.model)) ?? null,
    };
  });
}

export interface RetentionView {
  currency: Money;
  period: PeriodKind;
  timezone: string;
  /** When the figures were computed: the last full pass's time on a base over ANALYTICS_LIVE_VIEWS_MAX customers, null = this request. */
  asOf: string | null;
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

const codeUnitOrder = ([a]: [string, unknown], [b]: [string, unknown]): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The database's rows of `periodAggregates` as the measures' aggregates: per period of the whole
 * base and of each segment and cohort group (groups in code-unit order of key, as rnvlBy orders
 * them), `base` = the group's active customers of the period before; and the cohort table's.
 */
export function retentionAggregates(
  rows: PeriodAggregateRows,
  periods: number,
): {
  all: RnvlAggregate[];
  bySegment: Array<[string, RnvlAggregate[]]>;
  byCohort: Array<[string, RnvlAggregate[]]>;
  cohorts: CohortAggregate[];
} {
  const empty = (): RnvlAggregate[] => Array.from({ length: periods }, emptyRnvlAggregate);
  const all = empty();
  const segments = new Map<string, RnvlAggregate[]>();
  const cohorts = new Map<string, RnvlAggregate[]>();
  for (const g of rows.groups) (g.kind === 'segment' ? segments : cohorts).set(g.key, empty());
  for (const c of rows.cells) {
    const list = c.kind === 'all' ? all : (c.kind === 'segment' ? segments : cohorts).get(c.key ?? '');
    const a = list?.[c.index];
    if (!a) continue;
    a.active += c.customers;
    a.count[c.cls] += c.customers;
    a.minor[c.cls] += c.minor;
  }
  for (const list of [all, ...segments.values(), ...cohorts.values()]) list.forEach((a, i) => (a.base = i > 0 ? list[i - 1]!.active : 0));
  const cohortRows: CohortAggregate[] = rows.groups
    .filter((g) => g.kind === 'cohort' && g.cohortIndex >= 0)
    .map((g) => ({ cohortIndex: g.cohortIndex, size: g.customers, active: cohorts.get(g.key)!.map((a) => a.active) }));
  return {
    all,
    bySegment: [...segments.entries()].sort(codeUnitOrder),
    byCohort: [...cohorts.entries()].sort(codeUnitOrder),
    cohorts: cohortRows,
  };
}

const badPeriod = (period: unknown) =>
  new AppError('bad_request', `period: expected month, quarter or year (got "${String(period).slice(0, 20)}")`, {
    details: { parameter: 'period' },
  });

/** What a retention view is computed from: its periods and the database's aggregates over them. */
interface RetentionInputs {
  periods: string[];
  rows: PeriodAggregateRows;
}

/** A view as the last full pass computed it (runtime_flags `analytics.views.*`), for a large base. */
interface Snapshot<T> {
  asOf: string;
  zone: string;
  currency: string | null;
  customers: number;
  inputs: T;
}

async function retentionInputs(tx: Tx, money: Money, timezone: string, period: PeriodKind, now: Date): Promise<RetentionInputs> {
  const labels = periodLabels(now, timezone, period, MAX_PERIODS[period]);
  const earliest = await earliestActivePeriod(tx, { zone: timezone, period, now });
  // From the first period with an order (or the last two when there are none yet), at most MAX_PERIODS back.
  const periods = labels.slice(
    Math.max(0, Math.min(labels.length - 2, earliest === null ? Infinity : labels.findIndex((l) => l >= earliest))),
  );
  const rows = await periodAggregates(tx, {
    zone: timezone,
    period,
    rates: money.rates,
    now,
    periods,
    minorDigits: minorDigits(money.currency ?? 'EUR'),
  });
  return { periods, rows };
}

/** The snapshot of `kind` when there is one for this zone and currency (null: compute per request). */
async function snapshotOf<T>(tx: Tx, kind: PeriodKind | 'value', timezone: string, money: Money): Promise<Snapshot<T> | null> {
  const snap = await readFlag<Snapshot<T>>(tx, ANALYTICS_FLAGS.view(kind));
  return snap && snap.zone === timezone && snap.currency === money.currency ? snap : null;
}

/**
 * Compute one view's inputs as of `now` and keep them (the analytics full pass, on a base over
 * ANALYTICS_LIVE_VIEWS_MAX customers): the retention and value views then read these few rows
 * instead of every order, and say `asOf`.
 */
export async function snapshotView(tx: Tx, rule: CurrencyRule, now: Date, kind: PeriodKind | 'value', customers: number): Promise<void> {
  const money = await moneyOf(tx, rule);
  const timezone = (await latestCalendarPlan(tx))?.timezone ?? 'UTC';
  const inputs =
    kind === 'value'
      ? await customerValueAggregates(tx, { minorDigits: minorDigits(money.currency ?? 'EUR') })
      : await retentionInputs(tx, money, timezone, kind, now);
  const snap: Snapshot<typeof inputs> = { asOf: now.toISOString(), zone: timezone, currency: money.currency, customers, inputs };
  await writeFlag(tx, ANALYTICS_FLAGS.view(kind), snap, now);
}

/** What `snapshotView` computes, in the order the full pass takes them. */
export const SNAPSHOT_KINDS = ['month', 'quarter', 'year', 'value'] as const;

export async function retentionView(
  database: Database,
  rule: CurrencyRule,
  now: Date,
  o: { period?: PeriodKind } = {},
): Promise<RetentionView> {
  const period = o.period ?? 'month';
  if (!['month', 'quarter', 'year'].includes(period)) throw badPeriod(period);
  return database.db.transaction(async (tx) => {
    const money = await moneyOf(tx, rule);
    const timezone = (await latestCalendarPlan(tx))?.timezone ?? 'UTC';
    const snap = await snapshotOf<RetentionInputs>(tx, period, timezone, money);
    const { periods, rows } = snap?.inputs ?? (await retentionInputs(tx, money, timezone, period, now));
    const currency = money.currency ?? 'EUR';
    const { all, bySegment, byCohort, cohorts } = retentionAggregates(rows, periods.length);
    const groups = (list: Array<[string, RnvlAggregate[]]>): RnvlGroup[] =>
      list.map(([key, aggregates]) => ({ key, periods: rnvlFromAggregates(aggregates, periods, currency) }));
    return {
      currency: money,
      period,
      timezone,
      asOf: snap?.asOf ?? null,
      periods,
      rnvl: rnvlFromAggregates(all, periods, currency),
      bySegment: groups(bySegment),
      byCohort: groups(byCohort),
      cohorts: cohortTableFromAggregates(cohorts, periods),
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
  /** When the figures were computed: the last full pass's time on a base over ANALYTICS_LIVE_VIEWS_MAX customers, null = this request. */
  asOf: string | null;
  pareto: Omit<ParetoResult, 'ranked'>;
  /** Segments are `attributes.acquisition_channel` (lower-cased; none → null). */
  segmentBy: string;
}

export async function valueView(database: Database, rule: CurrencyRule): Promise<ValueView> {
  return database.db.transaction(async (tx) => {
    const money = await moneyOf(tx, rule);
    const currency = money.currency ?? 'EUR';
    const timezone = (await latestCalendarPlan(tx))?.timezone ?? 'UTC';
    type Aggregates = Awaited<ReturnType<typeof customerValueAggregates>>;
    const snap = await snapshotOf<Aggregates>(tx, 'value', timezone, money);
    const aggregates = snap?.inputs ?? (await customerValueAggregates(tx, { minorDigits: minorDigits(currency) }));
    return {
      currency: money,
      asOf: snap?.asOf ?? null,
      pareto: paretoFromAggregates(aggregates, currency),
      segmentBy: 'attributes.acquisition_channel',
    };
  });
}
