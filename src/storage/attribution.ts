import { and, eq, gte, inArray, isNull, sql } from 'drizzle-orm';
import type { Tx } from './db';
import { idArray } from './sql-values';
import { attributionDaily, attributions, clicks, opens, orders, sends } from './schema/index';

export interface OrderToAttribute {
  id: number;
  contactId: number | null;
  occurredAt: Date;
  /** total − refunded, as a decimal string. */
  revenue: string;
  currency: string;
  utmCampaign: string | null;
}

/**
 * Orders not yet credited (new, refunded since, or marked for recompute), oldest first, locked
 * so two tickers never credit one order twice (SKIP LOCKED).
 */
export async function claimUnattributedOrders(tx: Tx, limit: number): Promise<OrderToAttribute[]> {
  const rows = await tx
    .select({
      id: orders.id,
      contactId: orders.contactId,
      occurredAt: orders.occurredAt,
      revenue: sql<string>`greatest(${orders.total} - ${orders.refunded}, 0)::text`,
      currency: orders.currency,
      utmCampaign: orders.utmCampaign,
    })
    .from(orders)
    .where(isNull(orders.attributedAt))
    .orderBy(orders.id)
    .limit(limit)
    .for('update', { skipLocked: true });
  return rows;
}

export interface StoredTouch {
  contactId: number;
  kind: 'click' | 'open';
  at: Date;
  campaign: string;
  sendId: number;
  bot: boolean;
}

/** The contacts' clicks and opens since `since`, with the campaign of their send: the raw touches attribution credits from. Two statements. */
export async function touchesOf(tx: Tx, contactIds: number[], since: Date): Promise<StoredTouch[]> {
  if (contactIds.length === 0) return [];
  const clickRows = await tx
    .select({ contactId: clicks.contactId, at: clicks.clickedAt, campaign: sends.campaign, sendId: clicks.sendId, bot: clicks.isBot })
    .from(clicks)
    .innerJoin(sends, eq(sends.id, clicks.sendId))
    .where(and(inArray(clicks.contactId, contactIds), gte(clicks.clickedAt, since)));
  const openRows = await tx
    .select({ contactId: opens.contactId, at: opens.openedAt, campaign: sends.campaign, sendId: opens.sendId, bot: opens.isBot })
    .from(opens)
    .innerJoin(sends, eq(sends.id, opens.sendId))
    .where(and(inArray(opens.contactId, contactIds), gte(opens.openedAt, since)));
  return [
    ...clickRows.map((r) => ({ ...r, contactId: r.contactId!, sendId: r.sendId!, kind: 'click' as const })),
    ...openRows.map((r) => ({ ...r, contactId: r.contactId!, kind: 'open' as const })),
  ];
}

export interface AttributionRow {
  orderId: number;
  sendId: number | null;
  campaign: string;
  model: string;
  touch: string;
  /** Decimal strings (numeric columns). */
  weight: string;
  revenue: string;
}

/** A campaign with a holdout and the click window its lift counts orders in (after a contact's first entry). */
export interface HoldoutWindow {
  campaign: string;
  clickMs: number;
}

/**
 * Replace the credits of these orders with `rows`, and their `holdout_orders` rows with those of
 * the `holdouts` windows, and mark them attributed at `now`: a few statements for the whole
 * batch, so a recompute (a refund, a changed window) never leaves an order half credited.
 */
export async function replaceAttributions(
  tx: Tx,
  orderIds: number[],
  rows: AttributionRow[],
  now: Date,
  holdouts: readonly HoldoutWindow[] = [],
): Promise<void> {
  if (orderIds.length === 0) return;
  await rollUp(tx, orderIds, -1);
  await tx.delete(attributions).where(inArray(attributions.orderId, orderIds));
  if (rows.length) await tx.insert(attributions).values(rows);
  await rollUp(tx, orderIds, 1);
  await replaceHoldoutOrders(tx, orderIds, holdouts);
  await tx.update(orders).set({ attributedAt: now }).where(inArray(orders.id, orderIds));
}

