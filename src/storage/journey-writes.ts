import { sql } from 'drizzle-orm';
import type { Tx } from './db';
import type { SendFields } from './sends';
import { idArray, rowsOf, ts } from './sql-values';
import { sends } from './schema/index';

export interface NewSend extends SendFields {
  notBefore: Date;
  createdAt: Date;
}

/**
 * Queue sends in one statement. `unique(run_id, step_key)` makes this the exactly-once point:
 * a step that is somehow executed twice for a run still queues one message.
 */
export async function insertSends(tx: Tx, rows: NewSend[]): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await tx
    .insert(sends)
    .values(rows.map((r) => ({ ...r, status: 'queued' as const })))
    .onConflictDoNothing({ target: [sends.runId, sends.stepKey] })
    .returning({ id: sends.id });
  return inserted.length;
}

/** Merge attributes into contacts (`update:` steps), one statement for the batch. */
export async function mergeContactAttributes(
  tx: Tx,
  rows: Array<{ contactId: number; attributes: Record<string, unknown> }>,
  now: Date,
): Promise<void> {
  if (rows.length === 0) return;
  const values = sql.join(
    rows.map((r, i) => sql`(${r.contactId}::bigint, ${JSON.stringify(r.attributes)}::jsonb, ${i}::int)`),
    sql`, `,
  );
  // Several updates of one contact in a batch apply in order: aggregate them first.
  await tx.execute(sql`
    with v(contact_id, attrs, ord) as (values ${values}),
    merged as (
      select contact_id, jsonb_object_agg(key, value order by ord) as attrs from v, jsonb_each(v.attrs) group by contact_id)
    update contacts set attributes = contacts.attributes || merged.attrs, updated_at = ${ts(now)}
    from merged where contacts.id = merged.contact_id`);
}

/** Mark events as seen by triggers. */
export async function markEventsProcessed(tx: Tx, ids: number[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await tx.execute(sql`update events set processed_at = ${ts(now)} where id = any(${idArray(ids)})`);
}

/**
 * A send belongs to its run: the sends still waiting (queued, or held as deferred) of runs that
 * have ended become `cancelled`, with the run's end as the reason (`run exited: exit_on:order.created`).
 * Called in the transaction that ends the runs — a step's exit, a migration's `step_removed` —
 * so no later claim can find them. Sends already claimed are stopped at hand-over instead
 * (src/storage/sends.ts `handOver`). Returns the ids cancelled.
 */
export async function cancelSendsOfEndedRuns(tx: Tx, runIds: number[], now: Date): Promise<number[]> {
  if (runIds.length === 0) return [];
  const rows = rowsOf<{ id: string | number }>(
    await tx.execute(sql`
      update sends s set status = 'cancelled', settled_at = ${ts(now)}, lease_until = null,
        reason = 'run ' || r.status || ': ' || coalesce(r.exit_reason, r.status)
      from runs r
      where r.id = any(${idArray(runIds)}) and s.run_id = r.id and r.status <> 'active' and s.status in ('queued', 'deferred')
      returning s.id`),
  );
  return rows.map((r) => Number(r.id));
}

/**
 * Runs waiting (phase `sending`) on a send that is already settled go on at once: due at `now`,
 * `wakeAt` the send's settle time. Only a replayed step meets this (its send row already existed).
 */
export async function wakeRunsWithSettledSends(tx: Tx, runIds: number[], now: Date): Promise<void> {
  if (runIds.length === 0) return;
  await tx.execute(sql`
    update runs r set next_wake_at = ${ts(now)},
      state = jsonb_set(r.state, '{wakeAt}', to_jsonb(to_char(coalesce(s.sent_at, s.settled_at, ${ts(now)}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))
    from sends s
    where r.id = any(${idArray(runIds)}) and r.status = 'active' and r.state->>'phase' = 'sending'
      and s.run_id = r.id and s.step_key = r.state->>'at' and s.status in ('sent', 'failed', 'suppressed', 'unknown', 'cancelled')`);
}
