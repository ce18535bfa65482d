import { type SQL, sql } from 'drizzle-orm';
import type { AnalyticsConfig } from '../config';
import type { Tx } from './db';
import { idArray, rowsOf, ts } from './sql-values';

/**
 * The SQL of customer analytics (README "Customer analytics"; the tick phase is
 * src/scheduler/analytics-phase.ts). Every statement is set-based over the contacts in scope.
 *
 * Money: an order's net revenue is `total − refunded`, converted into the report currency at a
 * fixed rate (`rates`: currency → rate; the report currency itself is 1). An order in a currency
 * with no rate still counts as an order (frequency, recency) but adds no revenue. A fully
 * refunded order (refunded ≥ total > 0) is no order at all.
 */

/** Lifecycle thresholds (LIFECYCLE_* settings, src/config.ts documents each). */
export type StageRules = AnalyticsConfig['rules'];

/** The stages this pass computes (src/analytics/rfm.ts lists them too; storage imports no domain folder). */
const STAGES = ['prospect', 'new', 'repeat', 'loyal', 'churning', 'lost'];

/**
 * Which contacts a statement covers: all, a list of ids (the incremental pass), or the id range
 * (after, upTo] (one chunk of a full pass: ./analytics-phase's pass walks the base in id order).
 */
export type AnalyticsScope = { kind: 'all' } | { kind: 'ids'; ids: number[] } | { kind: 'range'; after: number; upTo: number };

const DAY = sql`interval '1 day'`;

/** `rates` as an inline table `rates(currency, rate)` to join orders to (empty: no row, so nothing converts). */
export function ratesTable(rates: Record<string, number>): SQL {
  const entries = Object.entries(rates);
  if (entries.length === 0) return sql`(select null::text as currency, null::numeric as rate where false) as rates`;
  return sql`(values ${sql.join(
    entries.map(([c, r]) => sql`(${c}::text, ${String(r)}::numeric)`),
    sql`, `,
  )}) as rates(currency, rate)`;
}

function scopeSql(scope: AnalyticsScope): SQL {
  return sql`select id, created_at from contacts where erased_at is null and ${scopeOf(sql`id`, scope)}`;
}

function scopeOf(column: SQL, scope: AnalyticsScope): SQL {
  if (scope.kind === 'all') return sql`true`;
  if (scope.kind === 'ids') return sql`${column} = any(${idArray(scope.ids)})`;
  return sql`${column} > ${scope.after} and ${column} <= ${scope.upTo}`;
}

/**
 * The next chunk of a full pass: the id of the `size`-th contact after `after` (the last one when
 * fewer remain) and how many contacts that is; null when none is left (the pass has walked the
 * whole base).
 */
export async function nextChunk(tx: Tx, after: number, size: number): Promise<{ upTo: number; contacts: number } | null> {
  const [row] = rowsOf<{ id: string | number | null; n: unknown }>(
    await tx.execute(
      sql`select max(id) as id, count(*) as n from (select id from contacts where id > ${after} order by id limit ${size}) c`,
    ),
  );
  return row?.id === null || row?.id === undefined ? null : { upTo: Number(row.id), contacts: Number(row.n) };
}

export interface StageChange {
  contactId: number;
  from: string;
  to: string;
}

/**
 * Recompute the order summary and lifecycle stage of the contacts in `scope` and upsert their
 * `customer_metrics` rows (keeping RFM, value and predictions, which ./analytics-scores.ts
 * writes). Stages, first match wins:
 *   prospect (no order) → lost (no order for lostDays) → churning (no order for churnFactor × the
 *   mean gap with 3+ orders, else churnDays; never later than lost) → loyal (orders, revenue and
 *   tenure at their thresholds) → repeat (2+ orders) → new (one order).
 * `review_at` is the next instant time alone changes the stage (churning, lost, loyal by tenure).
 * Returns the contacts whose stage changed (a first look at a contact is no change), and mirrors the stage into
 * `contacts.lifecycle_stage` when `ownStage` (LIFECYCLE_STAGES=auto), unless the contact carries a
 * stage of the shop's own (a name that is not one of these six, set through the API: never overwritten). `doc` is left to
 * `writeScores`, run after the scores for every row in scope.
 */
