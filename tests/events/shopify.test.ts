import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseEventBatch } from '../../src/events/schema';
import { mapShopifyWebhook } from '../../src/events/shopify';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/shopify/${name}.json`, import.meta.url), 'utf8'));
// Received after the fixtures' latest timestamp (orders-create, 10:40:12Z): events more than 5
// minutes after their receipt are refused (MAX_FUTURE_SKEW_MS).
const now = new Date('2026-11-23T10:45:00Z');

function mapped(topic: string, payload: unknown) {
  const r = mapShopifyWebhook(topic, payload, 'wh-1');
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  if (r.value.kind !== 'events') return r.value;
  const parsed = parseEventBatch({ events: r.value.events }, { now });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value;
}

describe('Shopify payloads → events', () => {
  it('checkouts/create → checkout.started with the token as checkout_id, the cart and the customer', () => {
    const events = mapped('checkouts/create', fixture('checkouts-create'));
    expect(Array.isArray(events) && events.map((e) => e.type)).toEqual(['consent.granted', 'checkout.started']);
    const checkout = (events as Array<{ type: string }>)[1];
    expect(checkout).toEqual({
      dedupeKey: 'shopify:checkout.started:7b8f1e3c5a9d4f2e8c6b0a1d3e5f7a9b',
      type: 'checkout.started',
      occurredAt: new Date('2026-11-23T10:00:00Z'),
      contact: {
        identifiers: ['shopify:default:7712345678901'],
        email: 'ada@example.com',
        locale: 'pl-PL',
        attributes: { first_name: 'Ada', last_name: 'Lovelace' },
      },
      properties: {
        checkout_id: '7b8f1e3c5a9d4f2e8c6b0a1d3e5f7a9b',
        total: 129,
        currency: 'EUR',
        items: [{ product_id: '8812345678901', title: 'Stoneware mug', quantity: 2, price: 64.5, variant_id: '48012345678901' }],
        url: 'https://almanac-demo.myshopify.com/70012345678/checkouts/ac/7b8f1e3c5a9d4f2e8c6b0a1d3e5f7a9b/recover?key=3f1d2c9b8a7e6d5c',
      },
    });
  });

  it('checkouts/update → checkout.updated keyed by token and update time', () => {
    const events = mapped('checkouts/update', fixture('checkouts-update')) as Array<{
      type: string;
      dedupeKey: string;
      properties: Record<string, unknown>;
    }>;
    const update = events.find((e) => e.type === 'checkout.updated')!;
    expect(update.dedupeKey).toBe('shopify:checkout.updated:7b8f1e3c5a9d4f2e8c6b0a1d3e5f7a9b:2026-11-23T11:20:00+01:00');
    expect(update.properties.total).toBe(193.5);
  });

  it('orders/create → order.created with checkout_token as checkout_id and the exact order id', () => {
    const events = mapped('orders/create', fixture('orders-create')) as Array<{ type: string; properties: Record<string, unknown> }>;
    const order = events.find((e) => e.type === 'order.created')!;
    expect(order.properties).toMatchObject({
      order_id: '5912345678901',
      order_name: '#1042',
      checkout_id: '7b8f1e3c5a9d4f2e8c6b0a1d3e5f7a9b',
      total: 129,
      currency: 'EUR',
    });
  });

  it('maps email_marketing_consent: subscribed grants, unsubscribed withdraws, not_subscribed says nothing', () => {
    const withState = (state: string) => {
      const p = fixture('checkouts-create');
      p.customer.email_marketing_consent.state = state;
      return (mapped('checkouts/create', p) as Array<{ type: string; properties: Record<string, unknown> }>).filter((e) =>
        e.type.startsWith('consent.'),
      );
    };
    expect(withState('subscribed').map((e) => [e.type, e.properties.purpose])).toEqual([['consent.granted', 'email.marketing']]);
    expect(withState('unsubscribed').map((e) => e.type)).toEqual(['consent.withdrawn']);
    expect(withState('not_subscribed')).toEqual([]);
    expect(withState('pending')).toEqual([]);
  });

  it('falls back to the legacy accepts_marketing, where only true counts', () => {
    const legacy = (accepts: boolean) => {
      const p = fixture('checkouts-create');
      delete p.customer.email_marketing_consent;
      p.customer.accepts_marketing = accepts;
      return (mapped('checkouts/create', p) as Array<{ type: string }>).map((e) => e.type);
    };
    expect(legacy(true)).toEqual(['consent.granted', 'checkout.started']);
    expect(legacy(false)).toEqual(['checkout.started']);
  });

  it('fulfillments/update → order.delivered once the parcel is delivered, about the stored order contact', () => {
    const payload = fixture('fulfillments-update');
    const orderContact = { identifiers: ['shopify:default:7712345678901'] };
    const r = mapShopifyWebhook('fulfillments/update', payload, 'wh-f1', { orderContact });
    if (!r.ok || r.value.kind !== 'events') throw new Error(JSON.stringify(r));
    const parsed = parseEventBatch({ events: r.value.events }, { now: new Date('2026-11-26T12:30:00Z') });
    expect(parsed.ok && parsed.value).toEqual([
      {
        dedupeKey: 'shopify:order.delivered:4412345678901',
        type: 'order.delivered',
        occurredAt: new Date('2026-11-26T12:20:00Z'),
        contact: { identifiers: ['shopify:default:7712345678901'] },
        properties: {
          order_id: '5912345678901',
          fulfillment_id: '4412345678901',
          tracking_company: 'DHL Express',
          tracking_number: '1234567890',
          tracking_url: 'https://www.dhl.com/en/express/tracking.html?AWB=1234567890',
        },
      },
    ]);
    // Without a stored order, the fulfillment's email names the contact.
    const byEmail = mapShopifyWebhook('fulfillments/update', payload, 'wh-f1');
    expect(byEmail.ok && byEmail.value.kind === 'events' && byEmail.value.events).toMatchObject([
      { contact: { email: 'ada@example.com' } },
    ]);
  });

  it('ignores a fulfillment on its way, and a delivery nobody can be matched to', () => {
    const payload = fixture('fulfillments-update');
    expect(mapped('fulfillments/update', { ...payload, shipment_status: 'in_transit' })).toEqual({
      kind: 'ignored',
      reason: 'the fulfillment is not delivered yet (shipment_status: in_transit)',
    });
    expect(mapped('fulfillments/update', { ...payload, shipment_status: null })).toMatchObject({ kind: 'ignored' });
    expect(mapped('fulfillments/update', { ...payload, email: null })).toEqual({
      kind: 'ignored',
      reason: 'a delivery of an order Almanac never stored, with no email',
    });
    const bad = mapShopifyWebhook('fulfillments/update', { ...payload, order_id: 'abc' }, 'wh-f1');
    expect(!bad.ok && bad.error.map((e) => e.path)).toEqual(['order_id']);
  });

  it('ignores unknown topics and checkouts nobody can be matched to', () => {
    expect(mapped('products/update', {})).toEqual({ kind: 'ignored', reason: 'topic "products/update" is not mapped to events' });
    const anonymous = fixture('checkouts-create');
    anonymous.customer = null;
    anonymous.email = null;
    expect(mapped('checkouts/create', anonymous)).toEqual({ kind: 'ignored', reason: 'the checkout has no customer id or email yet' });
  });

  it('names the field of a malformed payload', () => {
    const bad = fixture('orders-create');
    bad.line_items[0].quantity = 'two';
    const r = mapShopifyWebhook('orders/create', bad, 'wh-1');
    expect(!r.ok && r.error).toEqual([{ path: 'line_items[0].quantity', message: 'Invalid input: expected number, received string' }]);
  });
  it('keeps ids beyond 2^53 exact: digit strings as they are, rounded numbers only through the gid', () => {
    const exact = fixture('orders-create');
    exact.id = '820982911946154508'; // what parseJson hands over for an unsafe integer
    exact.admin_graphql_api_id = null;
    exact.customer.id = '115310627314723954';
    exact.customer.admin_graphql_api_id = null;
    exact.line_items[0].id = '866550311766439020';
    exact.line_items[0].admin_graphql_api_id = null;
    const events = mapped('orders/create', exact) as Array<{
      type: string;
      contact: { identifiers?: string[] };
      properties: Record<string, unknown>;
    }>;
    const order = events.find((e) => e.type === 'order.created')!;
    expect(order.properties.order_id).toBe('820982911946154508');
    expect(order.contact.identifiers).toEqual(['shopify:default:115310627314723954']);
    expect((order.properties.items as Array<Record<string, unknown>>)[0]!.line_item_id).toBe('866550311766439020');

    // A caller that parsed with JSON.parse: the rounded number is never used as an id.
    const rounded = fixture('orders-create');
    rounded.id = 820982911946154508;
    rounded.admin_graphql_api_id = 'gid://shopify/Order/820982911946154508';
    const viaGid = mapped('orders/create', rounded) as Array<{ type: string; properties: Record<string, unknown> }>;
    expect(viaGid.find((e) => e.type === 'order.created')!.properties.order_id).toBe('820982911946154508');
    rounded.admin_graphql_api_id = null;
    const r = mapShopifyWebhook('orders/create', rounded, 'wh-1');
    expect(!r.ok && r.error.map((e) => e.path)).toEqual(['id']);
  });
});
