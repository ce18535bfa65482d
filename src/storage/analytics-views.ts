import { sql } from 'drizzle-orm';
import type { Tx } from './db';
import { ratesTable } from './analytics';
import { rowsOf, ts } from './sql-values';

/** The reads behind `GET /v1/analytics/*` and `/analytics` (src/reports/analytics.ts shapes them). */

export async function stageCounts(
  tx: Tx,
): Promise<Array<{ stage: string; contacts: number; revenue: number; value: number; churnRisk: number | null }>> {
  const rows = rowsOf<{ stage: string; n: unknown; revenue: string; value: string | null; risk: string | null }>(
    await tx.execute(sql`
      select stage, count(*) as n, sum(revenue)::text as revenue, sum(value)::text as value,
             avg((predicted->>'churn_risk')::float8)::text as risk
      from customer_metrics group by stage`),
  );
  return rows.map((r) => ({
    stage: r.stage,
    contacts: Number(r.n),
    revenue: Number(r.revenue),
    value: Number(r.value ?? 0),
    churnRisk: r.risk === null ? null : Number(r.risk),
  }));
}

/** Stage changes (`lifecycle.changed`) in [from, to), counted by from → to. */
export async function stageFlows(tx: Tx, from: Date, to: Date): Promise<Array<{ from: string; to: string; contacts: number }>> {
  const rows = rowsOf<{ f: string; t: string; n: unknown }>(
    await tx.execute(sql`
      select properties->>'from' as f, properties->>'to' as t, count(*) as n from events
      where type = 'lifecycle.changed' and occurred_at >= ${ts(from)} and occurred_at < ${ts(to)}
      group by 1, 2 order by 3 desc, 1, 2`),
  );
  return rows.map((r) => ({ from: r.f, to: r.t, contacts: Number(r.n) }));
}

export async function rfmCounts(tx: Tx): Promise<Array<{ cell: string; contacts: number; revenue: number }>> {
  const rows = rowsOf<{ rfm: string; n: unknown; revenue: string }>(
    await tx.execute(
      sql`select rfm, count(*) as n, sum(revenue)::text as revenue from customer_metrics where rfm is not null group by rfm`,
    ),
  );
  return rows.map((r) => ({ cell: r.rfm, contacts: Number(r.n), revenue: Number(r.revenue) }));
}

/** Customers most likely to leave (churn risk over `minRisk`), most valuable first: who to win back now. */
export async function atRisk(
  tx: Tx,
  minRisk: number,
  limit: number,
): Promise<{
  total: number;
  top: Array<{
    contactId: number;
    externalId: string | null;
    email: string | null;
    stage: string;
    churnRisk: number;
    value: number | null;
    revenue: number;
  }>;
}> {
  const risk = sql`(m.predicted->>'churn_risk')::float8`;
  const [count] = rowsOf<{ n: unknown }>(
    await tx.execute(sql`select count(*) as n from customer_metrics m where m.orders > 0 and ${risk} > ${minRisk}`),
  );
  const rows = rowsOf<{
    contact_id: string | number;
    external_id: string | null;
    email: string | null;
    stage: string;
    risk: number;
    value: string | null;
    revenue: string;
  }>(
    await tx.execute(sql`
      select m.contact_id, c.external_id, c.email, m.stage, ${risk} as risk, m.value::text as value, m.revenue::text as revenue
      from customer_metrics m join contacts c on c.id = m.contact_id
      where m.orders > 0 and ${risk} > ${minRisk}
      order by m.revenue desc, m.contact_id limit ${limit}`),
  );
  return {
    total: Number(count?.n ?? 0),
    top: rows.map((r) => ({
      contactId: Number(r.contact_id),
      externalId: r.external_id,
      email: r.email,
      stage: r.stage,
      churnRisk: Number(r.risk),
      value: r.value === null ? null : Number(r.value),
      revenue: Number(r.revenue),
    })),
  };
}

export type PeriodKind = 'month' | 'quarter' | 'year';

const FORMATS: Record<PeriodKind, string> = { month: 'YYYY-MM', quarter: 'YYYY-"Q"Q', year: 'YYYY' };

/**
 * Per customer and period (labelled in `zone`): net revenue converted at `rates`, the cohort (the
 * period of the first order ever) and the segment (`attributes.acquisition_channel`). Orders in a
 * currency with no rate count as activity with no revenue; fully refunded orders not at all.
 * One row per customer-period: the views read `periodAggregates` instead; this stays as the
 * per-customer reference the aggregates are tested against (tests/analytics/views-sql.test.ts).
 */