export async function refreshCustomers(
  tx: Tx,
  scope: AnalyticsScope,
  o: { now: Date; rates: Record<string, number>; rules: StageRules; ownStage: boolean },
): Promise<StageChange[]> {
  if (scope.kind === 'ids' && scope.ids.length === 0) return [];
  const now = ts(o.now);
  const r = o.rules;
  const rows = rowsOf<{ contact_id: string | number; from: string; to: string }>(
    await tx.execute(sql`
      with scope as (${scopeSql(scope)}),
      counted as (
        select o.contact_id, o.occurred_at, (o.total - o.refunded) * rates.rate as net
        from orders o join scope s on s.id = o.contact_id
        left join ${ratesTable(o.rates)} on rates.currency = o.currency
        where not (o.total > 0 and o.refunded >= o.total) and o.occurred_at <= ${now}
          -- The scope again on orders' own column: an index range per chunk, never a hash of every order.
          and ${scopeOf(sql`o.contact_id`, scope)}
      ),
      summary as (
        select s.id as contact_id, count(k.occurred_at)::int as orders, coalesce(round(sum(k.net), 2), 0) as revenue,
               min(k.occurred_at) as first_at, max(k.occurred_at) as last_at
        from scope s left join counted k on k.contact_id = s.id group by s.id
      ),
      timed as (
        select *,
          case when orders >= 2 then extract(epoch from last_at - first_at) / 86400.0 / (orders - 1) end as gap,
          last_at + ${r.lostDays} * ${DAY} as lost_at
        from summary
      ),
      limits as (
        select *,
          least(lost_at, last_at + case when orders >= 3 and gap > 0 then ${r.churnFactor}::float8 * gap * ${DAY} else ${r.churnDays} * ${DAY} end) as churn_at,
          case when orders >= ${r.loyalMinOrders} and revenue >= ${r.loyalMinRevenue} then first_at + ${r.loyalMinDays} * ${DAY} end as loyal_at
        from timed
      ),
      staged as (
        select *,
          case
            when orders = 0 then 'prospect'
            when lost_at <= ${now} then 'lost'
            when churn_at <= ${now} then 'churning'
            when loyal_at <= ${now} then 'loyal'
            when orders >= 2 then 'repeat'
            else 'new'
          end as stage
        from limits
      ),
      old as (select m.contact_id, m.stage from customer_metrics m join scope s on s.id = m.contact_id),
      up as (
        insert into customer_metrics as m (contact_id, orders, revenue, first_order_at, last_order_at, mean_gap_days,
                                           stage, stage_since, churn_at, lost_at, review_at, computed_at)
        select contact_id, orders, revenue, first_at, last_at, gap, stage, ${now},
               case when orders > 0 then churn_at end, case when orders > 0 then lost_at end,
               (select min(t) from unnest(array[churn_at, lost_at, loyal_at]) t where t > ${now}), ${now}
        from staged
        on conflict (contact_id) do update set
          orders = excluded.orders, revenue = excluded.revenue, first_order_at = excluded.first_order_at,
          last_order_at = excluded.last_order_at, mean_gap_days = excluded.mean_gap_days, stage = excluded.stage,
          stage_since = case when m.stage = excluded.stage then m.stage_since else excluded.stage_since end,
          churn_at = excluded.churn_at, lost_at = excluded.lost_at, review_at = excluded.review_at,
          computed_at = excluded.computed_at
        -- An unchanged row is not written again: between hourly passes most are, and rewriting a
        -- million rows each pass would only bloat the table.
        where (m.orders, m.revenue, m.first_order_at, m.last_order_at, m.mean_gap_days, m.stage, m.churn_at, m.lost_at, m.review_at)
          is distinct from (excluded.orders, excluded.revenue, excluded.first_order_at, excluded.last_order_at,
                            excluded.mean_gap_days, excluded.stage, excluded.churn_at, excluded.lost_at, excluded.review_at)
        returning m.contact_id, m.stage
      ),
      mirror as (
        update contacts c set lifecycle_stage = up.stage, updated_at = ${now}
        from up where ${o.ownStage}::boolean and c.id = up.contact_id and c.lifecycle_stage is distinct from up.stage
          and (c.lifecycle_stage is null or c.lifecycle_stage in (${sql.join(
            STAGES.map((x) => sql`${x}::text`),
            sql`, `,
          )}))
      )
      select up.contact_id, old.stage as "from", up.stage as "to"
      from up left join old on old.contact_id = up.contact_id
      where old.stage is not null and old.stage is distinct from up.stage`),
  );
  return rows.map((x) => ({ contactId: Number(x.contact_id), from: x.from, to: x.to }));
}

