import type { Tx } from './db';
import { orders } from './schema/index';

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
