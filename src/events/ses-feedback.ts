import { hashAddress } from '../consent/address-hash';
import { TRANSACTIONAL_PURPOSE } from '../dsl/plan';
import type { SesFeedback } from '../sending/feedback/ses-notification';
import { appendConsent, type ConsentAppend, currentConsent } from '../storage/consent';
import { contactsWithEmails } from '../storage/contacts';
import type { Db, Tx } from '../storage/db';
import { isUniqueViolation, pgError } from '../storage/errors';
import { failRejectedSend, type FeedbackSend, findFeedbackSend, settleDeliveredSend } from '../storage/send-feedback';
import { wakeRunsAwaitingSends } from '../storage/send-outcomes';
import { recordReceipt } from '../storage/webhook-receipts';
import { recordTransientBounces, suppressAddresses, suppressRepeatedTransientBounces } from '../storage/suppressions';
import { ingestInTransaction } from './ingest';
import type { IngestEvent } from './types';

export type ActionableFeedback = Exclude<SesFeedback, { kind: 'ignored' }>;

export interface FeedbackOptions {
  /** The SNS MessageId: the receipt (`webhook_receipts`, source `sns`) and the events' dedupe key. */
  notificationId: string;
  now: Date;
  /** SUPPRESSION_KEY: suppressions are stored as the address's HMAC. */
  suppressionKey: string;
  /** Soft bounces that suppress an address: `limit` within `windowMs` (SES_TRANSIENT_BOUNCES, SES_TRANSIENT_BOUNCE_DAYS). */
  transientBounces: { limit: number; windowMs: number };
}

export interface FeedbackResult {
  duplicate: boolean;
  /** Addresses suppressed (or widened to every purpose) by this notification. */
  suppressed: number;
  /** Consent rows withdrawn (a complaint). */
  withdrawn: number;
  /** The send the notification settled or failed, if it changed one. */
  settled?: { sendId: number; status: 'sent' | 'failed' };
  events: number;
}

/**
 * Act on one verified SES notification, every write in ONE transaction with its receipt, so a
 * replay of the SNS MessageId (or ten at once) acts once and answers `duplicate`:
 * - Bounce, Permanent → the address is suppressed for every purpose. Transient (and Undetermined)
 *   → counted; `limit` of them within the window suppress it.
 * - Complaint → every marketing purpose of the contact is withdrawn in the consent ledger
 *   (source `complaint`) and the address is suppressed for marketing (receipts still go).
 * - Delivery → the send it names, if `unknown`, becomes `sent` (never resent; `sent` stays).
 * - Reject, Rendering Failure → the send, if `unknown` or `sending`, becomes `failed`.
 * - Bounce, Complaint and Delivery each become an event (`email.bounced`, `email.complained`,
 *   `email.delivered`) of the send's contact (else of the contact holding the address, if any),
 *   so journeys, segments and timelines see them.
 */
export async function applySesFeedback(db: Db, feedback: ActionableFeedback, o: FeedbackOptions): Promise<FeedbackResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction((tx) => applyInTransaction(tx, feedback, o));
    } catch (err) {
      // As in ingestEvents: a concurrent insert or a deadlock; the retry sees the winner's rows.
      const code = pgError(err)?.code;
      if (attempt >= 5 || !(isUniqueViolation(err) || code === '40P01' || code === '40001')) throw err;
    }
  }
}

async function applyInTransaction(tx: Tx, f: ActionableFeedback, o: FeedbackOptions): Promise<FeedbackResult> {
  const result: FeedbackResult = { duplicate: false, suppressed: 0, withdrawn: 0, events: 0 };
  if (!(await recordReceipt(tx, { source: 'sns', deliveryId: o.notificationId, topic: `ses:${f.kind}` }))) {
    return { ...result, duplicate: true };
  }
  const send = await findFeedbackSend(tx, {
    ...(f.mail.sendId === undefined ? {} : { sendId: f.mail.sendId }),
    providerMessageId: f.mail.messageId,
  });
  const hash = (email: string) => hashAddress(email, o.suppressionKey);

  if (f.kind === 'reject' || f.kind === 'rendering_failure') {
    if (send && (await failRejectedSend(tx, { sendId: send.id, reason: f.reason, now: o.now }))) {
      // A `sending` send's run still waits for it; an `unknown` one's already moved on (no-op then).
      await wakeRunsAwaitingSends(tx, [send.id], o.now);
      result.settled = { sendId: send.id, status: 'failed' };
    }
    return result;
  }
  if (f.kind === 'delivery' && send) {
    const settled = await settleDeliveredSend(tx, { sendId: send.id, providerMessageId: f.mail.messageId, deliveredAt: f.at, now: o.now });
    if (settled) result.settled = { sendId: send.id, status: 'sent' };
  }
  if (f.kind === 'bounce') {
    const reason = `bounce: ${f.bounceType}${f.subType ? `/${f.subType}` : ''}`;
    const hashes = [...new Set(f.recipients.map((r) => hash(r.email)))];
    if (f.bounceType === 'Permanent') {
      await suppressAddresses(
        tx,
        hashes.map((addressHash) => ({ addressHash, reason, source: 'ses', scope: 'all' as const })),
      );
      result.suppressed = hashes.length;
    } else {
      await recordTransientBounces(
        tx,
        hashes.map((addressHash) => ({ addressHash, notificationId: o.notificationId, bouncedAt: f.at })),
      );
      const { limit, windowMs } = o.transientBounces;
      const suppressed = await suppressRepeatedTransientBounces(tx, {
        addressHashes: hashes,
        since: new Date(o.now.getTime() - windowMs),
        limit,
        reason: `bounce: ${limit} transient bounces within ${Math.round(windowMs / 86_400_000)} days`,
        source: 'ses',
      });
      result.suppressed = suppressed.length;
    }
  }

  const emails = f.kind === 'bounce' ? f.recipients.map((r) => r.email) : f.recipients;
  const contacts = send ? [{ id: send.contactId, externalId: send.externalId, email: send.email }] : await contactsWithEmails(tx, emails);
  if (f.kind === 'complaint') {
    const hashes = [...new Set(f.recipients.map(hash))];
    await suppressAddresses(
      tx,
      hashes.map((addressHash) => ({
        addressHash,
        reason: `complaint: ${f.feedbackType ?? 'abuse'}`,
        source: 'ses',
        scope: 'marketing' as const,
      })),
    );
    result.suppressed = hashes.length;
    result.withdrawn = await withdrawMarketing(
      tx,
      contacts.map((c) => c.id),
      send,
      {
        text: `spam complaint${f.feedbackType ? ` (${f.feedbackType})` : ''} reported by the mailbox provider through Amazon SES, message ${f.mail.messageId}`,
        at: f.at,
      },
    );
  }

  const events = feedbackEvents(f, send, contacts, o.notificationId);
  if (events.length) result.events = (await ingestInTransaction(tx, events, { source: 'ses', now: o.now })).accepted;
  return result;
}