export async function periodActivity(
  tx: Tx,
  o: { zone: string; period: PeriodKind; rates: Record<string, number>; now: Date },
): Promise<Array<{ contactId: number; period: string; cohort: string; segment: string | null; revenue: number }>> {
  const fmt = FORMATS[o.period];
  const rows = rowsOf<{ contact_id: string | number; period: string; cohort: string; segment: string | null; revenue: string }>(
    await tx.execute(sql`
      with o as (
        select o.contact_id, o.occurred_at, coalesce((o.total - o.refunded) * rates.rate, 0) as net
        from orders o left join ${ratesTable(o.rates)} on rates.currency = o.currency
        where o.contact_id is not null and not (o.total > 0 and o.refunded >= o.total) and o.occurred_at <= ${ts(o.now)}
      ),
      firsts as (select contact_id, to_char(min(occurred_at) at time zone ${o.zone}, ${fmt}) as cohort from o group by 1)
      select o.contact_id, to_char(o.occurred_at at time zone ${o.zone}, ${fmt}) as period, f.cohort,
             lower(c.attributes->>'acquisition_channel') as segment, round(sum(o.net), 2)::text as revenue
      from o join firsts f on f.contact_id = o.contact_id join contacts c on c.id = o.contact_id
      group by o.contact_id, 2, f.cohort, 4`),
  );
  return rows.map((r) => ({
    contactId: Number(r.contact_id),
    period: r.period,
    cohort: r.cohort,
    segment: r.segment,
    revenue: Number(r.revenue),
  }));
}

/**
 * Every customer's (1+ orders) revenue and value, with the segment, for the Pareto curve and segment
 * profitability. One row per customer: the value view reads `customerValueAggregates` instead; this
 * stays as the per-customer reference it is tested against.
 */
export async function customerValueRows(
  tx: Tx,
): Promise<Array<{ contactId: number; segment: string | null; revenue: number; value: number }>> {
  const rows = rowsOf<{ contact_id: string | number; segment: string | null; revenue: string; value: string | null }>(
    await tx.execute(sql`
      select m.contact_id, lower(c.attributes->>'acquisition_channel') as segment, m.revenue::text as revenue, m.value::text as value
      from customer_metrics m join contacts c on c.id = m.contact_id where m.orders > 0`),
  );
  return rows.map((r) => ({
    contactId: Number(r.contact_id),
    segment: r.segment,
    revenue: Number(r.revenue),
    value: r.value === null ? Number(r.revenue) : Number(r.value),
  }));
}

const ordersCounted = (rates: Record<string, number>, now: Date) => sql`
  select o.contact_id, o.occurred_at, coalesce((o.total - o.refunded) * rates.rate, 0) as net
  from orders o left join ${ratesTable(rates)} on rates.currency = o.currency
  where o.contact_id is not null and not (o.total > 0 and o.refunded >= o.total) and o.occurred_at <= ${ts(now)}`;

/**
 * The label (in `zone`) of the earliest period with an order that `periodActivity` would count,
 * null when there is none: what `min(period)` of its rows would be, without reading them.
 */
export async function earliestActivePeriod(tx: Tx, o: { zone: string; period: PeriodKind; now: Date }): Promise<string | null> {
  const [row] = rowsOf<{ earliest: string | null }>(
    await tx.execute(sql`
      select to_char(min(o.occurred_at at time zone ${o.zone}), ${FORMATS[o.period]}) as earliest from orders o
      where o.contact_id is not null and not (o.total > 0 and o.refunded >= o.total) and o.occurred_at <= ${ts(o.now)}`),
  );
  return row?.earliest ?? null;
}

/** A customer's class in a period (src/analytics/measures/rnvl.ts). */
export type ActivityClass = 'retained' | 'new' | 'reactivated' | 'unclassified';

export interface PeriodAggregateRows {
  /**
   * Per group (`all`, one per segment, one per cohort), period index (into `periods`) and class of
   * the customers active in it: their number and revenue in minor units. Missing cells are 0.
   */
  cells: Array<{
    kind: 'all' | 'segment' | 'cohort';
    key: string | null;
    index: number;
    cls: ActivityClass;
    customers: number;
    minor: number;
  }>;
  /**
   * Every group of the customers `periodActivity` returns (active in `periods` or not): the
   * segments (non-empty) and the cohorts, with the number of customers and, for a cohort, its
   * index in `periods` (-1 when not among them).
   */
  groups: Array<{ kind: 'segment' | 'cohort'; key: string; customers: number; cohortIndex: number }>;
}

