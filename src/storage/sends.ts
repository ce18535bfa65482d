import { eq, inArray, sql } from 'drizzle-orm';
import type { Tx } from './db';
import { idArray, rowsOf, ts } from './sql-values';
import { currentConsent } from './consent';
import { campaignVersions, contacts, customerMetrics, runs, sends, suppressions } from './schema/index';

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
  /** This claim's lease: also its token — every write of the claim's outcome matches it, so a claimant whose lease ran out changes nothing. */
  leaseUntil: Date;
}

export const recordset = (rows: unknown[]) => sql`jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)`;

/**
 * Claim up to `limit` due sends (queued or deferred, `not_before <= now`) of active runs, oldest
 * first, for `leaseMs`. SKIP LOCKED: concurrent dispatchers claim disjoint sets. A claim clears
 * `handed_at`: nothing of this attempt has reached a transport yet. `onlyPurpose`: claim sends of
 * that purpose only, leaving the rest as they are (the complaint pause: transactional mail only).
 */
export async function claimDueSends(
  tx: Tx,
  o: { now: Date; limit: number; leaseMs: number; onlyPurpose?: string },
): Promise<ClaimedSend[]> {
  const rows = rowsOf<Record<string, unknown>>(
    await tx.execute(sql`
      with due as (
        select s.id from sends s
        where s.status in ('queued', 'deferred') and s.not_before <= ${ts(o.now)}
          ${o.onlyPurpose === undefined ? sql`` : sql`and s.purpose = ${o.onlyPurpose}`}
          and exists (select 1 from runs r where r.id = s.run_id and r.status = 'active')
        order by s.not_before, s.id
        limit ${o.limit}
        for update of s skip locked)
      update sends s
      set status = 'sending', lease_until = ${ts(new Date(o.now.getTime() + o.leaseMs))}, attempts = s.attempts + 1, handed_at = null
      from due where s.id = due.id and s.status in ('queued', 'deferred')
      returning s.id, s.run_id, s.step_key, s.contact_id, s.campaign, s.campaign_version_id, s.template,
                s.purpose, s.priority, s.payload, s.attempts, s.lease_until`),
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
      leaseUntil: new Date(r.lease_until as string | Date),
    }))
    .sort((a, b) => a.id - b.id);
}

/**
 * A send belongs to its run: the sends still waiting (queued, or held as deferred) of runs that
 * have ended become `cancelled`, with the run's end as the reason (`run exited: exit_on:order.created`).
 * `{ runIds }`: called in the transaction that ends those runs — a step's exit, a migration's
 * `step_removed` — so no later claim can find them. `{ dueBy }`: the dispatcher's sweep of due
 * sends of any ended run, for a run ended by a path that does not know its sends. Sends already
 * claimed are stopped at hand-over instead (`handOver`). Returns the ids cancelled.
 */
export async function cancelSendsOfEndedRuns(tx: Tx, scope: { runIds: number[] } | { dueBy: Date }, now: Date): Promise<number[]> {
  return cancelWaitingOfEndedRuns(tx, 'sends', scope, now);
}

/**
 * What a run waits on — its sends, its webhook calls — still queued or deferred after the run
 * ended become `cancelled` with the run's end as the reason (one statement for both tables).
 */
export async function cancelWaitingOfEndedRuns(
  tx: Tx,
  table: 'sends' | 'webhook_calls',
  scope: { runIds: number[] } | { dueBy: Date },
  now: Date,
): Promise<number[]> {
  if ('runIds' in scope && scope.runIds.length === 0) return [];
  const which = 'runIds' in scope ? sql`r.id = any(${idArray(scope.runIds)})` : sql`x.not_before <= ${ts(scope.dueBy)}`;
  const rows = rowsOf<{ id: string | number }>(
    await tx.execute(sql`
      update ${sql.raw(table)} x set status = 'cancelled', settled_at = ${ts(now)}, lease_until = null,
        reason = 'run ' || r.status || ': ' || coalesce(r.exit_reason, r.status)
      from runs r
      where ${which} and r.id = x.run_id and r.status <> 'active' and x.status in ('queued', 'deferred')
      returning x.id`),
  );
  return rows.map((r) => Number(r.id));
}

/**
 * The moment of handing one claimed send to the transport, as one statement right before the
 * call: only while this claim holds it (`lease_until` is the claim's token) and its run is still
 * active — an exit that committed first wins, and the send is not handed over. With `stamp`
 * (transports that deliver outside our transaction, e.g. SES) `handed_at` is set, so a crash
 * from here on leaves the send `unknown`, never resent; the outbox commits its message and the
 * `sent` status together and needs no stamp. Returns false when the send must not go.
 */
export async function handOver(tx: Tx, o: { id: number; leaseUntil: Date; now: Date; stamp: boolean }): Promise<boolean> {
  const rows = rowsOf<{ id: string | number }>(
    await tx.execute(sql`
      update sends s set handed_at = ${o.stamp ? ts(o.now) : sql`s.handed_at`}
      from runs r
      where s.id = ${o.id} and s.status = 'sending' and s.lease_until = ${ts(o.leaseUntil)}
        and r.id = s.run_id and r.status = 'active'
      returning s.id`),
  );
  return rows.length === 1;
}

/**
 * Sends still `sending` after their lease: the process that claimed them died (or stalled past
 * the lease). One never handed over (`handed_at` unset) provably did not leave: it goes back to
 * `queued`, its attempt count kept, to be claimed again. One that was handed over may have been
 * delivered: it becomes `unknown` and is never claimed again (SES notifications may settle it).
 */
