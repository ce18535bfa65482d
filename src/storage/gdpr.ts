import { contactIdByIdentifiers, identifiersOfContacts } from './identifiers';
import { asc, eq, inArray, or, sql } from 'drizzle-orm';
import type { Tx } from './db';
import {
  clicks,
  consentRecords,
  contactMerges,
  contacts,
  customerMetrics,
  erasures,
  events,
  opens,
  orders,
  outboxMessages,
  runs,
  segmentMemberships,
  sends,
  suppressions,
  webhookCalls,
  type ErasureSource,
} from './schema/index';
import { rowsOf, ts } from './sql-values';

export type { ErasureSource };

/**
 * The SQL of GDPR export and erasure (src/consent/export.ts, src/consent/erase.ts): one statement
 * per table, keyed by the contact's numeric id, never a loop over rows.
 */

/**
 * The contact holding the first of these identifiers someone holds (a route's `:id` as
 * src/contacts/identifiers.ts identifiersForRef reads it), or undefined. `lock`: FOR UPDATE, for an erasure.
 */
export async function contactByRef(tx: Tx, candidates: readonly string[], o: { lock?: boolean } = {}) {
  const id = await contactIdByIdentifiers(tx, candidates);
  if (id === undefined) return undefined;
  const q = tx.select().from(contacts).where(eq(contacts.id, id)).limit(1);
  const [row] = o.lock ? await q.for('update') : await q;
  return row;
}

/** Outbox messages addressed to the person: sent for one of their sends, or to their address (`a@b` or `Name <a@b>`). */
const outboxOf = (contactId: number, email: string | null) =>
  or(
    inArray(outboxMessages.sendId, sql`(select id from sends where contact_id = ${contactId})`),
    ...(email
      ? [
          sql`lower(${outboxMessages.to}) = ${email.toLowerCase()}`,
          sql`position(${`<${email.toLowerCase()}>`} in lower(${outboxMessages.to})) > 0`,
        ]
      : []),
  );

/** Everything stored about one contact, row by row as the tables hold it (one select per table). */
export async function readContactData(tx: Tx, contact: { id: number; email: string | null }, addressHash: string | undefined) {
  const id = contact.id;
  return {
    identifiers: await identifiersOfContacts(tx, [id]),
    merges: await tx.select().from(contactMerges).where(eq(contactMerges.survivorId, id)).orderBy(asc(contactMerges.id)),
    events: await tx.select().from(events).where(eq(events.contactId, id)).orderBy(asc(events.occurredAt), asc(events.id)),
    consent: await tx
      .select()
      .from(consentRecords)
      .where(eq(consentRecords.contactId, id))
      .orderBy(asc(consentRecords.occurredAt), asc(consentRecords.id)),
    runs: await tx.select().from(runs).where(eq(runs.contactId, id)).orderBy(asc(runs.id)),
    sends: await tx.select().from(sends).where(eq(sends.contactId, id)).orderBy(asc(sends.id)),
    webhookCalls: await tx
      .select()
      .from(webhookCalls)
      .where(inArray(webhookCalls.runId, sql`(select id from runs where contact_id = ${id})`))
      .orderBy(asc(webhookCalls.id)),
    clicks: await tx.select().from(clicks).where(eq(clicks.contactId, id)).orderBy(asc(clicks.clickedAt), asc(clicks.id)),
    opens: await tx.select().from(opens).where(eq(opens.contactId, id)).orderBy(asc(opens.openedAt), asc(opens.id)),
    orders: await tx.select().from(orders).where(eq(orders.contactId, id)).orderBy(asc(orders.occurredAt), asc(orders.id)),
    customer: (await tx.select().from(customerMetrics).where(eq(customerMetrics.contactId, id)))[0] ?? null,
    segments: await tx
      .select({ segment: segmentMemberships.segment, enteredAt: segmentMemberships.enteredAt })
      .from(segmentMemberships)
      .where(eq(segmentMemberships.contactId, id))
      .orderBy(asc(segmentMemberships.segment)),
    suppressions: addressHash
      ? await tx.select().from(suppressions).where(eq(suppressions.addressHash, addressHash)).orderBy(asc(suppressions.id))
      : [],
    outbox: await tx.select().from(outboxMessages).where(outboxOf(id, contact.email)).orderBy(asc(outboxMessages.id)),
  };
}

export type ContactData = Awaited<ReturnType<typeof readContactData>>;

/** How many rows of each kind the contact has: what an erasure removes, for its log (one statement). */
export async function countContactRows(tx: Tx, contact: { id: number; email: string | null }): Promise<Record<string, number>> {
  const id = contact.id;
  const [row] = rowsOf<Record<string, string | number>>(
    await tx.execute(sql`
      select
        (select count(*) from events where contact_id = ${id}) as events,
        (select count(*) from consent_records where contact_id = ${id}) as consent_records,
        (select count(*) from runs where contact_id = ${id}) as runs,
        (select count(*) from sends where contact_id = ${id}) as sends,
        (select count(*) from clicks where contact_id = ${id}) as clicks,
        (select count(*) from opens where contact_id = ${id}) as opens,
        (select count(*) from segment_memberships where contact_id = ${id}) as segment_memberships,
        (select count(*) from trigger_skips where contact_id = ${id}) as trigger_skips,
        (select count(*) from orders where contact_id = ${id}) as orders_detached`),
  );
  return Object.fromEntries(Object.entries(row ?? {}).map(([k, v]) => [k, Number(v)]));
}