/**
 * `periodActivity` aggregated in the database for R = N · V · L and the cohort table: each
 * customer-period's revenue rounded as `periodActivity` rounds it (to the cent) and then to the
 * minor unit of `minorDigits` as `toMinor` does (half up), summed as integers; each customer active
 * in `periods[i]` classed as retained (active in `periods[i − 1]`), new (cohort = `periods[i]`),
 * reactivated (cohort index < i − 1, a cohort out of `periods` counting as earlier) or unclassified.
 * Segments are lower-cased `attributes.acquisition_channel`; none (or empty) is no segment.
 */
export async function periodAggregates(
  tx: Tx,
  o: { zone: string; period: PeriodKind; rates: Record<string, number>; now: Date; periods: readonly string[]; minorDigits: number },
): Promise<PeriodAggregateRows> {
  const fmt = FORMATS[o.period];
  const scale = sql`${String(10 ** o.minorDigits)}::numeric`;
  const rows = rowsOf<{ kind: string; key: string | null; idx: number | string; cls: string | null; n: unknown; minor: string | null }>(
    await tx.execute(sql`
      with p as (
        select value as label, (ordinality - 1)::int as idx from jsonb_array_elements_text(${JSON.stringify(o.periods)}::jsonb) with ordinality
      ),
      o as (${ordersCounted(o.rates, o.now)}),
      cust as (
        select f.contact_id, f.cohort, coalesce(pc.idx, -1) as cohort_idx,
               nullif(lower(c.attributes->>'acquisition_channel'), '') as segment
        from (select contact_id, to_char(min(occurred_at) at time zone ${o.zone}, ${fmt}) as cohort from o group by 1) f
        join contacts c on c.id = f.contact_id left join p pc on pc.label = f.cohort
      ),
      cp as (
        select a.contact_id, a.idx, floor(a.revenue * ${scale} + 0.5)::bigint as minor
        from (
          select o.contact_id, p.idx, round(sum(o.net), 2) as revenue
          from o join p on p.label = to_char(o.occurred_at at time zone ${o.zone}, ${fmt}) group by 1, 2
        ) a
      ),
      cls as (
        select cp.idx, cp.minor, cust.segment, cust.cohort,
          case when cp.idx > 0 and lag(cp.idx) over (partition by cp.contact_id order by cp.idx) = cp.idx - 1 then 'retained'
               when cust.cohort_idx = cp.idx then 'new'
               when cp.idx > 0 and cust.cohort_idx < cp.idx - 1 then 'reactivated'
               else 'unclassified' end as cls
        from cp join cust on cust.contact_id = cp.contact_id
      )
      select case when grouping(segment) = 0 then 'segment' when grouping(cohort) = 0 then 'cohort' else 'all' end as kind,
             case when grouping(segment) = 0 then segment else cohort end as key,
             idx, cls, count(*) as n, sum(minor)::text as minor
      from cls group by grouping sets ((idx, cls), (segment, idx, cls), (cohort, idx, cls))
      union all
      select 'segment-group', segment, -1, null, count(*), null from cust where segment is not null group by segment
      union all
      select 'cohort-group', cohort, min(cohort_idx), null, count(*), null from cust group by cohort`),
  );
  const out: PeriodAggregateRows = { cells: [], groups: [] };
  for (const r of rows) {
    if (r.kind === 'segment-group' || r.kind === 'cohort-group')
      out.groups.push({
        kind: r.kind === 'segment-group' ? 'segment' : 'cohort',
        key: r.key!,
        customers: Number(r.n),
        cohortIndex: Number(r.idx),
      });
    else if (!(r.kind === 'segment' && r.key === null))
      out.cells.push({
        kind: r.kind as 'all' | 'segment' | 'cohort',
        key: r.key,
        index: Number(r.idx),
        cls: r.cls as ActivityClass,
        customers: Number(r.n),
        minor: Number(r.minor),
      });
  }
  return out;
}

