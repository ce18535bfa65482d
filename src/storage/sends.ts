import { eq, inArray, sql } from 'drizzle-orm';
import type { Tx } from './db';
import { idArray, rowsOf, ts } from './sql-values';
import { currentConsent } from './consent';
import { campaignVersions, contacts, runs, sendAttempts, sends, suppressions } from './schema/index';

/**
 * The dispatcher's SQL, one statement per function. Every time comes from the caller's `now`
 * (never the database clock) so `simulate`'s virtual clock drives sends like the wall clock.
 * Batch writes take their per-row values as one jsonb parameter (`jsonb_to_recordset`), which
 * binds the same way on postgres.js and PGlite.
 */

/** What a send is, as the journey queued it (src/storage/journey-writes.ts inserts these). */
export interface SendFields {
  runId: number;
  stepKey: string;
  contactId: number;
  campaign: string;
  campaignVersionId: number;
  template: string;
  purpose: string;
  priority: number;
  payload: Record<string, unknown>;
}

export interface ClaimedSend extends SendFields {
  id: number;
  /** Including this claim. */
  attempts: number;
}

const recordset = (rows: unknown[]) => sql`jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)`;

/**
 * Claim up to `limit` due sends (queued or deferred, `not_before <= now`), oldest first, for
 * `leaseMs`. SKIP LOCKED: concurrent dispatchers claim disjoint sets.
 */
export async function claimDueSends(tx: Tx, o: { now: Date; limit: number; leaseMs: number }): Promise<ClaimedSend[]> {
  const rows = rowsOf<Record<string, unknown>>(
    await tx.execute(sql`
      with due as (
        select id from sends
        where status in ('queued', 'deferred') and not_before <= ${ts(o.now)}
        order by not_before, id
        limit ${o.limit}
        for update skip locked)
      update sends s
      set status = 'sending', lease_until = ${ts(new Date(o.now.getTime() + o.leaseMs))}, attempts = s.attempts + 1
      from due where s.id = due.id and s.status in ('queued', 'deferred')
      returning s.id, s.run_id, s.step_key, s.contact_id, s.campaign, s.campaign_version_id, s.template,
                s.purpose, s.priority, s.payload, s.attempts`),
  );
  return rows
    .map((r) => ({
      id: Number(r.id),
      runId: Number(r.run_id),
      stepKey: String(r.step_key),
      contactId: Number(r.contact_id),
      campaign: String(r.campaign),
      campaignVersionId: Number(r.campaign_version_id),
      template: String(r.template),
      purpose: String(r.purpose),
      priority: Number(r.priority),
      payload: (r.payload ?? {}) as Record<string, unknown>,
      attempts: Number(r.attempts),
    }))
    .sort((a, b) => a.id - b.id);
}

/**
 * A send still `sending` after its lease: the process died somewhere around the provider call,
 * so nobody knows whether it went out. It becomes `unknown` and is never claimed again (SES
 * notifications may settle it later). Returns how many.
 */
export async function markLeaseExpired(tx: Tx, now: Date): Promise<number> {
  const rows = await tx
    .update(sends)
    .set({ status: 'unknown', reason: 'lease expired while sending: delivery unknown', leaseUntil: null })
    .where(sql`${sends.status} = 'sending' and ${sends.leaseUntil} < ${ts(now)}`)
    .returning({ id: sends.id });
  return rows.length;
}

export interface SendContextRow {
  id: number;
  email: string | null;
  timezone: string | null;
  locale: string | null;
  attributes: Record<string, unknown>;
  campaignName: string | null;
  trigger: { type?: string; properties?: Record<string, unknown> } | null;
}