/** End the contact's active runs: `exited`, exit reason `erased`. Returns the run ids. */
export async function exitRunsOfContact(tx: Tx, contactId: number, now: Date): Promise<number[]> {
  const rows = rowsOf<{ id: string | number }>(
    await tx.execute(sql`
      update runs set status = 'exited', exit_reason = 'erased', ended_at = ${ts(now)}, next_wake_at = null,
        lease_until = null, lease_owner = null, updated_at = ${ts(now)}
      where contact_id = ${contactId} and status = 'active'
      returning id`),
  );
  return rows.map((r) => Number(r.id));
}

/**
 * Cancel every send of the contact still waiting (queued, or held as deferred), whatever its run:
 * `cancelled`, reason `contact erased`. (Not `cancelSendsOfEndedRuns`: that words the reason after
 * the run and only sees sends of runs ended now, while an erasure stops all of them.) A send
 * already claimed (`sending`) is stopped at hand-over: its run is no longer active.
 */
export async function cancelSendsOfContact(tx: Tx, contactId: number, now: Date): Promise<number[]> {
  const rows = rowsOf<{ id: string | number }>(
    await tx.execute(sql`
      update sends set status = 'cancelled', reason = 'contact erased', settled_at = ${ts(now)}, lease_until = null
      where contact_id = ${contactId} and status in ('queued', 'deferred')
      returning id`),
  );
  return rows.map((r) => Number(r.id));
}

/** Delete the outbox messages addressed to the person (they hold the address and the content). Returns how many. */
export async function deleteOutboxOfContact(tx: Tx, contact: { id: number; email: string | null }): Promise<number> {
  const rows = await tx.delete(outboxMessages).where(outboxOf(contact.id, contact.email)).returning({ id: outboxMessages.id });
  return rows.length;
}

/**
 * Delete the contact row. The schema's foreign keys do the rest in the same statement: events,
 * consent records, runs, sends (with their attempts, links, clicks, opens), segment memberships
 * and trigger skips cascade; orders and attributions keep their rows with the reference set null.
 */
export async function deleteContact(tx: Tx, contactId: number): Promise<boolean> {
  const rows = await tx.delete(contacts).where(eq(contacts.id, contactId)).returning({ id: contacts.id });
  return rows.length === 1;
}

/**
 * The suppression an erasure leaves: scope `all`, reason `erased`. An address already suppressed
 * keeps its row as it is (a bounce or complaint is never re-worded to `erased`, which a fresh
 * consent could lift). Returns whether a row was written.
 */
export async function suppressErasedAddress(tx: Tx, addressHash: string, source: ErasureSource, now: Date): Promise<boolean> {
  const rows = await tx
    .insert(suppressions)
    .values({ addressHash, reason: ERASED_REASON, source, scope: 'all', createdAt: now })
    .onConflictDoNothing({ target: suppressions.addressHash })
    .returning({ id: suppressions.id });
  return rows.length === 1;
}

/** The suppression reason an erasure writes; only it is lifted by a fresh consent. */
export const ERASED_REASON = 'erased';

/** Record an erasure in the log (no personal data: see `erasures` in ./schema/people.ts). */
export async function insertErasure(
  tx: Tx,
  row: { contactId: number; erasedAt: Date; source: ErasureSource; counts: Record<string, number> },
): Promise<number> {
  const [inserted] = await tx.insert(erasures).values(row).returning({ id: erasures.id });
  return inserted!.id;
}

/**
 * A consent granted after an erasure lifts that erasure's suppression: delete the `erased`
 * suppressions of these addresses created no later than the grant's `occurred_at` (a replayed
 * grant from before the erasure lifts nothing). Never touches another reason (bounce, complaint).
 * ONE statement; returns how many were lifted.
 */
export async function liftErasedSuppressions(tx: Tx, grants: Array<{ addressHash: string; grantedAt: Date }>): Promise<number> {
  if (grants.length === 0) return 0;
  const input = JSON.stringify(grants.map((g) => ({ address_hash: g.addressHash, granted_at: g.grantedAt.toISOString() })));
  const rows = rowsOf<{ id: string | number }>(
    await tx.execute(sql`
      delete from suppressions s
      using jsonb_to_recordset(${input}::jsonb) as g(address_hash text, granted_at timestamptz)
      where s.address_hash = g.address_hash and s.reason = ${ERASED_REASON} and s.created_at <= g.granted_at
      returning s.id`),
  );
  return new Set(rows.map((r) => Number(r.id))).size;
}

/** Erasure log rows, oldest first (tests and operators). */
export async function listErasures(tx: Tx) {
  return tx.select().from(erasures).orderBy(asc(erasures.id));
}
