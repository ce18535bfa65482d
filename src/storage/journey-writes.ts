import { sql } from 'drizzle-orm';
import type { Tx } from './db';
import type { SendFields } from './sends';
import { idArray, ts } from './sql-values';
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
