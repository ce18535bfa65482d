import { sql } from 'drizzle-orm';
import type { Db } from '../../../src/storage/db';
import type { Facts } from '../../../src/dsl/condition';
import { consentRecords, contacts, events } from '../../../src/storage/schema/index';

/** A contact with its history, as the condition tests write it into the database. */
export interface SeedContact {
  externalId: string | null;
  email: string | null;
  timezone: string | null;
  locale: string | null;
  lifecycleStage: string | null;
  createdAt: Date;
  attributes: Record<string, unknown>;
  events: Array<{ type: string; occurredAt: Date; properties: Record<string, unknown> }>;
  /** Ledger rows in insertion order (a later row wins a tie on occurredAt). */
  consent: Array<{ purpose: string; granted: boolean; occurredAt: Date }>;
}

let dedupe = 0;

/** Empty the three tables conditions read (one population per property run). */
export async function clearPopulation(db: Db): Promise<void> {
  await db.execute(sql`delete from events`);
  await db.execute(sql`delete from consent_records`);
  await db.execute(sql`delete from contacts`);
}

/** Insert `people` with their events and consent; returns their ids, in order. */
export async function seedPopulation(db: Db, people: SeedContact[]): Promise<number[]> {
  if (people.length === 0) return [];
  const rows = await db
    .insert(contacts)
    .values(people.map(({ events: _e, consent: _c, ...p }) => p))
    .returning({ id: contacts.id });
  const ids = rows.map((r) => r.id);
  const eventRows = people.flatMap((p, i) =>
    p.events.map((e) => ({ ...e, contactId: ids[i]!, dedupeKey: `k${(dedupe += 1)}`, source: 'test' })),
  );
  if (eventRows.length > 0) await db.insert(events).values(eventRows);
  const consentRows = people.flatMap((p, i) => p.consent.map((r) => ({ ...r, contactId: ids[i]!, source: 'test' })));
  if (consentRows.length > 0) await db.insert(consentRecords).values(consentRows);
  return ids;
}

/** The facts `loadFacts` must read back for `p` (computed here without the database). */
export function expectedFacts(p: SeedContact, id: number, now: Date): Facts {
  const consent: Record<string, boolean> = {};
  const newest: Record<string, number> = {};
  for (const r of p.consent) {
    const t = r.occurredAt.getTime();
    if (t > now.getTime() || t < (newest[r.purpose] ?? -Infinity)) continue;
    newest[r.purpose] = t;
    consent[r.purpose] = r.granted;
  }
  return {
    contact: {
      id,
      external_id: p.externalId,
      email: p.email,
      timezone: p.timezone,
      locale: p.locale,
      lifecycle_stage: p.lifecycleStage,
      created_at: p.createdAt,
      attributes: p.attributes,
    },
    events: p.events.filter((e) => e.occurredAt.getTime() <= now.getTime()),
    consent,
  };
}
