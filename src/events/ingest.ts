import { hashAddress } from '../consent/address-hash';
import { appendConsent, type ConsentAppend } from '../storage/consent';
import { getContacts } from '../storage/contacts';
import type { Db, Tx } from '../storage/db';
import { isUniqueViolation, pgError } from '../storage/errors';
import { type EventInsert, findEventIds, insertEvents } from '../storage/events';
import { liftErasedSuppressions } from '../storage/gdpr';
import { AppError } from '../errors';
import { insertOrders, type OrderInsert, refundOrder } from '../storage/orders';
import { type Receipt, recordReceipt } from '../storage/webhook-receipts';
import { collapseContacts, conflictWarning, mergeWarning, resolveContacts } from './contacts';
import { defaultMergePolicy, type MergePolicy } from '../contacts/resolve';
import { landingUtm } from '../tracking/landing';
import { doubleOptInRequests } from './double-opt-in';
import { CONSENT_REQUESTED, consentEventTypes, type IngestEvent, isConsentEvent } from './types';

export interface IngestOptions {
  /** Where the events came from: `api`, `shopify`, a Standard Webhooks source name. */
  source: string;
  /** Receipt time (`received_at`). */
  now: Date;
  /** Per event, its own receipt time instead of `now` (requests sharing one commit: ./group-commit.ts). */
  receivedAt?: readonly Date[];
  /** A webhook delivery to record in the same transaction; already recorded → nothing is stored. */
  receipt?: Receipt;
  /**
   * SUPPRESSION_KEY. Given, a new `consent.granted` lifts the `erased` suppression a GDPR erasure
   * left on the contact's address (src/consent/erase.ts): the fresh consent the erasure asked for.
   */
  suppressionKey?: string;
  /**
   * Internal (src/http/confirm.ts): the `consent.granted` events confirm the double opt-in
   * request with this ledger id — recorded as grants naming it, never as new requests.
   */
  confirms?: number;
  /** Which links between contacts merge them (MERGE_ON_EMAIL, MERGE_SOURCES); default: email matches merge, for api, shopify, import, cli, simulate. */
  mergePolicy?: MergePolicy;
}

export interface IngestedEvent {
  index: number;
  /** The dedupe key. */
  id: string;
  /** `events.id` of the stored event (the original one for a duplicate). */
  eventId: number;
  duplicate: boolean;
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  /** True when `options.receipt` had been seen before: the whole delivery was a replay. */
  replayed?: true;
  events: IngestedEvent[];
  /** Present when some contact did not get the email it was sent with (see EmailConflict in ./contacts). */
  warnings?: IngestWarning[];
}

/**
 * Something the caller should know although the events were stored: `email_conflict` (the
 * contact did not get the email: see EmailConflict in ./contacts), `missing_property` (a
 * checkout without the `url` its cart mails link to) or `consent_pending` (a grant of a double
 * opt-in purpose, stored as `consent.requested`: granted once the person confirms by mail).
 */
export interface IngestWarning {
  index: number;
  /** The field within the event: `contact.email`, `properties.url`. */
  field: string;
  code: 'email_conflict' | 'identifier_conflict' | 'merge_refused' | 'contacts_merged' | 'missing_property' | 'consent_pending';
  message: string;
  /** email_conflict, identifier_conflict, merge_refused: the contact that holds the identifier. */
  held_by?: string;
  /** contacts_merged: the merge record (GET /v1/contacts/:id shows it). */
  merge_id?: number;
}

/**
 * `checkout.*` events feed the cart mails (`cart.url` in templates: "complete your order"); one
 * without an http(s) `properties.url` is stored, but its mails would carry an empty link, so the
 * answer says so at once rather than the customer finding out.
 */
export function missingPropertyWarnings(events: IngestEvent[]): IngestWarning[] {
  return events.flatMap((e, index) =>
    e.type.startsWith('checkout.') && !(typeof e.properties.url === 'string' && /^https?:\/\/\S+$/i.test(e.properties.url))
      ? [
          {
            index,
            field: 'properties.url',
            code: 'missing_property' as const,
            message: `${e.type} has no http(s) properties.url: the cart link of its mails (cart.url) would be empty; send the checkout's recovery URL`,
          },
        ]
      : [],
  );
}

/**
 * Store parsed events in ONE transaction: upsert their contacts, insert the events (a known
 * dedupe key is a duplicate), and for the events that are new append `consent.*` to the consent
 * ledger and `order.created` to `orders`. Events stay unprocessed (`processed_at` null) for the
 * trigger phase of `tick`. Deduplication rests on unique indexes with `on conflict do nothing`,
 * so the same event delivered many times at once is stored and acts once; should a concurrent
 * transaction still hit a unique index first (an email taken mid-flight) or deadlock with this
 * one, the whole ingest is retried, and the retry sees the winner. Contacts of duplicate events are upserted again
 * (harmless: the same merge).
 */
