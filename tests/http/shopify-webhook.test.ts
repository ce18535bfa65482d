import { eq, like } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { currentConsent } from '../../src/storage/consent';
import { contactIdentifiers, contacts, events, orders, webhookReceipts } from '../../src/storage/schema/index';
import { backend, useTestDatabase } from '../helpers/db';
import { counts, fixture, ingestApp, shopifyRequest } from './ingest-app';

const t = useTestDatabase('http_shopify');
// Shopify delivers after the fact: received after the fixtures' latest timestamp (orders-create,
// 10:40:12Z), since events more than 5 minutes after their receipt are refused (MAX_FUTURE_SKEW_MS).
const shopifyApp = () => ingestApp(t.database, { now: () => new Date('2026-11-23T10:45:00Z') });

describe(`POST /webhooks/shopify on ${backend}`, () => {
  it('refuses a bad HMAC with 401 and stores nothing', async () => {
    const { app } = shopifyApp();
    const before = await counts(t.database);
    const forged = await app.request(
      '/webhooks/shopify',
      shopifyRequest(fixture('checkouts-create'), 'checkouts/create', 'wh-bad', 'not-the-secret'),
    );
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: { code: 'unauthorized' } });
    // Signed, then altered: the total changed in transit.
    const signed = shopifyRequest(fixture('checkouts-create'), 'checkouts/create', 'wh-bad');
    const altered = await app.request('/webhooks/shopify', { ...signed, body: fixture('checkouts-create').replace('"129.00"', '"1.00"') });
    expect(altered.status).toBe(401);
    const unsigned = await app.request('/webhooks/shopify', { method: 'POST', body: fixture('checkouts-create') });
    expect(unsigned.status).toBe(401);
    expect(await counts(t.database)).toEqual(before);
  });

  it('maps checkouts/create to checkout.started with the customer and their consent', async () => {
    const res = await shopifyApp().app.request(
      '/webhooks/shopify',
      shopifyRequest(fixture('checkouts-create'), 'checkouts/create', 'wh-c1'),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 2, duplicates: 0 });
    const [checkout] = await t.database.db.select().from(events).where(eq(events.type, 'checkout.started'));
    expect(checkout).toMatchObject({
      source: 'shopify',
      occurredAt: new Date('2026-11-23T10:00:00Z'),
      properties: { checkout_id: '7b8f1e3c5a9d4f2e8c6b0a1d3e5f7a9b', total: 129, currency: 'EUR' },
    });
    // The customer is known by its shop and id (not as the application's external id).
    const [known] = await t.database.db
      .select()
      .from(contactIdentifiers)
      .where(eq(contactIdentifiers.identifier, 'shopify:almanac-demo.myshopify.com:7712345678901'));
    const [contact] = await t.database.db.select().from(contacts).where(eq(contacts.id, known!.contactId));
    expect(contact).toMatchObject({
      externalId: null,
      id: checkout!.contactId,
      email: 'ada@example.com',
      locale: 'pl-PL',
      attributes: { first_name: 'Ada', last_name: 'Lovelace' },
    });
    expect(await currentConsent(t.database.db, [contact!.id], { purposes: ['email.marketing'] })).toMatchObject([
      { granted: true, source: 'shopify' },
    ]);
  });

  it('maps orders/create to order.created and an orders row for attribution', async () => {
    const res = await shopifyApp().app.request('/webhooks/shopify', shopifyRequest(fixture('orders-create'), 'orders/create', 'wh-o1'));
    expect(res.status).toBe(200);
    const [order] = await t.database.db.select().from(orders).where(eq(orders.orderId, '5912345678901'));
    expect(order).toMatchObject({
      source: 'shopify',
      checkoutId: '7b8f1e3c5a9d4f2e8c6b0a1d3e5f7a9b',
      total: '129.00',
      currency: 'EUR',
      occurredAt: new Date('2026-11-23T10:40:12Z'),
    });
    expect(order!.items).toEqual([
      {
        product_id: '8812345678901',
        title: 'Stoneware mug',
        quantity: 2,
        price: 64.5,
        line_item_id: '14212345678901',
        variant_id: '48012345678901',
      },
    ]);
    // The customer's consent was already in the ledger from the checkout: the same fact is not appended twice.
    expect((await counts(t.database)).consent).toBe(1);
  });

  it('answers a replayed delivery 200 { duplicate: true } and stores nothing new', async () => {
    const { app } = shopifyApp();
    const before = await counts(t.database);
    const replay = await app.request('/webhooks/shopify', shopifyRequest(fixture('orders-create'), 'orders/create', 'wh-o1'));
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ duplicate: true });
    expect(await counts(t.database)).toEqual(before);
  });

  it('stores the same webhook delivered 10× at once as exactly 1 event and 1 order', async () => {
    const { app } = shopifyApp();
    const body = fixture('orders-create').replaceAll('5912345678901', '5912345670000');
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => app.request('/webhooks/shopify', shopifyRequest(body, 'orders/create', 'wh-o2'))),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as Array<{ duplicate?: boolean }>;
    expect(bodies.filter((b) => b.duplicate === true)).toHaveLength(9);
    expect(await t.database.db.select().from(events).where(eq(events.dedupeKey, 'shopify:order.created:5912345670000'))).toHaveLength(1);
    expect(await t.database.db.select().from(orders).where(eq(orders.orderId, '5912345670000'))).toHaveLength(1);
    expect(await t.database.db.select().from(webhookReceipts).where(eq(webhookReceipts.deliveryId, 'wh-o2'))).toHaveLength(1);
  });

  it('records checkouts/update as checkout.updated', async () => {
    const res = await shopifyApp().app.request(
      '/webhooks/shopify',
      shopifyRequest(fixture('checkouts-update'), 'checkouts/update', 'wh-u1'),
    );
    expect(res.status).toBe(200);
    const rows = await t.database.db.select().from(events).where(like(events.dedupeKey, 'shopify:checkout.updated:%'));
    expect(rows.map((r) => r.properties.total)).toEqual([193.5]);
  });

  it('maps fulfillments/update delivered to order.delivered for the contact of the stored order', async () => {
    // Three days after the order (stored above): the carrier reports the parcel delivered.
    const { app } = ingestApp(t.database, { now: () => new Date('2026-11-26T12:30:00Z') });
    const body = fixture('fulfillments-update').replace('"email": "ada@example.com"', '"email": "someone-else@example.com"');
    const transit = await app.request(
      '/webhooks/shopify',
      shopifyRequest(body.replace('"delivered"', '"in_transit"'), 'fulfillments/update', 'wh-f0'),
    );
    expect(await transit.json()).toEqual({ ignored: true, reason: 'the fulfillment is not delivered yet (shipment_status: in_transit)' });
    const res = await app.request('/webhooks/shopify', shopifyRequest(body, 'fulfillments/update', 'wh-f1'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 1 });
    const [order] = await t.database.db.select().from(orders).where(eq(orders.orderId, '5912345678901'));
    const [delivered] = await t.database.db.select().from(events).where(eq(events.type, 'order.delivered'));
    // The order's contact (Ada), not whoever the fulfillment's email names.
    expect(delivered).toMatchObject({
      contactId: order!.contactId,
      occurredAt: new Date('2026-11-26T12:20:00Z'),
      dedupeKey: 'shopify:order.delivered:4412345678901',
      properties: { order_id: '5912345678901', fulfillment_id: '4412345678901' },
    });
  });

  it('records an unknown topic and answers 200 without storing events', async () => {
    const before = await counts(t.database);
    const res = await shopifyApp().app.request('/webhooks/shopify', shopifyRequest('{"id": 1}', 'products/update', 'wh-p1'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ignored: true, reason: 'topic "products/update" is not mapped to events' });
    expect(await counts(t.database)).toEqual({ ...before, receipts: before.receipts + 1 });
  });

  it('answers a signed but malformed payload 400 naming the field, storing nothing', async () => {
    const before = await counts(t.database);
    const body = fixture('orders-create').replace('"currency": "EUR"', '"currency": 12');
    const res = await shopifyApp().app.request('/webhooks/shopify', shopifyRequest(body, 'orders/create', 'wh-bad-body'));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'validation_failed', details: { errors: [{ path: 'currency' }] } } });
    expect(await counts(t.database)).toEqual(before);
  });
});