/** The contact, the campaign's name and the run's trigger for each claimed send, in one query. */
export async function loadSendContexts(tx: Tx, sendIds: number[]): Promise<Map<number, SendContextRow>> {
  if (sendIds.length === 0) return new Map();
  const rows = await tx
    .select({
      id: sends.id,
      email: contacts.email,
      timezone: contacts.timezone,
      locale: contacts.locale,
      attributes: contacts.attributes,
      campaignName: sql<string | null>`${campaignVersions.plan}->>'name'`,
      trigger: sql<SendContextRow['trigger']>`${runs.state}->'trigger'`,
    })
    .from(sends)
    .innerJoin(contacts, eq(contacts.id, sends.contactId))
    .leftJoin(campaignVersions, eq(campaignVersions.id, sends.campaignVersionId))
    .leftJoin(runs, eq(runs.id, sends.runId))
    .where(inArray(sends.id, sendIds));
  return new Map(rows.map((r) => [r.id, r]));
}

/** One send's fields that view-in-browser renders from, or undefined. */
export async function readSendForView(
  tx: Tx,
  sendId: number,
): Promise<{ id: number; template: string; campaign: string; contactId: number; payload: unknown } | undefined> {
  const [send] = await tx
    .select({ id: sends.id, template: sends.template, campaign: sends.campaign, contactId: sends.contactId, payload: sends.payload })
    .from(sends)
    .where(eq(sends.id, sendId))
    .limit(1);
  return send;
}

export interface GateFacts {
  /** `${contactId}:${purpose}` → the newest ledger row's `granted`. */
  consent: Map<string, boolean>;
  /** address hash → suppression reason. */
  suppressions: Map<string, string>;
}

/**
 * Current consent (`currentConsent`, ./consent.ts) and suppressions for a batch, read right
 * before the provider calls: a withdrawal committed earlier wins. Two statements.
 */
export async function loadGateFacts(tx: Tx, o: { contactIds: number[]; purposes: string[]; addressHashes: string[] }): Promise<GateFacts> {
  const facts: GateFacts = { consent: new Map(), suppressions: new Map() };
  if (o.contactIds.length === 0) return facts;
  for (const r of await currentConsent(tx, o.contactIds, { purposes: o.purposes }))
    facts.consent.set(`${r.contactId}:${r.purpose}`, r.granted);
  if (o.addressHashes.length) {
    const rows = await tx
      .select({ hash: suppressions.addressHash, reason: suppressions.reason })
      .from(suppressions)
      .where(inArray(suppressions.addressHash, o.addressHashes));
    for (const r of rows) facts.suppressions.set(r.hash, r.reason);
  }
  return facts;
}

/**
 * Provider accepted: `sent` with its message id. Also settles a row marked `unknown` meanwhile.
 * `reason` is kept: on a sent row it says why the send was held before it went (quiet hours,
 * a blackout, a cap), which the simulate timeline and operators read.
 */
export async function markSent(tx: Tx, rows: Array<{ id: number; providerMessageId: string }>, now: Date): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(sql`
    update sends s set status = 'sent', provider_message_id = v.pid, sent_at = ${ts(now)}, lease_until = null,
      last_error = null
    from ${recordset(rows.map((r) => ({ id: r.id, pid: r.providerMessageId })))} as v(id bigint, pid text)
    where s.id = v.id and s.status in ('sending', 'unknown')`);
}

/** Final without a message: `failed` (bad address, render error, refused, gave up) or `suppressed`. */
export async function settleSends(
  tx: Tx,
  status: 'failed' | 'suppressed',
  rows: Array<{ id: number; reason: string; error?: string }>,
  now: Date,
): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(sql`
    update sends s set status = ${status}, reason = v.reason, last_error = coalesce(v.error, s.last_error),
      settled_at = ${ts(now)}, lease_until = null
    from ${recordset(rows)} as v(id bigint, reason text, error text)
    where s.id = v.id and s.status in ('sending', 'unknown')`);
}

/**
 * The provider gave no answer after the request may have gone out: `unknown`, never claimed
 * again (the provider's delivery notification, tagged with the send id, settles it).
 */