export async function ingestEvents(db: Db, events: IngestEvent[], options: IngestOptions): Promise<IngestResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction((tx) => ingestInTransaction(tx, events, options));
    } catch (err) {
      if (attempt >= 5 || !isRetryable(err)) throw err;
    }
  }
}

/**
 * Worth a fresh transaction: a unique index hit by a concurrent insert, or a deadlock between
 * batches naming the same new contacts in different orders (PostgreSQL aborts one of them; the
 * retry then waits for the other and sees its rows).
 */
function isRetryable(err: unknown): boolean {
  const code = pgError(err)?.code;
  // 23503: a contact this batch named was merged away by a concurrent one; the retry finds the survivor.
  return isUniqueViolation(err) || code === '40P01' || code === '40001' || code === '23503';
}

/** `ingestEvents` inside a transaction the caller holds (one notification's writes commit together: ./ses-feedback.ts). */
export async function ingestInTransaction(tx: Tx, events: IngestEvent[], options: IngestOptions): Promise<IngestResult> {
  if (options.receipt && !(await recordReceipt(tx, options.receipt))) {
    return { accepted: 0, duplicates: events.length, replayed: true, events: [] };
  }
  if (events.length === 0) return { accepted: 0, duplicates: 0, events: [] };

  const policy = options.mergePolicy ?? defaultMergePolicy();
  const { rows, indexOf } = collapseContacts(
    events.map((e) => e.contact),
    { policy, source: options.source },
  );
  const firstEventOf = (row: number) => events[indexOf.indexOf(row)];
  const resolved = await resolveContacts(tx, rows, {
    policy,
    source: options.source,
    now: options.now,
    ...(options.suppressionKey && { suppressionKey: options.suppressionKey }),
    describe: (row) => `${options.source} event ${firstEventOf(row)?.dedupeKey ?? ''}`.trim(),
  });
  const contactIds = resolved.ids;
  const contactOf = (i: number) => contactIds[indexOf[i]!]!;

  // The first event with a key is the one stored; later ones in the same call are duplicates.
  const firstIndex = new Map<string, number>();
  events.forEach((e, i) => firstIndex.has(e.dedupeKey) || firstIndex.set(e.dedupeKey, i));
  const requests =
    options.confirms === undefined
      ? await doubleOptInRequests(
          tx,
          [...firstIndex.values()].map((i) => ({ index: i, event: events[i]!, contactId: contactOf(i) })),
          options.source,
        )
      : new Set<number>();
  const inserts: EventInsert[] = [...firstIndex.values()].map((i) => {
    const e = events[i]!;
    return {
      dedupeKey: e.dedupeKey,
      type: requests.has(i) ? CONSENT_REQUESTED : e.type,
      contactId: contactOf(i),
      properties: e.properties,
      occurredAt: e.occurredAt,
      receivedAt: options.receivedAt?.[i] ?? options.now,
      source: options.source,
    };
  });
  const inserted = await insertEvents(tx, inserts);
  const newIds = new Map(inserted.map((r) => [r.dedupeKey, Number(r.id)]));
  const known = await findEventIds(
    tx,
    [...firstIndex.keys()].filter((k) => !newIds.has(k)),
  );
  const eventIds = new Map([...known.map((r) => [r.dedupeKey, Number(r.id)] as const), ...newIds]);

  const isNew = (i: number) => newIds.has(events[i]!.dedupeKey) && firstIndex.get(events[i]!.dedupeKey) === i;
  const consent: ConsentAppend[] = [];
  const orders: OrderInsert[] = [];
  events.forEach((e, i) => {
    if (!isNew(i)) return;
    const eventId = newIds.get(e.dedupeKey)!;
    if (isConsentEvent(e.type)) {
      const row = consentRow(e, contactOf(i), eventId, options.source);
      consent.push(
        requests.has(i)
          ? { ...row, granted: false, pending: true }
          : options.confirms !== undefined && row.granted
            ? { ...row, confirms: options.confirms }
            : row,
      );
    }
    if (e.type === 'order.created') orders.push(orderRow(e, contactOf(i), options.source));
  });
  await appendConsent(tx, consent);
  await liftErasuresOnGrant(tx, consent, options.suppressionKey);
  await insertOrders(tx, orders);
  await applyRefunds(tx, events, isNew, options.source);

  const warnings: IngestWarning[] = [
    // Each conflict and merge once, at the first event of the contact that caused it.
    ...resolved.conflicts.map((c) => ({
      index: indexOf.indexOf(c.row),
      ...conflictWarning(
        c.identifier.startsWith('email:') && firstEventOf(c.row)?.contact.email !== undefined ? 'contact.email' : 'contact.identifiers',
        c,
      ),
    })),
    ...resolved.merges.map((m) => ({
      index: Math.max(
        0,
        indexOf.findIndex((row) => contactIds[row] === m.survivor),
      ),
      ...mergeWarning('contact', m, m.names),
    })),
    // A duplicate stored nothing: its warning was given when it was new.
    ...missingPropertyWarnings(events).filter((w) => isNew(w.index)),
    ...[...requests].filter(isNew).map((index) => ({
      index,
      field: 'properties.purpose',
      code: 'consent_pending' as const,
      message: `${String(events[index]!.properties.purpose)} asks for double opt-in: stored as ${CONSENT_REQUESTED}; the confirmation mail goes out and consent is granted when the person confirms`,
    })),
  ].sort((a, b) => a.index - b.index);
  const result = events.map((e, index) => ({ index, id: e.dedupeKey, eventId: eventIds.get(e.dedupeKey)!, duplicate: !isNew(index) }));
  const accepted = result.filter((r) => !r.duplicate).length;
  return { accepted, duplicates: events.length - accepted, events: result, ...(warnings.length ? { warnings } : {}) };
}

