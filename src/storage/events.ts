import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Tx } from './db';
import { events } from './schema/index';
import { rowsOf } from './sql-values';
import { unnestInsert } from './unnest';

export interface EventInsert {
  dedupeKey: string;
  type: string;
  contactId: number;
  properties: Record<string, unknown>;
  occurredAt: Date;
  receivedAt: Date;
  source: string;
}

/**
 * Insert events in ONE statement; a row whose `dedupe_key` is already stored (or is being
 * stored by a concurrent transaction, which this waits for) is skipped by the unique index, not
 * by a read beforehand. Returns the rows that were new, with their ids. Keys must be distinct
 * within one call. `processed_at` stays null: the trigger phase of `tick` picks them up.
 */
export async function insertEvents(tx: Tx, rows: EventInsert[]): Promise<Array<{ id: number; dedupeKey: string }>> {
  if (rows.length === 0) return [];
  const insert = unnestInsert(events, ['dedupeKey', 'type', 'contactId', 'properties', 'occurredAt', 'receivedAt', 'source'], rows);
  const stored = rowsOf<{ id: string; dedupe_key: string }>(
    await tx.execute(sql`${insert} on conflict (dedupe_key) do nothing returning id::text as id, dedupe_key`),
  );
  return stored.map((r) => ({ id: Number(r.id), dedupeKey: r.dedupe_key }));
}

/** Ids of stored events by dedupe key (to answer a duplicate delivery with the original id). */
export async function findEventIds(tx: Tx, dedupeKeys: string[]): Promise<Array<{ id: number; dedupeKey: string }>> {
  if (dedupeKeys.length === 0) return [];
  return tx.select({ id: events.id, dedupeKey: events.dedupeKey }).from(events).where(inArray(events.dedupeKey, dedupeKeys));
}

/** A contact's newest event of `type` (by occurred_at, then id), or undefined. */
export async function latestEventOfType(
  tx: Tx,
  contactId: number,
  type: string,
): Promise<{ type: string; properties: Record<string, unknown> } | undefined> {
  const [row] = await tx
    .select({ type: events.type, properties: events.properties })
    .from(events)
    .where(and(eq(events.contactId, contactId), eq(events.type, type)))
    .orderBy(desc(events.occurredAt), desc(events.id))
    .limit(1);
  return row;
}
