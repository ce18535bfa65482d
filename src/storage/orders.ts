import { and, eq, sql } from 'drizzle-orm';
import type { Tx } from './db';
import { orders } from './schema/index';
import { rowsOf } from './sql-values';

export interface OrderInsert {
  source: string;
  orderId: string;
  contactId: number | null;
  checkoutId: string | null;
  /** Decimal string, e.g. "129.00" (numeric(14,2)). */
  total: string;
  currency: string;
  items: Array<Record<string, unknown>>;
  occurredAt: Date;
  landingUrl?: string | null;
  utmSource?: string | null;
  utmMedium?: string | null;
  utmCampaign?: string | null;
}

/** Insert orders in ONE statement; `unique(source, order_id)` makes a redelivery a no-op. Returns the new ones. */
export async function insertOrders(tx: Tx, rows: OrderInsert[]): Promise<Array<{ id: number; orderId: string }>> {
  if (rows.length === 0) return [];
  return tx
    .insert(orders)
    .values(rows)
    .onConflictDoNothing({ target: [orders.source, orders.orderId] })
    .returning({ id: orders.id, orderId: orders.orderId });
}

/**
 * A refund (`amount`) or a cancellation (`amount` null: the whole order) of a stored order: adds to
 * `refunded` and marks the order for recompute, so its credits shrink at the next tick. Never past
 * the total: that case, and an order not found, change nothing and say which. One statement
 * (plus one to tell the two failures apart).
 */
export async function refundOrder(
  tx: Tx,
  r: { source: string; orderId: string; amount: string | null },
): Promise<{ ok: true } | { ok: false; problem: 'unknown_order' | 'more_than_remains'; remains?: string }> {
  const updated = await tx
    .update(orders)
    .set({
      refunded: r.amount === null ? sql`${orders.total}` : sql`${orders.refunded} + ${r.amount}::numeric`,
      attributedAt: null,
    })
    .where(
      and(
        eq(orders.source, r.source),
        eq(orders.orderId, r.orderId),
        r.amount === null ? undefined : sql`${orders.refunded} + ${r.amount}::numeric <= ${orders.total}`,
      ),
    )
    .returning({ id: orders.id });
  if (updated.length) return { ok: true };
  const [found] = await tx
    .select({ remains: sql<string>`(${orders.total} - ${orders.refunded})::text` })
    .from(orders)
    .where(and(eq(orders.source, r.source), eq(orders.orderId, r.orderId)));
  return found ? { ok: false, problem: 'more_than_remains', remains: found.remains } : { ok: false, problem: 'unknown_order' };
}

/** The contact of a stored order, as an event names it (its strongest identifier); undefined when the order or its contact is unknown. */
export async function orderContact(tx: Tx, source: string, orderId: string): Promise<{ identifiers: string[] } | undefined> {
  const [row] = rowsOf<{ identifier: string }>(
    await tx.execute(sql`
      select i.identifier from orders o join contact_identifiers i on i.contact_id = o.contact_id
      where o.source = ${source} and o.order_id = ${orderId}
      order by array_position(array['external', 'shopify', 'phone', 'email'], i.kind), i.created_at limit 1`),
  );
  return row ? { identifiers: [row.identifier] } : undefined;
}