export async function markUnknown(tx: Tx, rows: Array<{ id: number; error: string }>): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(sql`
    update sends s set status = 'unknown', reason = 'no answer from the provider: delivery unknown', last_error = v.error, lease_until = null
    from ${recordset(rows)} as v(id bigint, error text)
    where s.id = v.id and s.status = 'sending'`);
}

/**
 * Back to `queued` with the error kept: at its backoff time after a transient failure, or
 * (`notBefore` absent) where it was, when the account is paused.
 */
export async function requeueSends(tx: Tx, rows: Array<{ id: number; notBefore?: Date; error: string }>): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(sql`
    update sends s set status = 'queued', not_before = coalesce(v.not_before, s.not_before), last_error = v.error,
      lease_until = null
    from ${recordset(rows.map((r) => ({ id: r.id, not_before: r.notBefore?.toISOString() ?? null, error: r.error })))}
      as v(id bigint, not_before timestamptz, error text)
    where s.id = v.id and s.status = 'sending'`);
}

/**
 * The gate said "not yet" (quiet hours, caps): `deferred` until then. The claim's attempt is
 * given back, since no provider was called and waiting must not use up retries.
 */
export async function deferSends(tx: Tx, rows: Array<{ id: number; until: Date; reason: string }>): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(sql`
    update sends s set status = 'deferred', not_before = v.until, reason = v.reason, lease_until = null,
      attempts = greatest(s.attempts - 1, 0)
    from ${recordset(rows.map((r) => ({ id: r.id, until: r.until.toISOString(), reason: r.reason })))}
      as v(id bigint, until timestamptz, reason text)
    where s.id = v.id and s.status = 'sending'`);
}

/** Claimed but not attempted (dispatch paused mid-batch): back to `queued` exactly as before. */
export async function releaseSends(tx: Tx, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .update(sends)
    .set({ status: 'queued', leaseUntil: null, attempts: sql`greatest(${sends.attempts} - 1, 0)` })
    .where(sql`${inArray(sends.id, ids)} and ${sends.status} = 'sending'`);
}

export interface NewSendAttempt {
  sendId: number;
  attempt: number;
  /** The transport's answer (`SendOutcome['status']` in src/sending/transport.ts). */
  outcome: 'sent' | 'retry' | 'failed' | 'paused' | 'unknown';
  error: string | null;
  startedAt: Date;
  finishedAt: Date;
}

/** One row per provider call of the batch, for the operator. */
export async function insertSendAttempts(tx: Tx, rows: NewSendAttempt[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.insert(sendAttempts).values(rows).onConflictDoNothing();
}

/** Lock these contacts' rows for the transaction (in id order, so two lockers cannot deadlock). */
export async function lockContacts(tx: Tx, contactIds: number[]): Promise<void> {
  if (contactIds.length === 0) return;
  await tx.execute(sql`select id from contacts where id = any(${idArray(contactIds)}) order by id for update`);
}

/**
 * Sends of these contacts approved through caps since `since` and not since suppressed or failed
 * (in flight, sent, or unknown), with their purposes: what frequency caps count.
 */
export async function approvedSendsSince(
  tx: Tx,
  contactIds: number[],
  since: Date,
): Promise<Array<{ contactId: number; purpose: string; at: Date }>> {
  if (contactIds.length === 0) return [];
  const rows = rowsOf<{ contact_id: string | number; purpose: string; approved_at: string | Date }>(
    await tx.execute(sql`
      select contact_id, purpose, approved_at from sends
      where contact_id = any(${idArray(contactIds)}) and approved_at > ${ts(since)} and status in ('sending', 'sent', 'unknown')`),
  );
  return rows.map((r) => ({ contactId: Number(r.contact_id), purpose: r.purpose, at: new Date(r.approved_at) }));
}

/** Stamp the sends that passed the caps. */
export async function markApproved(tx: Tx, ids: number[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await tx.execute(sql`update sends set approved_at = ${ts(now)} where id = any(${idArray(ids)})`);
}
