import { and, asc, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Tx } from './db';
import { events } from './schema/index';
import { rowsOf } from './sql-values';

/**
 * What `almanac simulate` reads, after the clock stopped, to say why a contact did not enter a
 * campaign (src/simulate/not-entered.ts): who is there, what happened to them, which segments
 * hold them. Contacts are named as the timeline names them (external id, else email, else `#id`).
 */

export interface SimulatedContact {
  id: number;
  name: string;
  timezone: string | null;
}

/** Every contact not erased, by id. */
export async function readSimulatedContacts(tx: Tx): Promise<SimulatedContact[]> {
  const rows = rowsOf<SimulatedContact>(
    await tx.execute(sql`
      select id, coalesce(external_id, email, '#' || id) as name, timezone from contacts where erased_at is null order by id`),
  );
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

export interface SimulatedEvent {
  contactId: number;
  type: string;
  occurredAt: Date;
  receivedAt: Date;
  properties: Record<string, unknown>;
}

/** The contacts' events of `types`, oldest first. */
export async function readEventsOfTypes(tx: Tx, types: string[]): Promise<SimulatedEvent[]> {
  if (types.length === 0) return [];
  const rows = await tx
    .select({
      contactId: events.contactId,
      type: events.type,
      occurredAt: events.occurredAt,
      receivedAt: events.receivedAt,
      properties: events.properties,
    })
    .from(events)
    .where(and(isNotNull(events.contactId), inArray(events.type, types)))
    .orderBy(asc(events.occurredAt), asc(events.id));
  return rows.flatMap((r) => (r.contactId === null ? [] : [{ ...r, contactId: r.contactId }]));
}

/** Segment memberships now: (segment, contact) → when the contact entered. */
export async function readSegmentMemberships(tx: Tx): Promise<Array<{ segment: string; contactId: number; enteredAt: Date }>> {
  const rows = rowsOf<{ segment: string; contact_id: number; entered_at: string | Date }>(
    await tx.execute(sql`select segment, contact_id, entered_at from segment_memberships order by segment, contact_id`),
  );
  return rows.map((r) => ({ segment: r.segment, contactId: Number(r.contact_id), enteredAt: new Date(r.entered_at) }));
}