/**
 * The JSON conditions and templates read (`customer.orders`, `predicted.churn_risk`, `rfm:`),
 * built from a row's columns: stage, orders, revenue, first/last order, mean gap, RFM, value,
 * predictions.
 */
function docSql(m: SQL, fresh: { value?: SQL; predicted?: SQL } = {}): SQL {
  const value = fresh.value ?? sql`${m}.value`;
  const predicted = fresh.predicted ?? sql`${m}.predicted`;
  return sql`jsonb_strip_nulls(jsonb_build_object(
    'stage', ${m}.stage, 'orders', ${m}.orders, 'revenue', (${m}.revenue)::float8,
    'first_order_at', to_char(${m}.first_order_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'last_order_at', to_char(${m}.last_order_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'mean_gap_days', ${m}.mean_gap_days, 'r', ${m}.r, 'f', ${m}.f, 'm', ${m}.m, 'rfm', ${m}.rfm,
    'value', (${value})::float8, 'predicted', ${predicted}))`;
}

/**
 * Contacts the incremental pass should look at: new or refunded orders, a stage change due by
 * time, or created since the newest one looked at (ids only grow; the full pass catches any other
 * gap). Each part reads an index, so a tick stays cheap on a base of millions.
 */
export async function dueCustomers(tx: Tx, now: Date, limit: number): Promise<number[]> {
  const rows = rowsOf<{ id: string | number }>(
    await tx.execute(sql`
      (select distinct contact_id as id from orders where attributed_at is null and contact_id is not null limit ${limit})
      union
      (select contact_id from customer_metrics where review_at <= ${ts(now)} order by review_at limit ${limit})
      union
      (select c.id from contacts c where c.erased_at is null
         and c.id > (select coalesce(max(contact_id), 0) from customer_metrics) order by c.id limit ${limit})`),
  );
  return rows.map((x) => Number(x.id));
}

/**
 * RFM scores over every customer (1+ orders) into `rfm_scores`, in one statement after emptying
 * it: each of recency (last order), frequency (orders) and monetary (revenue) is scored 1–5 as
 * 1 + ⌊5 · (rank − 1) / n⌋, ranking ascending with ties at their mean rank (the statistician's
 * midrank: all one-time buyers share one F score, low when they are many; the latest buyers share
 * a high R). The named cell comes from R and F (the common 5 × 5 grid, src/analytics/rfm.ts
 * documents it). `applyRfm` then copies them into customer_metrics a range at a time. Returns
 * how many customers were scored.
 */
