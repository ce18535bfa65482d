import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { ingestEvents } from '../../src/events/ingest';
import type { IngestEvent } from '../../src/events/types';
import { backend, useTestDatabase } from '../helpers/db';
import { query } from '../helpers/engine';

/**
 * Contacts issue, identity under concurrency (meaningful on PostgreSQL, where the batches really
 * run at once; PGlite serialises them): writes naming one new identifier from many connections
 * make one contact; writes that each link a different id to one Shopify customer all end on one
 * contact, every event kept, each merge recorded once.
 */
const t = useTestDatabase('contacts_identity_race');
const now = new Date('2026-11-23T10:00:00Z');
const ev = (key: string, contact: IngestEvent['contact']): IngestEvent => ({
  dedupeKey: key,
  type: 'page.viewed',
  occurredAt: now,
  contact,
  properties: {},
});
const SHOP = 'race.myshopify.com';

describe(`identity under concurrency on ${backend}`, () => {
  it('ten writes naming one new Shopify customer, each with its own application id, make one contact known by all', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        ingestEvents(t.database.db, [ev(`race-new-${i}`, { externalId: `app-${i}`, identifiers: [`shopify:${SHOP}:1`] })], {
          source: 'api',
          now,
        }),
      ),
    );
    expect(results.every((r) => r.accepted === 1)).toBe(true);
    const owners = await query<{ n: number }>(
      t.database,
      sql`select count(distinct contact_id)::int as n from contact_identifiers where identifier like 'external:app:app-%' or identifier = ${`shopify:${SHOP}:1`}`,
    );
    expect(owners).toEqual([{ n: 1 }]);
    const events = await query<{ n: number }>(
      t.database,
      sql`select count(distinct contact_id)::int as n from events where dedupe_key like 'race-new-%'`,
    );
    expect(events).toEqual([{ n: 1 }]);
  });

  it('ten existing contacts linked to one address at once merge into one, events kept, one merge each', async () => {
    for (let i = 0; i < 10; i++)
      await ingestEvents(t.database.db, [ev(`race-old-${i}`, { externalId: `old-${i}` })], { source: 'api', now });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        ingestEvents(t.database.db, [ev(`race-link-${i}`, { externalId: `old-${i}`, email: 'race-all@example.com' })], {
          source: 'api',
          now,
        }),
      ),
    );
    expect(results.every((r) => r.accepted === 1)).toBe(true);
    const [{ n }] = (await query<{ n: number }>(
      t.database,
      sql`select count(distinct contact_id)::int as n from contact_identifiers where identifier like 'external:app:old-%' or identifier = 'email:race-all@example.com'`,
    )) as [{ n: number }];
    expect(n).toBe(1);
    const [{ e }] = (await query<{ e: number }>(
      t.database,
      sql`select count(*)::int as e from events e join contact_identifiers i on i.contact_id = e.contact_id and i.identifier = 'email:race-all@example.com'
          where e.dedupe_key like 'race-old-%' or e.dedupe_key like 'race-link-%'`,
    )) as [{ e: number }];
    expect(e).toBe(20);
    const [{ m }] = (await query<{ m: number }>(
      t.database,
      sql`select count(*)::int as m from contact_merges where via ? 'email:race-all@example.com'`,
    )) as [{ m: number }];
    expect(m).toBe(9);
  });
});
