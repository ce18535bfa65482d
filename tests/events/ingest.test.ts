import { eq, like } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { currentConsent } from '../../src/storage/consent';
import { ingestEvents } from '../../src/events/ingest';
import type { IngestEvent } from '../../src/events/types';
import { contacts, events, orders } from '../../src/storage/schema/index';
import { backend, useTestDatabase } from '../helpers/db';

const t = useTestDatabase('events_ingest');
const now = new Date('2026-11-23T10:00:00Z');
const ev = (
  dedupeKey: string,
  contact: IngestEvent['contact'],
  type = 'page.viewed',
  properties: Record<string, unknown> = {},
): IngestEvent => ({
  dedupeKey,
  type,
  occurredAt: now,
  contact,
  properties,
});
const contactBy = async (externalId: string) => (await t.database.db.select().from(contacts).where(eq(contacts.externalId, externalId)))[0];

describe(`ingestEvents on ${backend}`, () => {
  it('stores new events unprocessed and answers a repeat as a duplicate with the original id', async () => {
    const first = await ingestEvents(t.database.db, [ev('i-1', { externalId: 'c-1' })], { source: 'api', now });
    expect(first).toMatchObject({ accepted: 1, duplicates: 0, events: [{ index: 0, id: 'i-1', duplicate: false }] });
    const again = await ingestEvents(t.database.db, [ev('i-1', { externalId: 'c-1' })], { source: 'api', now });
    expect(again).toEqual({
      accepted: 0,
      duplicates: 1,
      events: [{ index: 0, id: 'i-1', eventId: first.events[0]!.eventId, duplicate: true }],
    });
    const stored = await t.database.db.select().from(events).where(eq(events.dedupeKey, 'i-1'));
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ processedAt: null, source: 'api', receivedAt: now });
  });

  it('counts a key repeated inside one batch once', async () => {
    const r = await ingestEvents(t.database.db, [ev('i-2', { externalId: 'c-1' }), ev('i-2', { externalId: 'c-1' })], {
      source: 'api',
      now,
    });
    expect(r.events.map((e) => e.duplicate)).toEqual([false, true]);
    expect(r.events[0]!.eventId).toBe(r.events[1]!.eventId);
  });

  it('upserts contacts by external id, merging attributes and keeping fields not given', async () => {
    await ingestEvents(
      t.database.db,
      [
        ev('i-3', {
          externalId: 'c-3',
          email: 'three@example.com',
          timezone: 'Europe/Warsaw',
          attributes: { plan: 'free', city: 'Kraków' },
        }),
      ],
      { source: 'api', now },
    );
    await ingestEvents(t.database.db, [ev('i-4', { externalId: 'c-3', locale: 'pl', attributes: { plan: 'pro' } })], {
      source: 'api',
      now,
    });
    expect(await contactBy('c-3')).toMatchObject({
      email: 'three@example.com',
      timezone: 'Europe/Warsaw',
      locale: 'pl',
      attributes: { plan: 'pro', city: 'Kraków' },
    });
  });

  it('matches by email when there is no external id, and a later id is adopted by that contact', async () => {
    const a = await ingestEvents(t.database.db, [ev('i-5', { email: 'five@example.com' })], { source: 'api', now });
    const b = await ingestEvents(t.database.db, [ev('i-6', { externalId: 'c-5', email: 'five@example.com' })], { source: 'api', now });
    const [rowA] = await t.database.db.select().from(events).where(eq(events.id, a.events[0]!.eventId));
    const [rowB] = await t.database.db.select().from(events).where(eq(events.id, b.events[0]!.eventId));
    expect(rowA!.contactId).toBe(rowB!.contactId);
    expect((await contactBy('c-5'))!.email).toBe('five@example.com');
  });

  it('with MERGE_ON_EMAIL off, never moves an email already owned by another external id', async () => {
    const mergePolicy = { onEmail: false, sources: new Set(['api']) };
    await ingestEvents(t.database.db, [ev('i-7', { externalId: 'c-7', email: 'seven@example.com' })], { source: 'api', now, mergePolicy });
    const r = await ingestEvents(t.database.db, [ev('i-8', { externalId: 'c-8', email: 'seven@example.com' })], {
      source: 'api',
      now,
      mergePolicy,
    });
    expect((await contactBy('c-7'))!.email).toBe('seven@example.com');
    expect((await contactBy('c-8'))!.email).toBeNull();
    expect(r.warnings).toMatchObject([{ index: 0, field: 'contact.email', code: 'email_conflict', held_by: 'c-7' }]);
  });

  it('by default, two external ids with one email are one person: the second joins the first', async () => {
    await ingestEvents(t.database.db, [ev('i-7b', { externalId: 'c-7b', email: 'seven.b@example.com' })], { source: 'api', now });
    const r = await ingestEvents(t.database.db, [ev('i-8b', { externalId: 'c-8b', email: 'seven.b@example.com' })], { source: 'api', now });
    expect(r.warnings).toBeUndefined();
    const [row] = await t.database.db.select().from(events).where(eq(events.dedupeKey, 'i-8b'));
    expect(row!.contactId).toBe((await contactBy('c-7b'))!.id);
    expect(await contactBy('c-8b')).toBeUndefined();
  });

  it('merges the events of one contact in a batch into one contact row', async () => {
    const r = await ingestEvents(
      t.database.db,
      [
        ev('i-9', { email: 'nine@example.com', attributes: { a: 1 } }),
        ev('i-10', { externalId: 'c-9', email: 'nine@example.com', attributes: { b: 2 } }),
      ],
      { source: 'api', now },
    );
    const rows = await t.database.db.select().from(events).where(eq(events.dedupeKey, 'i-9'));
    expect(await contactBy('c-9')).toMatchObject({ id: rows[0]!.contactId, attributes: { a: 1, b: 2 } });
    expect(r.accepted).toBe(2);
  });

  it('appends consent events to the ledger, newest per purpose deciding', async () => {
    const consent = (key: string, type: string, at: string) => ({
      ...ev(key, { externalId: 'c-10' }, type, {
        purpose: 'email.marketing',
        text: 'Send me news',
        text_version: 'v2',
        ip: '203.0.113.9',
        user_agent: 'Firefox',
      }),
      occurredAt: new Date(at),
    });
    await ingestEvents(t.database.db, [consent('i-11', 'consent.granted', '2026-11-01T00:00:00Z')], { source: 'api', now });
    const id = (await contactBy('c-10'))!.id;
    expect(await currentConsent(t.database.db, [id], { purposes: ['email.marketing'] })).toMatchObject([
      { contactId: id, granted: true, source: 'api' },
    ]);
    await ingestEvents(t.database.db, [consent('i-12', 'consent.withdrawn', '2026-11-02T00:00:00Z')], { source: 'api', now });
    expect(await currentConsent(t.database.db, [id])).toMatchObject([{ purpose: 'email.marketing', granted: false }]);
    // A replay of the grant adds nothing: only new events reach the ledger.
    await ingestEvents(t.database.db, [consent('i-11', 'consent.granted', '2026-11-01T00:00:00Z')], { source: 'api', now });
    expect(await currentConsent(t.database.db, [id])).toMatchObject([{ granted: false }]);
  });

  it('writes an orders row for a new order.created, once', async () => {
    const order = ev('i-13', { externalId: 'c-13' }, 'order.created', {
      order_id: 1042,
      checkout_id: 'k-9',
      total: 129.5,
      currency: 'eur',
      items: [{ title: 'Mug' }],
    });
    await ingestEvents(t.database.db, [order], { source: 'shop', now });
    await ingestEvents(t.database.db, [order], { source: 'shop', now });
    const rows = await t.database.db.select().from(orders).where(eq(orders.orderId, '1042'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source: 'shop', checkoutId: 'k-9', total: '129.50', currency: 'EUR', items: [{ title: 'Mug' }] });
  });

  it('stores the same event delivered 10× at once exactly once, with one contact', async () => {
    const delivery = () =>
      ingestEvents(
        t.database.db,
        [
          ev('i-14', { externalId: 'c-14', email: 'fourteen@example.com' }, 'order.created', {
            order_id: 'o-14',
            total: 10,
            currency: 'EUR',
          }),
        ],
        { source: 'api', now },
      );
    const results = await Promise.all(Array.from({ length: 10 }, delivery));
    expect(results.filter((r) => r.accepted === 1)).toHaveLength(1);
    expect(new Set(results.map((r) => r.events[0]!.eventId)).size).toBe(1);
    expect(await t.database.db.select().from(events).where(eq(events.dedupeKey, 'i-14'))).toHaveLength(1);
    expect(await t.database.db.select().from(orders).where(eq(orders.orderId, 'o-14'))).toHaveLength(1);
    expect(await t.database.db.select().from(contacts).where(eq(contacts.email, 'fourteen@example.com'))).toHaveLength(1);
  });

  it('concurrent batches over overlapping new contacts all succeed, each contact stored once', async () => {
    // Each batch names the same 5 people, some by id and email, some by email only, in a different order.
    const people = [0, 1, 2, 3, 4].map((p) => ({ externalId: `race-${p}`, email: `race${p}@example.com` }));
    const batch = (b: number) =>
      people
        .map((p, i) => ev(`race-${b}-${i}`, (b + i) % 2 ? p : { email: p.email }, 'page.viewed', { b }))
        .reverse()
        .slice(b % 2);
    const results = await Promise.all(Array.from({ length: 8 }, (_, b) => ingestEvents(t.database.db, batch(b), { source: 'api', now })));
    expect(results.every((r) => r.duplicates === 0)).toBe(true);
    const stored = await t.database.db.select().from(contacts).where(like(contacts.email, 'race%@example.com'));
    expect(stored).toHaveLength(5);
  });

  it('a recorded receipt makes the whole delivery a replay', async () => {
    const receipt = { source: 'shopify', deliveryId: 'wh-99', topic: 'checkouts/create' };
    const first = await ingestEvents(t.database.db, [ev('i-15', { externalId: 'c-15' })], { source: 'shopify', now, receipt });
    const again = await ingestEvents(t.database.db, [ev('i-16', { externalId: 'c-15' })], { source: 'shopify', now, receipt });
    expect(first.accepted).toBe(1);
    expect(again).toMatchObject({ replayed: true, accepted: 0 });
    expect(await t.database.db.select().from(events).where(eq(events.dedupeKey, 'i-16'))).toHaveLength(0);
  });
});