/**
 * The orders a holdout lift counts (./schema/rollups.ts `holdout_orders`): these orders, for every
 * campaign with a holdout whose window after the buyer's first entry (either arm) holds them,
 * with their current revenue (total − refunded, ≥ 0). TWO statements.
 */
async function replaceHoldoutOrders(tx: Tx, orderIds: number[], holdouts: readonly HoldoutWindow[]): Promise<void> {
  const ids = idArray(orderIds);
  await tx.execute(sql`delete from holdout_orders where order_id = any(${ids})`);
  if (holdouts.length === 0) return;
  const windows = JSON.stringify(holdouts.map((h) => ({ campaign: h.campaign, click_ms: Math.round(h.clickMs) })));
  await tx.execute(sql`
    insert into holdout_orders (campaign, held_out, contact_id, order_id, currency, amount)
    select e.campaign, e.held_out, e.contact_id, o.id, o.currency, greatest(o.total - o.refunded, 0)
    from orders o
    join campaign_entries e on e.contact_id = o.contact_id and o.occurred_at >= e.entered_at
    join jsonb_to_recordset(${windows}::jsonb) as w(campaign text, click_ms bigint)
      on w.campaign = e.campaign and o.occurred_at < e.entered_at + w.click_ms * interval '1 millisecond'
    where o.id = any(${ids})
    on conflict do nothing`);
}

/**
 * Add (`sign` 1) or take away (-1) these orders' current credits from `attribution_daily`, per
 * (campaign, model, UTC day of the order, currency, and for `utm` the order's utm_source): ONE statement. Run before the old credits go
 * and after the new ones land, so the rollup always equals the sum of `attributions`.
 */
async function rollUp(tx: Tx, orderIds: number[], sign: 1 | -1): Promise<void> {
  await tx.execute(sql`
    insert into ${attributionDaily} (campaign, model, day, currency, network, orders, revenue)
    select a.campaign, a.model, (o.occurred_at at time zone 'UTC')::date, o.currency,
           case when a.model = 'utm' then coalesce(o.utm_source, '(none)') else '' end,
           ${sql.raw(String(sign))} * sum(a.weight), ${sql.raw(String(sign))} * sum(a.revenue)
    from ${attributions} a join ${orders} o on o.id = a.order_id
    where a.order_id in (${sql.join(
      orderIds.map((id) => sql`${id}`),
      sql`, `,
    )})
    group by 1, 2, 3, 4, 5
    on conflict (campaign, model, day, currency, network) do update
      set orders = ${attributionDaily}.orders + excluded.orders, revenue = ${attributionDaily}.revenue + excluded.revenue`);
}

/**
 * Mark orders for recompute at the next ticks (`almanac attribution recompute`): all, those since
 * a time, and/or those a campaign could be credited with — already credited to it, naming it in
 * utm_campaign, or of a contact it mailed or held out (a longer window may now reach them). ONE statement;
 * returns how many.
 */
export async function markForRecompute(tx: Tx, options: { since?: Date; campaign?: string } = {}): Promise<number> {
  const c = options.campaign;
  const rows = await tx
    .update(orders)
    .set({ attributedAt: null })
    .where(
      and(
        options.since ? gte(orders.occurredAt, options.since) : undefined,
        c === undefined
          ? undefined
          : // Qualified by hand: inside the subqueries drizzle's bare "id" / "contact_id" would be the inner table's.
            sql`("orders"."utm_campaign" = ${c}
              or exists (select 1 from ${attributions} a where a.order_id = "orders"."id" and a.campaign = ${c})
              or exists (select 1 from ${sends} s where s.contact_id = "orders"."contact_id" and s.campaign = ${c})
              or exists (select 1 from campaign_entries e where e.contact_id = "orders"."contact_id" and e.campaign = ${c}))`,
      ),
    )
    .returning({ id: orders.id });
  return rows.length;
}
