import { and, eq, inArray, or, sql } from 'drizzle-orm';
import type { Tx } from './db';
import { updateCountingSent } from './engagement';
import { contacts, sends } from './schema/index';
import { ts } from './sql-values';

/**
 * The writes an SES notification makes to the send it is about (src/events/ses-feedback.ts runs
 * them in the notification's transaction). A notification names one message, so one send.
 */

export interface FeedbackSend {
  id: number;
  status: string;
  campaign: string;
  template: string;
  purpose: string;
  contactId: number;
  externalId: string | null;
  email: string | null;
}

/**
 * The send a notification is about: by the `send_id` tag when SES echoed it (event publishing),
 * else by SES's message id, which the transport stored on the send (identity notifications carry
 * no tags). Either must match, so a tag naming some other message's send still finds only its own.
 */
export async function findFeedbackSend(tx: Tx, o: { sendId?: number; providerMessageId?: string }): Promise<FeedbackSend | undefined> {
  const bySendId = o.sendId === undefined ? undefined : eq(sends.id, o.sendId);
  const byMessage = o.providerMessageId === undefined ? undefined : eq(sends.providerMessageId, o.providerMessageId);
  if (!bySendId && !byMessage) return undefined;
  const [row] = await tx
    .select({
      id: sends.id,
      status: sends.status,
      campaign: sends.campaign,
      template: sends.template,
      purpose: sends.purpose,
      contactId: sends.contactId,
      externalId: contacts.externalId,
      email: contacts.email,
    })
    .from(sends)
    .innerJoin(contacts, eq(contacts.id, sends.contactId))
    .where(or(bySendId, byMessage))
    .orderBy(sql`${sends.id} = ${o.sendId ?? null} desc nulls last`)
    .limit(1);
  return row;
}

/**
 * SES delivered it: an `unknown` send (the provider call got no answer) becomes `sent`, with
 * SES's message id when it had none. Any other status is left as it is: a `sent` send stays, and
 * nothing is ever queued again. True when the send changed.
 */
export async function settleDeliveredSend(
  tx: Tx,
  o: { sendId: number; providerMessageId: string; deliveredAt: Date; now: Date },
): Promise<boolean> {
  // The `sent` count of engagement_daily moves in the same statement (./engagement.ts).
  const n = await updateCountingSent(
    tx,
    sql`
      update sends set status = 'sent', reason = 'delivery confirmed by an SES notification',
        provider_message_id = coalesce(provider_message_id, ${o.providerMessageId}),
        sent_at = coalesce(sent_at, ${ts(o.deliveredAt)}), settled_at = coalesce(settled_at, ${ts(o.now)})
      where id = ${o.sendId} and status = 'unknown'
      returning campaign, sent_at`,
  );
  return n === 1;
}

/**
 * SES refused it after taking it (Reject: a virus; Rendering Failure): an `unknown` or `sending`
 * send becomes `failed` with the reason, never resent. A claim still holding a `sending` send
 * then finds it gone and writes nothing over it (every outcome is written only while
 * `status = 'sending'`: ./send-outcomes.ts). True when the send changed.
 */
export async function failRejectedSend(tx: Tx, o: { sendId: number; reason: string; now: Date }): Promise<boolean> {
  const rows = await tx
    .update(sends)
    .set({ status: 'failed', reason: o.reason, leaseUntil: null, settledAt: sql`coalesce(${sends.settledAt}, ${ts(o.now)})` })
    .where(and(eq(sends.id, o.sendId), inArray(sends.status, ['unknown', 'sending'])))
    .returning({ id: sends.id });
  return rows.length === 1;
}