/**
 * Withdraw every marketing purpose of these contacts in two statements: `email.marketing`, the
 * complained send's purpose, and any other purpose currently granted, except transactional mail.
 * Purposes already withdrawn get no new row (the ledger records changes, not echoes).
 */
async function withdrawMarketing(
  tx: Tx,
  contactIds: number[],
  send: FeedbackSend | undefined,
  evidence: { text: string; at: Date },
): Promise<number> {
  if (contactIds.length === 0) return 0;
  const current = await currentConsent(tx, contactIds);
  const rows: ConsentAppend[] = [];
  for (const contactId of new Set(contactIds)) {
    const mine = current.filter((c) => c.contactId === contactId);
    const purposes = new Set(['email.marketing', ...mine.filter((c) => c.granted).map((c) => c.purpose)]);
    if (send && send.contactId === contactId) purposes.add(send.purpose);
    purposes.delete(TRANSACTIONAL_PURPOSE);
    const withdrawn = new Set(mine.filter((c) => !c.granted).map((c) => c.purpose));
    for (const purpose of purposes) {
      if (withdrawn.has(purpose)) continue;
      rows.push({ contactId, purpose, granted: false, text: evidence.text, source: 'complaint', occurredAt: evidence.at });
    }
  }
  return appendConsent(tx, rows);
}

const eventTypes = { bounce: 'email.bounced', complaint: 'email.complained', delivery: 'email.delivered' } as const;

/**
 * One event per recipient that belongs to a contact (the send's, else the holder of the
 * address); addresses nobody holds get none: a bounce must not create a contact. Dedupe key
 * `ses:<SNS MessageId>` (`:<n>` for a second recipient and on).
 */
function feedbackEvents(
  f: Extract<ActionableFeedback, { kind: 'bounce' | 'complaint' | 'delivery' }>,
  send: FeedbackSend | undefined,
  contacts: Array<{ id: number; externalId: string | null; email: string | null }>,
  notificationId: string,
): IngestEvent[] {
  const recipients = f.kind === 'bounce' ? f.recipients : f.recipients.map((email) => ({ email }));
  const events: IngestEvent[] = [];
  recipients.forEach((r, i) => {
    const contact = send ? contacts[0] : contacts.find((c) => c.email === r.email);
    if (!contact || (send && i > 0)) return;
    const ref = contact.externalId ? { externalId: contact.externalId } : contact.email ? { email: contact.email } : undefined;
    if (!ref) return;
    const properties: Record<string, unknown> = {
      ses_message_id: f.mail.messageId,
      ...(send ? { send_id: send.id, campaign: send.campaign, template: send.template } : {}),
      ...(!send && f.mail.campaign ? { campaign: f.mail.campaign } : {}),
      ...(!send && f.mail.template ? { template: f.mail.template } : {}),
    };
    if (f.kind === 'bounce') {
      const b = r as (typeof f.recipients)[number];
      Object.assign(properties, {
        bounce_type: f.bounceType,
        bounce_subtype: f.subType,
        ...(b.status ? { status: b.status } : {}),
        ...(b.diagnostic ? { diagnostic: b.diagnostic } : {}),
      });
    }
    if (f.kind === 'complaint' && f.feedbackType) properties.feedback_type = f.feedbackType;
    events.push({
      dedupeKey: i === 0 ? `ses:${notificationId}` : `ses:${notificationId}:${i}`,
      type: eventTypes[f.kind],
      occurredAt: f.at,
      contact: ref,
      properties,
    });
  });
  return events;
}
