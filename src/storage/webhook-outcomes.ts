import { sql } from 'drizzle-orm';
import type { Tx } from './db';
import { recordset } from './sends';
import { idArray, rowsOf, ts } from './sql-values';

/**
 * The writes that settle a webhooks batch, one statement per kind (src/scheduler/webhooks-phase.ts
 * runs them in one transaction). Every row carries its claim's `lease`: a row changes only while
 * that claim still holds it, so a worker that outlived its lease (another one has since claimed
 * the call again) can never overwrite what the later claim decided.
 */

export interface WebhookClaim {
  id: number;
  lease: Date;
}

const claimRows = <T extends WebhookClaim>(rows: T[], extra: (r: T) => Record<string, unknown> = () => ({})) =>
  recordset(rows.map((r) => ({ id: r.id, lease: r.lease.toISOString(), ...extra(r) })));
const ofClaim = sql`w.id = v.id and w.status = 'calling' and w.lease_until = v.lease`;
const ids = (result: unknown) => rowsOf<{ id: string | number }>(result).map((r) => Number(r.id));

/**
 * A 2xx answer: `delivered`, with its status. `reason` is kept (why the call was held before it
 * went). Like every final write here, returns the ids it changed: only those wake their runs.
 */
export async function markDelivered(tx: Tx, rows: Array<WebhookClaim & { responseStatus: number }>, now: Date): Promise<number[]> {
  if (rows.length === 0) return [];
  return ids(
    await tx.execute(sql`
    update webhook_calls w set status = 'delivered', response_status = v.status, delivered_at = ${ts(now)}, settled_at = ${ts(now)},
      lease_until = null, last_error = null
    from ${claimRows(rows, (r) => ({ status: r.responseStatus }))} as v(id bigint, lease timestamptz, status int)
    where ${ofClaim}
    returning w.id`),
  );
}

/** Final without a delivery: `failed` (refused, gave up, could not be made), `suppressed` (gate) or `cancelled` (run ended). */
export async function settleWebhookCalls(
  tx: Tx,
  status: 'failed' | 'suppressed' | 'cancelled',
  rows: Array<WebhookClaim & { reason: string; error?: string; responseStatus?: number }>,
  now: Date,
): Promise<number[]> {
  if (rows.length === 0) return [];
  return ids(
    await tx.execute(sql`
    update webhook_calls w set status = ${status}, reason = v.reason, last_error = coalesce(v.error, w.last_error),
      response_status = coalesce(v.status, w.response_status), settled_at = ${ts(now)}, lease_until = null
    from ${claimRows(rows, (r) => ({ reason: r.reason, error: r.error ?? null, status: r.responseStatus ?? null }))}
      as v(id bigint, lease timestamptz, reason text, error text, status int)
    where ${ofClaim}
    returning w.id`),
  );
}

/** Transient failure (5xx, 408, 429, timeout, network): back to `queued` at its backoff time, the error kept. */
export async function requeueWebhookCalls(
  tx: Tx,
  rows: Array<WebhookClaim & { notBefore: Date; error: string; responseStatus?: number }>,
): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(sql`
    update webhook_calls w set status = 'queued', not_before = v.not_before, last_error = v.error,
      response_status = v.status, lease_until = null
    from ${claimRows(rows, (r) => ({ not_before: r.notBefore.toISOString(), error: r.error, status: r.responseStatus ?? null }))}
      as v(id bigint, lease timestamptz, not_before timestamptz, error text, status int)
    where ${ofClaim}`);
}

/** The gate said "not yet" (quiet hours, blackout): `deferred` until then, the claim's attempt given back (no call was made). */
export async function deferWebhookCalls(tx: Tx, rows: Array<WebhookClaim & { until: Date; reason: string }>): Promise<void> {
  if (rows.length === 0) return;
  await tx.execute(sql`
    update webhook_calls w set status = 'deferred', not_before = v.until, reason = v.reason, lease_until = null,
      attempts = greatest(w.attempts - 1, 0)
    from ${claimRows(rows, (r) => ({ until: r.until.toISOString(), reason: r.reason }))}
      as v(id bigint, lease timestamptz, until timestamptz, reason text)
    where ${ofClaim}`);
}

/**
 * Runs waiting for one of these calls (phase `sending` at its step) continue: due at `now`, with
 * `wakeAt` the settle time their next wait counts from.
 */
export async function wakeRunsAwaitingWebhookCalls(tx: Tx, callIds: number[], now: Date): Promise<void> {
  if (callIds.length === 0) return;
  await tx.execute(sql`
    update runs r set next_wake_at = ${ts(now)}, state = jsonb_set(r.state, '{wakeAt}', to_jsonb(${now.toISOString()}::text)),
      updated_at = ${ts(now)}
    from webhook_calls w
    where w.id = any(${idArray(callIds)}) and r.id = w.run_id and r.status = 'active'
      and r.state->>'phase' = 'sending' and r.state->>'at' = w.step_key`);
}
