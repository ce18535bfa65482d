import { sql } from 'drizzle-orm';
import type { Tx } from './db';
import { updateCountingSent } from './engagement';
import { recordset } from './sends';
import { idArray, ts } from './sql-values';
import { sendAttempts } from './schema/index';

/**
 * The writes that settle a dispatch batch, one statement per kind (src/scheduler/settle.ts runs
 * them in one transaction). Every row carries its claim's `lease` (`sends.lease_until` as the
 * claim set it): a row is changed only while that claim still holds it, so a dispatcher that
 * outlived its lease can never overwrite what a later claim of the same send decided.
 */

/** A claimed send, as its outcome names it. */
export interface Claim {
  id: number;
  lease: Date;
}

const claimRows = <T extends Claim>(rows: T[], extra: (r: T) => Record<string, unknown> = () => ({})) =>
  recordset(rows.map((r) => ({ id: r.id, lease: r.lease.toISOString(), ...extra(r) })));
const ofClaim = sql`s.id = v.id and s.status = 'sending' and s.lease_until = v.lease`;

/**
 * Provider accepted: `sent` with its message id. `reason` is kept: on a sent row it says why
 * the send was held before it went (quiet hours, a blackout, a cap), which the simulate timeline
 * and operators read. A row the outbox already marked `sent` in its own transaction is left as is.
 */
export async function markSent(tx: Tx, rows: Array<Claim & { providerMessageId: string }>, now: Date): Promise<void> {
  if (rows.length === 0) return;
  // The `sent` count of engagement_daily moves in the same statement (./engagement.ts).
  await updateCountingSent(
    tx,
    sql`
    update sends s set status = 'sent', provider_message_id = v.pid, sent_at = ${ts(now)}, settled_at = ${ts(now)},
      lease_until = null, last_error = null
    from ${claimRows(rows, (r) => ({ pid: r.providerMessageId }))} as v(id bigint, lease timestamptz, pid text)
    where ${ofClaim}
    returning s.campaign, s.sent_at`,
  );
}

/** The outbox's half of its transaction: `sent`, in the same commit as the stored message. False: the claim is gone. */
export async function markSentByClaim(tx: Tx, row: Claim & { providerMessageId: string }, now: Date): Promise<boolean> {
  const n = await updateCountingSent(
    tx,
    sql`
      update sends set status = 'sent', provider_message_id = ${row.providerMessageId}, sent_at = ${ts(now)}, settled_at = ${ts(now)},
        lease_until = null, last_error = null
      where id = ${row.id} and status = 'sending' and lease_until = ${ts(row.lease)}
      returning campaign, sent_at`,
  );
  return n === 1;
}

/**
 * Final without a message: `failed` (bad address, render error, refused, gave up), `suppressed`
 * (no consent, suppressed address) or `cancelled` (the run ended before the send was handed over).
 */
export async function settleSends(
  tx: Tx,
  status: 'failed' | 'suppressed' | 'cancelled',
  rows: Array<Claim & { reason: string; error?: string }>,
  now: Date,
): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(sql`
    update sends s set status = ${status}, reason = v.reason, last_error = coalesce(v.error, s.last_error),
      settled_at = ${ts(now)}, lease_until = null
    from ${claimRows(rows, (r) => ({ reason: r.reason, error: r.error ?? null }))} as v(id bigint, lease timestamptz, reason text, error text)
    where ${ofClaim}`);
}

/**
 * The provider gave no answer after the request may have gone out: `unknown`, never claimed
 * again (the provider's delivery notification, tagged with the send id, settles it).
 */
export async function markUnknown(tx: Tx, rows: Array<Claim & { error: string }>, now: Date): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(sql`
    update sends s set status = 'unknown', reason = 'no answer from the provider: delivery unknown', last_error = v.error,
      lease_until = null, settled_at = ${ts(now)}
    from ${claimRows(rows, (r) => ({ error: r.error }))} as v(id bigint, lease timestamptz, error text)
    where ${ofClaim}`);
}

/**
 * Back to `queued` with the error kept: at its backoff time after a transient failure, or
 * (`notBefore` absent) where it was, when the account is paused.
 */
export async function requeueSends(tx: Tx, rows: Array<Claim & { notBefore?: Date; error: string }>): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(sql`
    update sends s set status = 'queued', not_before = coalesce(v.not_before, s.not_before), last_error = v.error,
      lease_until = null
    from ${claimRows(rows, (r) => ({ not_before: r.notBefore?.toISOString() ?? null, error: r.error }))}
      as v(id bigint, lease timestamptz, not_before timestamptz, error text)
    where ${ofClaim}`);
}

/**
 * The gate said "not yet" (quiet hours, caps): `deferred` until then. The claim's attempt is
 * given back, since no provider was called and waiting must not use up retries.
 */
export async function deferSends(tx: Tx, rows: Array<Claim & { until: Date; reason: string }>): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(sql`
    update sends s set status = 'deferred', not_before = v.until, reason = v.reason, lease_until = null,
      attempts = greatest(s.attempts - 1, 0)
    from ${claimRows(rows, (r) => ({ until: r.until.toISOString(), reason: r.reason }))}
      as v(id bigint, lease timestamptz, until timestamptz, reason text)
    where ${ofClaim}`);
}

/** Claimed but not attempted (paused or rate-limited mid-batch): back to `queued` exactly as before. */
export async function releaseSends(tx: Tx, rows: Claim[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(sql`
    update sends s set status = 'queued', lease_until = null, handed_at = null, attempts = greatest(s.attempts - 1, 0)
    from ${claimRows(rows)} as v(id bigint, lease timestamptz)
    where ${ofClaim}`);
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

/**
 * Runs waiting for one of these sends to settle (phase `sending` at its step) continue: they are
 * due at `now`, and `wakeAt` records the settle time their next wait counts from.
 */
export async function wakeRunsAwaitingSends(tx: Tx, sendIds: number[], now: Date): Promise<void> {
  if (sendIds.length === 0) return;
  await tx.execute(sql`
    update runs r set next_wake_at = ${ts(now)}, state = jsonb_set(r.state, '{wakeAt}', to_jsonb(${now.toISOString()}::text)),
      updated_at = ${ts(now)}
    from sends s
    where s.id = any(${idArray(sendIds)}) and r.id = s.run_id and r.status = 'active'
      and r.state->>'phase' = 'sending' and r.state->>'at' = s.step_key`);
}
