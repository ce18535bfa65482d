import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Tx } from './db';
import { idArray, rowsOf, ts } from './sql-values';
import { webhookCalls } from './schema/index';
import { cancelWaitingOfEndedRuns, type SendContextRow } from './sends';

/**
 * The webhooks phase's SQL (src/scheduler/webhooks-phase.ts), one statement per function, the
 * way ./sends.ts serves the dispatcher: queued with the step, claimed with a lease (SKIP LOCKED),
 * handed over once per attempt. Every time comes from the caller's `now`.
 */

export interface WebhookCallFields {
  runId: number;
  stepKey: string;
  campaign: string;
  campaignVersionId: number;
  purpose: string;
  url: string;
  template: unknown;
  secretName: string | null;
  gate: { consent: boolean; quietHours: boolean; blackout: boolean };
}

/**
 * Queue calls in one statement, with the `webhook-id` each will carry on every attempt
 * (`msg_` + a random UUID). `unique(run_id, step_key)`: a step executed twice queues one call.
 */
export async function insertWebhookCalls(tx: Tx, rows: Array<WebhookCallFields & { now: Date }>): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await tx
    .insert(webhookCalls)
    .values(
      rows.map(({ now, ...r }) => ({
        ...r,
        webhookId: `msg_${randomUUID().replaceAll('-', '')}`,
        status: 'queued' as const,
        notBefore: now,
        createdAt: now,
      })),
    )
    .onConflictDoNothing({ target: [webhookCalls.runId, webhookCalls.stepKey] })
    .returning({ id: webhookCalls.id });
  return inserted.length;
}

/**
 * Whether the webhooks phase has anything to do at `now`: a due call (queued or deferred) or a
 * claim past its lease. One statement over the two partial indexes, so an idle tick (most of
 * them, and every tick of a project without webhook steps) costs one cheap query.
 */
export async function webhookWorkDue(tx: Tx, now: Date): Promise<boolean> {
  const [row] = rowsOf<{ due: boolean }>(
    await tx.execute(sql`
      select exists (select 1 from webhook_calls where status in ('queued', 'deferred') and not_before <= ${ts(now)})
          or exists (select 1 from webhook_calls where status = 'calling' and lease_until < ${ts(now)}) as due`),
  );
  return row?.due === true;
}

/**
 * Calls still waiting (queued, deferred) of runs that have ended become `cancelled`, the run's
 * end as the reason: `{ runIds }` in the transaction that ends them, `{ dueBy }` as the phase's
 * sweep. A claimed call is stopped at hand-over instead. Returns the ids cancelled.
 */
export async function cancelWebhookCallsOfEndedRuns(tx: Tx, scope: { runIds: number[] } | { dueBy: Date }, now: Date): Promise<number[]> {
  return cancelWaitingOfEndedRuns(tx, 'webhook_calls', scope, now);
}

/** Runs waiting (phase `sending`) on a call that is already settled — a replayed step — go on at once. */
export async function wakeRunsWithSettledWebhookCalls(tx: Tx, runIds: number[], now: Date): Promise<void> {
  if (runIds.length === 0) return;
  await tx.execute(sql`
    update runs r set next_wake_at = ${ts(now)},
      state = jsonb_set(r.state, '{wakeAt}', to_jsonb(to_char(coalesce(w.settled_at, ${ts(now)}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))
    from webhook_calls w
    where r.id = any(${idArray(runIds)}) and r.status = 'active' and r.state->>'phase' = 'sending'
      and w.run_id = r.id and w.step_key = r.state->>'at' and w.status in ('delivered', 'failed', 'suppressed', 'cancelled')`);
}

export interface ClaimedWebhookCall extends WebhookCallFields {
  id: number;
  webhookId: string;
  contactId: number;
  /** The body as first rendered; null until the first hand-over. */
  body: string | null;
  /** Including this claim. */
  attempts: number;
  /** This claim's lease, also its token: every write of the claim's outcome matches it. */
  leaseUntil: Date;
}