/**
 * A grant recorded after a GDPR erasure of the same address is the fresh consent the erasure
 * waits for: delete the address's `erased` suppression (only that reason, and only when the
 * grant's `occurred_at` is not before the erasure; bounces and complaints stay). A double opt-in
 * request counts too: it is a fresh, evidenced request to be mailed — its confirmation mail
 * (transactional) must reach the address — while marketing stays held by the pending consent
 * until the person confirms. Two statements, only when grants or requests were appended.
 */
async function liftErasuresOnGrant(tx: Tx, consent: ConsentAppend[], suppressionKey: string | undefined): Promise<void> {
  const grants = consent.filter((r) => r.granted || r.pending);
  if (!suppressionKey || grants.length === 0) return;
  const emails = new Map((await getContacts(tx, [...new Set(grants.map((g) => g.contactId))])).map((c) => [c.id, c.email]));
  await liftErasedSuppressions(
    tx,
    grants.flatMap((g) => {
      const email = emails.get(g.contactId);
      return email ? [{ addressHash: hashAddress(email, suppressionKey), grantedAt: g.occurredAt }] : [];
    }),
  );
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Properties were checked by the parser (src/events/schema.ts): `purpose` is a string. */
function consentRow(e: IngestEvent, contactId: number, eventId: number, source: string): ConsentAppend {
  const p = e.properties;
  return {
    contactId,
    purpose: String(p.purpose),
    granted: consentEventTypes[e.type as keyof typeof consentEventTypes],
    text: str(p.text),
    textVersion: str(p.text_version),
    source: str(p.source) ?? source,
    ip: str(p.ip),
    userAgent: str(p.user_agent),
    occurredAt: e.occurredAt,
    eventId,
  };
}

/**
 * `order.refunded` (`amount`) and `order.cancelled` (the whole order) of new events adjust the
 * stored order (`properties.order_source`, default this ingest's source, and `order_id`) and mark
 * it for recompute: attribution then credits total − refunded. A refund larger than what remains,
 * or of an order never stored, is a 400 naming the field — and, thrown inside the ingest's
 * transaction, stores nothing of the call. One statement per refund (they are rare).
 */
async function applyRefunds(tx: Tx, events: IngestEvent[], isNew: (i: number) => boolean, source: string): Promise<void> {
  const problems: Array<{ path: string; message: string }> = [];
  for (const [i, e] of events.entries()) {
    if (!isNew(i) || (e.type !== 'order.refunded' && e.type !== 'order.cancelled')) continue;
    const p = e.properties;
    const result = await refundOrder(tx, {
      source: typeof p.order_source === 'string' ? p.order_source : source,
      orderId: String(p.order_id),
      amount: e.type === 'order.cancelled' ? null : String(p.amount),
    });
    if (result.ok) continue;
    problems.push(
      result.problem === 'unknown_order'
        ? {
            path: `events[${i}].properties.order_id`,
            message: `no order ${String(p.order_id)} from ${typeof p.order_source === 'string' ? p.order_source : source} is stored`,
          }
        : { path: `events[${i}].properties.amount`, message: `larger than what remains of the order (${result.remains})` },
    );
  }
  if (problems.length)
    throw new AppError('validation_failed', `the refund cannot be applied: ${problems.map((x) => `${x.path}: ${x.message}`).join('; ')}`, {
      details: { errors: problems },
    });
}

/** Properties were checked by the parser: order_id, total and currency are present. */
function orderRow(e: IngestEvent, contactId: number, source: string): OrderInsert {
  const p = e.properties;
  return {
    source,
    orderId: String(p.order_id),
    contactId,
    checkoutId: p.checkout_id === undefined || p.checkout_id === null ? null : String(p.checkout_id),
    total: String(p.total),
    currency: String(p.currency).toUpperCase(),
    items: Array.isArray(p.items) ? (p.items as Array<Record<string, unknown>>) : [],
    occurredAt: e.occurredAt,
    ...landingUtm(p.landing_url),
  };
}