export async function rankRfm(tx: Tx, cells: Array<{ r: number[]; f: number[]; cell: string }>): Promise<number> {
  const grid = cells.flatMap((c) => c.r.flatMap((r) => c.f.map((f) => sql`(${r}::int, ${f}::int, ${c.cell}::text)`)));
  await tx.execute(sql`truncate rfm_scores`);
  const rows = rowsOf<{ n: unknown }>(
    await tx.execute(sql`
      with ranked as (
        select contact_id,
               rank() over (order by last_order_at) + (count(*) over (partition by last_order_at) - 1) / 2.0 as rr,
               rank() over (order by orders) + (count(*) over (partition by orders) - 1) / 2.0 as fr,
               rank() over (order by revenue) + (count(*) over (partition by revenue) - 1) / 2.0 as mr,
               count(*) over () as n
        from customer_metrics where orders > 0
      ),
      scored as (
        select contact_id, 1 + floor(5.0 * (rr - 1) / n)::int as r, 1 + floor(5.0 * (fr - 1) / n)::int as f,
               1 + floor(5.0 * (mr - 1) / n)::int as m
        from ranked
      ),
      grid(r, f, cell) as (values ${sql.join(grid, sql`, `)}),
      ins as (
        insert into rfm_scores (contact_id, r, f, m, cell)
        select s.contact_id, s.r, s.f, s.m, g.cell from scored s join grid g on g.r = s.r and g.f = s.f
        returning 1
      )
      select count(*) as n from ins`),
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * Copy the pass's RFM scores (`rankRfm`) into the customer_metrics rows of `scope`, and clear
 * them on prospects: TWO statements, writing only rows whose scores change. `doc` follows when
 * `writeScores` rebuilds it from the row.
 */
export async function applyRfm(tx: Tx, scope: AnalyticsScope): Promise<void> {
  await tx.execute(sql`
    update customer_metrics c set r = s.r, f = s.f, m = s.m, rfm = s.cell
    from rfm_scores s
    where c.contact_id = s.contact_id and ${scopeOf(sql`s.contact_id`, scope)}
      and (c.r, c.f, c.m, c.rfm) is distinct from (s.r, s.f, s.m, s.cell)`);
  await tx.execute(sql`
    update customer_metrics set r = null, f = null, m = null, rfm = null
    where orders = 0 and rfm is not null and ${scopeOf(sql`contact_id`, scope)}`);
}

/** What the value and prediction pass reads per customer: the repeat-buying summary and the cost inputs. */
export interface CustomerRow {
  contactId: number;
  orders: number;
  revenue: number;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
  createdAt: Date;
  attributes: Record<string, unknown>;
}

/** Customers in `scope` after `afterId` (id order), `limit` at a time, for the value and prediction pass. */
export async function customerRows(tx: Tx, scope: AnalyticsScope, afterId: number, limit: number): Promise<CustomerRow[]> {
  if (scope.kind === 'ids' && scope.ids.length === 0) return [];
  const rows = rowsOf<{
    contact_id: string | number;
    orders: number;
    revenue: string;
    first_ms: string | number | null;
    last_ms: string | number | null;
    created_ms: string | number;
    attributes: Record<string, unknown> | string;
  }>(
    // The page first (an index range on the key), then its contacts: no plan that hashes the whole table per page.
    await tx.execute(sql`
      select m.contact_id, m.orders, m.revenue::text as revenue, (extract(epoch from m.first_order_at) * 1000)::float8 as first_ms,
             (extract(epoch from m.last_order_at) * 1000)::float8 as last_ms, (extract(epoch from c.created_at) * 1000)::float8 as created_ms,
             c.attributes
      from (select * from customer_metrics
            where contact_id > ${afterId} and ${scopeOf(sql`contact_id`, scope)}
            order by contact_id limit ${limit}) m
      join contacts c on c.id = m.contact_id
      order by m.contact_id`),
  );
  const date = (ms: string | number | null) => (ms === null ? null : new Date(Number(ms)));
  return rows.map((x) => ({
    contactId: Number(x.contact_id),
    orders: Number(x.orders),
    revenue: Number(x.revenue),
    firstOrderAt: date(x.first_ms),
    lastOrderAt: date(x.last_ms),
    createdAt: date(x.created_ms)!,
    attributes: typeof x.attributes === 'string' ? (JSON.parse(x.attributes) as Record<string, unknown>) : x.attributes,
  }));
}

/**
 * The repeat-buying summary of an even sample of at most `max` customers (1+ orders): every k-th
 * by contact id, in one statement, and how many customers there are. Mean spend is net revenue
 * per order.
 */
export async function customerSample(
  tx: Tx,
  now: Date,
  max: number,
): Promise<{ customers: number; rows: Array<{ id: number; x: number; tx: number; T: number; meanSpend: number | null }> }> {
  const rows = rowsOf<{ contact_id: string | number; x: number; tx: number; t: number; spend: number | null; n: unknown }>(
    await tx.execute(sql`
      with c as (
        select contact_id, orders, revenue, first_order_at, last_order_at, row_number() over (order by contact_id) - 1 as i,
               count(*) over () as n
        from customer_metrics where orders > 0
      )
      select contact_id, orders - 1 as x,
             extract(epoch from last_order_at - first_order_at)::float8 / 86400.0 as tx,
             greatest(extract(epoch from ${ts(now)} - first_order_at)::float8 / 86400.0, 0) as t,
             case when revenue > 0 then (revenue / orders)::float8 end as spend, n
      from c where n <= ${max} or floor(i * ${max}::float8 / n) <> floor((i - 1) * ${max}::float8 / n)
      order by contact_id`),
  );
  return {
    customers: Number(rows[0]?.n ?? 0),
    rows: rows.map((r) => ({
      id: Number(r.contact_id),
      x: Number(r.x),
      tx: Number(r.tx),
      T: Number(r.t),
      meanSpend: r.spend === null ? null : Number(r.spend),
    })),
  };
}

/**
 * Write value and predictions for a batch in one statement, with the row's `doc` built from the
 * same values (RFM and the order summary are already in the row). A row whose doc would not
 * change is not written again.
 */
export async function writeScores(
  tx: Tx,
  rows: Array<{ contactId: number; value: number; predicted: Record<string, unknown> | null }>,
): Promise<void> {
  if (rows.length === 0) return;
  const values = sql.join(
    rows.map(
      (x) =>
        sql`(${x.contactId}::bigint, ${String(x.value)}::numeric, ${x.predicted === null ? null : JSON.stringify(x.predicted)}::jsonb)`,
    ),
    sql`, `,
  );
  await tx.execute(sql`
    with v(contact_id, value, predicted) as (values ${values}),
    next as (
      select m.contact_id, v.value, v.predicted, ${docSql(sql`m`, { value: sql`v.value`, predicted: sql`v.predicted` })} as doc
      from customer_metrics m join v on v.contact_id = m.contact_id
    )
    update customer_metrics m set value = n.value, predicted = n.predicted, doc = n.doc
    from next n where m.contact_id = n.contact_id and m.doc is distinct from n.doc`);
}

/** Customers (1+ orders) in customer_metrics. */
export async function customerCount(tx: Tx): Promise<number> {
  const [row] = rowsOf<{ n: unknown }>(await tx.execute(sql`select count(*) as n from customer_metrics where orders > 0`));
  return Number(row?.n ?? 0);
}

/** What analytics knows about one contact (`customer_metrics.doc`), for previews; null before the first pass. */
export async function customerDoc(tx: Tx, contactId: number): Promise<Record<string, unknown> | null> {
  const [row] = rowsOf<{ doc: Record<string, unknown> | string }>(
    await tx.execute(sql`select doc from customer_metrics where contact_id = ${contactId}`),
  );
  if (!row) return null;
  return typeof row.doc === 'string' ? (JSON.parse(row.doc) as Record<string, unknown>) : row.doc;
}

/**
 * For the rest of this transaction: no JIT (PostgreSQL would compile each large page statement
 * anew, seconds per pass for nothing) and room to sort and hash in memory.
 */
export async function bulkSettings(tx: Tx): Promise<void> {
  await tx.execute(sql`set local jit = off`);
  await tx.execute(sql`set local work_mem = '64MB'`);
}

/**
 * One analytics pass at a time across every worker on this database: false when another
 * transaction holds it (that worker is doing the pass; this tick skips it). Two passes at once
 * would each see the same stage change and emit it twice. Keyed by the schema: two Almanacs in
 * two schemas of one database (or two test files) never hold each other up.
 */
export async function tryAnalyticsLock(tx: Tx): Promise<boolean> {
  const [row] = rowsOf<{ ok: boolean }>(
    await tx.execute(sql`select pg_try_advisory_xact_lock(hashtext('almanac.analytics.' || current_schema())) as ok`),
  );
  return Boolean(row?.ok);
}
