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

/** Every customer's (1+ orders) revenue and value, with the segment, for the Pareto curve and segment profitability. */
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