/**
 * The Pareto aggregates (src/analytics/measures/pareto.ts) of what `customerValueRows` returns,
 * computed in the database, money in minor units of `minorDigits` (rounded half up as `toMinor`):
 * value = coalesce(value, revenue), cost = revenue − value rounded to the cent; the curve's first
 * ⌈k · n / 20⌉ customers by value (desc, ties by id), the top ⌈n / 5⌉ by revenue (desc, ties by
 * id), the customers with value < 0, and per segment (none or empty: null).
 */
export async function customerValueAggregates(
  tx: Tx,
  o: { minorDigits: number },
): Promise<{
  customers: number;
  revenue: number;
  cost: number;
  value: number;
  curve: Array<{ customers: number; revenue: number; value: number }>;
  top20: { customers: number; revenue: number };
  unprofitable: { customers: number; value: number };
  segments: Array<{ segment: string | null; customers: number; revenue: number; cost: number; value: number }>;
}> {
  const scale = sql`${String(10 ** o.minorDigits)}::numeric`;
  const perCent = sql`${String(10 ** o.minorDigits / 100)}::numeric`;
  const rows = rowsOf<{
    kind: string;
    key: string | null;
    k: number | string | null;
    n: unknown;
    revenue: string | null;
    cost: string | null;
    value: string | null;
  }>(
    await tx.execute(sql`
      with m as (
        select m.contact_id as id, nullif(lower(c.attributes->>'acquisition_channel'), '') as segment,
               floor(m.revenue * ${scale} + 0.5)::bigint as revenue,
               floor(coalesce(m.value, m.revenue) * ${scale} + 0.5)::bigint as value,
               floor(floor((m.revenue - coalesce(m.value, m.revenue)) * 100 + 0.5) * ${perCent} + 0.5)::bigint as cost
        from customer_metrics m join contacts c on c.id = m.contact_id where m.orders > 0
      ),
      t as (select count(*) as n from m),
      r as (
        select m.*,
          row_number() over (order by value desc, id) as by_value,
          sum(revenue) over (order by value desc, id rows unbounded preceding) as revenue_v,
          sum(value) over (order by value desc, id rows unbounded preceding) as value_v,
          row_number() over (order by revenue desc, id) as by_revenue,
          sum(revenue) over (order by revenue desc, id rows unbounded preceding) as revenue_r
        from m
      )
      select 'total' as kind, null as key, null::int as k, count(*) as n, sum(revenue)::text as revenue, sum(cost)::text as cost, sum(value)::text as value from m
      union all
      select 'curve', null, g.k, (g.k * t.n + 19) / 20, r.revenue_v::text, null, r.value_v::text
      from generate_series(0, 20) as g(k) cross join t left join r on r.by_value = (g.k * t.n + 19) / 20
      union all
      select 'top', null, null, (t.n + 4) / 5, r.revenue_r::text, null, null from t left join r on r.by_revenue = (t.n + 4) / 5
      union all
      select 'losing', null, null, count(*), null, null, sum(value)::text from m where value < 0
      union all
      select 'segment', segment, null, count(*), sum(revenue)::text, sum(cost)::text, sum(value)::text from m group by segment`),
  );
  const num = (s: string | null): number => (s === null ? 0 : Number(s));
  const out: Awaited<ReturnType<typeof customerValueAggregates>> = {
    customers: 0,
    revenue: 0,
    cost: 0,
    value: 0,
    curve: [],
    top20: { customers: 0, revenue: 0 },
    unprofitable: { customers: 0, value: 0 },
    segments: [],
  };
  const curve: Array<[number, { customers: number; revenue: number; value: number }]> = [];
  for (const r of rows) {
    if (r.kind === 'total') Object.assign(out, { customers: Number(r.n), revenue: num(r.revenue), cost: num(r.cost), value: num(r.value) });
    else if (r.kind === 'curve') curve.push([Number(r.k), { customers: Number(r.n), revenue: num(r.revenue), value: num(r.value) }]);
    else if (r.kind === 'top') out.top20 = { customers: Number(r.n), revenue: num(r.revenue) };
    else if (r.kind === 'losing') out.unprofitable = { customers: Number(r.n), value: num(r.value) };
    else out.segments.push({ segment: r.key, customers: Number(r.n), revenue: num(r.revenue), cost: num(r.cost), value: num(r.value) });
  }
  out.curve = curve.sort(([a], [b]) => a - b).map(([, p]) => p);
  return out;
}