/** Claim up to `limit` due calls (queued or deferred) of active runs, oldest first, for `leaseMs`. SKIP LOCKED. */
export async function claimDueWebhookCalls(tx: Tx, o: { now: Date; limit: number; leaseMs: number }): Promise<ClaimedWebhookCall[]> {
  const rows = rowsOf<Record<string, unknown>>(
    await tx.execute(sql`
      with due as (
        select w.id from webhook_calls w
        where w.status in ('queued', 'deferred') and w.not_before <= ${ts(o.now)}
          and exists (select 1 from runs r where r.id = w.run_id and r.status = 'active')
        order by w.not_before, w.id
        limit ${o.limit}
        for update of w skip locked)
      update webhook_calls w
      set status = 'calling', lease_until = ${ts(new Date(o.now.getTime() + o.leaseMs))}, attempts = w.attempts + 1
      from due, runs r where w.id = due.id and r.id = w.run_id and w.status in ('queued', 'deferred')
      returning w.id, w.run_id, w.step_key, w.campaign, w.campaign_version_id, w.purpose, w.webhook_id, w.url, w.template,
        w.secret_name, w.gate, w.body, w.attempts, w.lease_until, r.contact_id`),
  );
  return rows
    .map((r) => ({
      id: Number(r.id),
      runId: Number(r.run_id),
      stepKey: String(r.step_key),
      campaign: String(r.campaign),
      campaignVersionId: Number(r.campaign_version_id),
      purpose: String(r.purpose),
      webhookId: String(r.webhook_id),
      url: String(r.url),
      template: r.template,
      secretName: r.secret_name === null ? null : String(r.secret_name),
      gate: r.gate as WebhookCallFields['gate'],
      body: r.body === null ? null : String(r.body),
      contactId: Number(r.contact_id),
      attempts: Number(r.attempts),
      leaseUntil: new Date(r.lease_until as string | Date),
    }))
    .sort((a, b) => a.id - b.id);
}

/**
 * Calls still `calling` after their lease: the process that claimed them died or stalled. Each
 * goes back to `queued` with its attempt counted: the receiver may have had it, and gets it again
 * with the same `webhook-id`, which is what its idempotency key is for. Returns the ids.
 */
export async function expireWebhookLeases(tx: Tx, now: Date): Promise<number[]> {
  const rows = rowsOf<{ id: string | number }>(
    await tx.execute(sql`
      update webhook_calls set status = 'queued', lease_until = null,
        last_error = 'lease expired before the call was settled: queued again (same webhook-id)'
      where status = 'calling' and lease_until < ${ts(now)}
      returning id`),
  );
  return rows.map((r) => Number(r.id));
}

/** What a call's body is rendered from: a send's context without the mail-only `utm`. */
export type WebhookContextRow = Omit<SendContextRow, 'utm'>;

/** The contact, its analytics, the campaign's name and the run's trigger of each claimed call, in one query. */
export async function loadWebhookContexts(tx: Tx, callIds: number[]): Promise<Map<number, WebhookContextRow>> {
  if (callIds.length === 0) return new Map();
  const rows = rowsOf<Record<string, unknown>>(
    await tx.execute(sql`
      select w.id, c.email, c.timezone, c.locale, c.attributes, m.doc as customer, v.plan->>'name' as campaign_name,
        r.state->'trigger' as trigger
      from webhook_calls w
      join runs r on r.id = w.run_id
      join contacts c on c.id = r.contact_id
      left join customer_metrics m on m.contact_id = c.id
      left join campaign_versions v on v.id = w.campaign_version_id
      where w.id = any(${idArray(callIds)})`),
  );
  return new Map(
    rows.map((r) => [
      Number(r.id),
      {
        id: Number(r.id),
        email: (r.email as string | null) ?? null,
        timezone: (r.timezone as string | null) ?? null,
        locale: (r.locale as string | null) ?? null,
        attributes: (r.attributes ?? {}) as Record<string, unknown>,
        customer: (r.customer as Record<string, unknown> | null) ?? null,
        campaignName: (r.campaign_name as string | null) ?? null,
        trigger: (r.trigger as WebhookContextRow['trigger']) ?? null,
      },
    ]),
  );
}

/**
 * The moment before one attempt, as one statement: only while this claim holds the call and its
 * run is still active (an exit that committed first wins). The first hand-over stores `body`; a
 * later one keeps the stored bytes. Returns the body to send, or undefined when the call must not go.
 */
export async function handOverWebhookCall(tx: Tx, o: { id: number; leaseUntil: Date; body: string }): Promise<string | undefined> {
  const rows = rowsOf<{ body: string }>(
    await tx.execute(sql`
      update webhook_calls w set body = coalesce(w.body, ${o.body})
      from runs r
      where w.id = ${o.id} and w.status = 'calling' and w.lease_until = ${ts(o.leaseUntil)}
        and r.id = w.run_id and r.status = 'active'
      returning w.body`),
  );
  return rows[0]?.body;
}
