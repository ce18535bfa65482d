import { sql } from 'drizzle-orm';
import type { EventFact } from '../dsl/condition';
import type { Tx } from './db';
import { rowsOf, ts } from './sql-values';
import { triggerSkips } from './schema/index';

export interface ClaimedEvent extends EventFact {
  id: number;
  dedupeKey: string;
  contactId: number | null;
  /** When it arrived: its age then (`receivedAt − occurredAt`) decides whether a trigger's `within` still allows it. */
  receivedAt: Date;
}

/**
 * Claim unprocessed events in arrival order, locked for this transaction (SKIP LOCKED shares
 * them between workers). An event is handed out only when every earlier unprocessed event of its
 * contact is in this same claim: one held by another worker makes it wait for a later tick. So
 * a contact's events are always handled in order, even across workers, and an `order.created`
 * can never overtake the `checkout.started` before it (a buyer never gets the cart reminder
 * because two workers raced). Events left out stay locked until this transaction ends, then
 * the next tick takes them.
 */
export async function claimUnprocessedEvents(tx: Tx, options: { limit: number; now: Date }): Promise<ClaimedEvent[]> {
  const rows = rowsOf<{
    id: string | number;
    dedupe_key: string;
    type: string;
    contact_id: string | number | null;
    properties: Record<string, unknown>;
    occurred_at: string | Date;
    received_at: string | Date;
  }>(
    await tx.execute(sql`
      with claimed as (
        select e.id from events e
        where e.processed_at is null and e.received_at <= ${ts(options.now)}
        order by e.id limit ${options.limit}
        for update skip locked)
      select e.id, e.dedupe_key, e.type, e.contact_id, e.properties, e.occurred_at, e.received_at
      from events e join claimed using (id)
      where not exists (
        select 1 from events p
        where p.processed_at is null and p.contact_id = e.contact_id and p.id < e.id
          and p.id not in (select id from claimed))
      order by e.id`),
  );
  return rows.map((r) => ({
    id: Number(r.id),
    dedupeKey: r.dedupe_key,
    type: r.type,
    contactId: r.contact_id === null ? null : Number(r.contact_id),
    properties: r.properties,
    occurredAt: new Date(r.occurred_at),
    receivedAt: new Date(r.received_at),
  }));
}

/** Record triggers that matched an event too old to start a run (one statement; a repeat is ignored). */
export async function insertTriggerSkips(
  tx: Tx,
  rows: Array<{ campaign: string; contactId: number; eventId: number; reason: string }>,
  now: Date,
): Promise<void> {
  if (rows.length === 0) return;
  await tx
    .insert(triggerSkips)
    .values(rows.map((r) => ({ ...r, skippedAt: now })))
    .onConflictDoNothing();
}
