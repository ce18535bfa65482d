import { and, eq } from 'drizzle-orm';
import type { Tx } from './db';
import { webhookReceipts } from './schema/index';

export interface Receipt {
  /** `shopify`, or `ingest:<source>` for Standard Webhooks senders. */
  source: string;
  /** The provider's delivery id (`X-Shopify-Webhook-Id`, `webhook-id`). */
  deliveryId: string;
  topic?: string | null;
}

/**
 * Record a webhook delivery; false when it was already recorded (a replay). Run it in the same
 * transaction as the delivery's effects: a concurrent replay waits on the unique index until
 * the first commits (then sees it) or rolls back (then takes over), so a delivery acts once.
 */
export async function recordReceipt(tx: Tx, receipt: Receipt): Promise<boolean> {
  const rows = await tx
    .insert(webhookReceipts)
    .values({ source: receipt.source, deliveryId: receipt.deliveryId, topic: receipt.topic ?? null })
    .onConflictDoNothing({ target: [webhookReceipts.source, webhookReceipts.deliveryId] })
    .returning({ id: webhookReceipts.id });
  return rows.length > 0;
}

/** Whether a delivery was already recorded (read only: SNS subscription confirmations check before they fetch). */
export async function hasReceipt(tx: Tx, receipt: Pick<Receipt, 'source' | 'deliveryId'>): Promise<boolean> {
  const rows = await tx
    .select({ id: webhookReceipts.id })
    .from(webhookReceipts)
    .where(and(eq(webhookReceipts.source, receipt.source), eq(webhookReceipts.deliveryId, receipt.deliveryId)))
    .limit(1);
  return rows.length > 0;
}