export async function expireLeases(tx: Tx, now: Date): Promise<{ requeued: number[]; unknown: number[] }> {
  const rows = rowsOf<{ id: string | number; status: string }>(
    await tx.execute(sql`
      update sends set lease_until = null,
        status = case when handed_at is null then 'queued' else 'unknown' end,
        reason = case when handed_at is null then reason else 'lease expired after the provider call started: delivery unknown' end,
        last_error = case when handed_at is null then 'lease expired before the provider call: requeued' else last_error end
      where status = 'sending' and lease_until < ${ts(now)}
      returning id, status`),
  );
  const pick = (status: string) => rows.filter((r) => r.status === status).map((r) => Number(r.id));
  return { requeued: pick('queued'), unknown: pick('unknown') };
}

export interface SendContextRow {
  id: number;
  email: string | null;
  timezone: string | null;
  locale: string | null;
  attributes: Record<string, unknown>;
  /** Customer analytics (`customer_metrics.doc`), null before the first pass: templates read it as `customer.*`. */
  customer: Record<string, unknown> | null;
  campaignName: string | null;
  /** The campaign's `utm:` (tracked links), when it sets one. */
  utm: Record<string, string> | null;
  trigger: { type?: string; occurredAt?: string; properties?: Record<string, unknown> } | null;
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
      customer: customerMetrics.doc,
      campaignName: sql<string | null>`${campaignVersions.plan}->>'name'`,
      utm: sql<Record<string, string> | null>`${campaignVersions.plan}->'utm'`,
      trigger: sql<SendContextRow['trigger']>`${runs.state}->'trigger'`,
    })
    .from(sends)
    .innerJoin(contacts, eq(contacts.id, sends.contactId))
    .leftJoin(customerMetrics, eq(customerMetrics.contactId, sends.contactId))
    .leftJoin(campaignVersions, eq(campaignVersions.id, sends.campaignVersionId))
    .leftJoin(runs, eq(runs.id, sends.runId))
    .where(inArray(sends.id, sendIds));
  return new Map(rows.map((r) => [r.id, r]));
}

/** One send's fields that view-in-browser renders from, or undefined. */
export async function readSendForView(
  tx: Tx,
  sendId: number,
): Promise<{ id: number; template: string; campaign: string; contactId: number; purpose: string; payload: unknown } | undefined> {
  const [send] = await tx
    .select({
      id: sends.id,
      template: sends.template,
      campaign: sends.campaign,
      contactId: sends.contactId,
      purpose: sends.purpose,
      payload: sends.payload,
    })
    .from(sends)
    .where(eq(sends.id, sendId))
    .limit(1);
  return send;
}

export interface GateFacts {
  /** `${contactId}:${purpose}` → the newest ledger row's state (absent: no row, never given). */
  consent: Map<string, 'granted' | 'withdrawn' | 'pending'>;
  /** address hash → suppression reason, for every purpose. */
  suppressions: Map<string, string>;
  /** address hash → reason, for every purpose but transactional mail (scope `marketing`: a complaint). */
  marketingSuppressions: Map<string, string>;
}

/**
 * Current consent (`currentConsent`, ./consent.ts) and suppressions for a batch, read right
 * before the provider calls: a withdrawal committed earlier wins. Two statements.
 */
export async function loadGateFacts(tx: Tx, o: { contactIds: number[]; purposes: string[]; addressHashes: string[] }): Promise<GateFacts> {
  const facts: GateFacts = { consent: new Map(), suppressions: new Map(), marketingSuppressions: new Map() };
  if (o.contactIds.length === 0) return facts;
  for (const r of await currentConsent(tx, o.contactIds, { purposes: o.purposes }))
    facts.consent.set(`${r.contactId}:${r.purpose}`, r.granted ? 'granted' : r.pending ? 'pending' : 'withdrawn');
  if (o.addressHashes.length) {
    const rows = await tx
      .select({ hash: suppressions.addressHash, reason: suppressions.reason, scope: suppressions.scope })
      .from(suppressions)
      .where(inArray(suppressions.addressHash, o.addressHashes));
    for (const r of rows) (r.scope === 'marketing' ? facts.marketingSuppressions : facts.suppressions).set(r.hash, r.reason);
  }
  return facts;
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

/**
 * Sends of these contacts queued or held (not claimed by anyone) and due by `dueBy`, with what
 * priority look-ahead needs: the slots they will want (src/scheduler/caps.ts).
 */
export async function pendingSendsOf(
  tx: Tx,
  contactIds: number[],
  dueBy: Date,
): Promise<Array<{ id: number; contactId: number; campaign: string; purpose: string; priority: number; notBefore: Date }>> {
  if (contactIds.length === 0) return [];
  const rows = rowsOf<{
    id: string | number;
    contact_id: string | number;
    campaign: string;
    purpose: string;
    priority: number;
    not_before: string | Date;
  }>(
    await tx.execute(sql`
      select id, contact_id, campaign, purpose, priority, not_before from sends
      where contact_id = any(${idArray(contactIds)}) and status in ('queued', 'deferred') and not_before <= ${ts(dueBy)}`),
  );
  return rows.map((r) => ({
    id: Number(r.id),
    contactId: Number(r.contact_id),
    campaign: r.campaign,
    purpose: r.purpose,
    priority: Number(r.priority),
    notBefore: new Date(r.not_before),
  }));
}

/** Stamp the sends that passed the caps. */
export async function markApproved(tx: Tx, ids: number[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await tx.execute(sql`update sends set approved_at = ${ts(now)} where id = any(${idArray(ids)})`);
}
