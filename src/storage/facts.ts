import { and, asc, eq, gt, inArray, isNull, lte } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Condition, ContactFacts, EventFact, Facts } from '../dsl/condition';
import { toSql } from './conditions/sql';
import type { Tx } from './db';
import { currentConsent } from './consent';
import { contacts, customerMetrics, events } from './schema/index';

/**
 * The two ways a condition meets the tables: `selectMatchingContactIds` asks PostgreSQL (audiences,
 * segment passes over many contacts), `loadFacts` reads what `evaluate` needs for many contacts at
 * once (branches). Both take `now` so a virtual clock gives the same answers.
 */

const c = alias(contacts, 'c');

/**
 * Ids of contacts matching `condition`, ascending, after `afterId` (keyset pagination: pass the
 * last id of a page to get the next), at most `limit` (default 1000). Erased contacts never match.
 */
export async function selectMatchingContactIds(
  tx: Tx,
  condition: Condition,
  options: { now: Date; trigger?: Record<string, unknown>; afterId?: number; limit?: number },
): Promise<number[]> {
  const rows = await tx
    .select({ id: c.id })
    .from(c)
    .where(and(gt(c.id, options.afterId ?? 0), isNull(c.erasedAt), toSql(condition, options)))
    .orderBy(asc(c.id))
    .limit(options.limit ?? 1000);
  return rows.map((r) => r.id);
}

/**
 * Facts for many contacts in three statements (contacts, their events at or before `now`
 * — only of `eventTypes` when given —, their current consent). Pass a page of ids (thousands,
 * not millions: the ids are bound parameters). Unknown ids are absent from the map.
 */
export async function loadFacts(tx: Tx, contactIds: number[], options: { now: Date; eventTypes?: string[] }): Promise<Map<number, Facts>> {
  const facts = new Map<number, Facts>();
  if (contactIds.length === 0) return facts;
  for (const contact of await selectContactFacts(tx, contactIds)) facts.set(contact.id, { contact, events: [], consent: {} });
  if (facts.size === 0) return facts;
  const ids = [...facts.keys()];
  for (const e of await selectEventFacts(tx, ids, options.now, options.eventTypes)) {
    facts.get(e.contactId)?.events.push({ type: e.type, occurredAt: e.occurredAt, properties: e.properties });
  }
  for (const r of await currentConsent(tx, ids, { asOf: options.now })) {
    const f = facts.get(r.contactId);
    if (f) f.consent[r.purpose] = r.granted;
  }
  return facts;
}

async function selectContactFacts(tx: Tx, ids: number[]): Promise<ContactFacts[]> {
  const rows = await tx
    .select({
      id: contacts.id,
      external_id: contacts.externalId,
      email: contacts.email,
      timezone: contacts.timezone,
      locale: contacts.locale,
      lifecycle_stage: contacts.lifecycleStage,
      created_at: contacts.createdAt,
      attributes: contacts.attributes,
      customer: customerMetrics.doc,
    })
    .from(contacts)
    .leftJoin(customerMetrics, eq(customerMetrics.contactId, contacts.id))
    .where(inArray(contacts.id, ids));
  return rows.map(({ customer, ...r }) => (customer ? { ...r, customer } : r));
}

async function selectEventFacts(
  tx: Tx,
  ids: number[],
  now: Date,
  types: string[] | undefined,
): Promise<Array<EventFact & { contactId: number }>> {
  if (types !== undefined && types.length === 0) return [];
  const rows = await tx
    .select({ contactId: events.contactId, type: events.type, occurredAt: events.occurredAt, properties: events.properties })
    .from(events)
    .where(and(inArray(events.contactId, ids), lte(events.occurredAt, now), types ? inArray(events.type, types) : undefined));
  return rows.flatMap((r) => (r.contactId === null ? [] : [{ ...r, contactId: r.contactId }]));
}
