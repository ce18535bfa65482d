import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { eventRoutes } from '../../src/http/events';
import { onError } from '../../src/http/on-error';
import { contactIdentifiers, contacts, events, orders } from '../../src/storage/schema/index';
import { backend, useTestDatabase } from '../helpers/db';
import { API_KEY, authed, counts, fixture, ingestApp, NOW, shopifyRequest, standardRequest } from './ingest-app';

const t = useTestDatabase('http_json_limits');
const LATER = new Date('2026-11-23T10:45:00Z');
const event = (
  id: string,
  properties: Record<string, unknown> = { checkout_id: 'k-1', total: 10, currency: 'EUR' },
  contact: Record<string, unknown> = { id: 'c-json' },
) => ({
  id,
  type: 'checkout.started',
  contact,
  properties,
});
const rawAuthed = (body: string): RequestInit => ({
  method: 'POST',
  headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
  body,
});
type ErrorBody = {
  error: {
    code: string;
    message: string;
    details: { path?: string; maxDepth?: number; errors?: Array<{ path: string; index?: number; message: string }> };
  };
};
const nest = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe(`exact ids on ${backend}`, () => {
  it('stores an integer beyond 2^53 in an API event as its exact digits', async () => {
    const { app } = ingestApp(t.database);
    const body =
      '{"id":"big-1","type":"checkout.started","contact":{"id":"c-big"},"properties":{"ref":820982911946154508,"n":42,"x":1.25}}';
    const res = await app.request('/v1/events', rawAuthed(body));
    expect(res.status).toBe(202);
    const [stored] = await t.database.db.select().from(events).where(eq(events.dedupeKey, 'big-1'));
    expect(stored!.properties).toEqual({ ref: '820982911946154508', n: 42, x: 1.25 });
  });

  it('stores two Shopify orders whose 18-digit ids round to the same double, with every id exact', async () => {
    const { app } = ingestApp(t.database, { now: () => LATER });
    // No admin_graphql_api_id anywhere in this payload: the numeric ids alone must be exact.
    const first = fixture('orders-create-large-ids');
    const second = first.replace('"id": 820982911946154508', '"id": 820982911946154509').replace('"#9999"', '"#10000"');
    expect(Number('820982911946154508')).toBe(Number('820982911946154509'));
    const before = await counts(t.database);
    expect((await app.request('/webhooks/shopify', shopifyRequest(first, 'orders/create', 'wh-big-1'))).status).toBe(200);
    expect((await app.request('/webhooks/shopify', shopifyRequest(second, 'orders/create', 'wh-big-2'))).status).toBe(200);
    expect((await counts(t.database)).orders).toBe(before.orders + 2);
    const rows = await t.database.db.select().from(orders).where(eq(orders.source, 'shopify'));
    expect(rows.map((r) => r.orderId).sort()).toEqual(['820982911946154508', '820982911946154509']);
    // The customer id past 2^53 stays exact in its identifier.
    const [known] = await t.database.db
      .select()
      .from(contactIdentifiers)
      .where(eq(contactIdentifiers.identifier, 'shopify:almanac-demo.myshopify.com:115310627314723954'));
    const [contact] = await t.database.db.select().from(contacts).where(eq(contacts.id, known!.contactId));
    expect(contact).toMatchObject({ email: 'jon@example.com' });
    const [order] = await t.database.db.select().from(events).where(eq(events.dedupeKey, 'shopify:order.created:820982911946154508'));
    expect(order!.properties).toMatchObject({
      order_id: '820982911946154508',
      items: [
        { line_item_id: '866550311766439020', product_id: '632910392', variant_id: '808950810', price: 199 },
        { line_item_id: '141249953214522974', product_id: '632910392', variant_id: '808950810', price: 204 },
      ],
    });
  });
});

describe(`JSON depth on ${backend}`, () => {
  it('accepts 64 levels and refuses 65 with a 400 naming the path', async () => {
    const { app } = ingestApp(t.database);
    // The event object is level 1, `properties` (the outermost of `nest`) level 2: nest(63) reaches 64.
    const ok = await app.request(
      '/v1/events',
      rawAuthed(`{"id":"deep-ok","type":"a.b","contact":{"id":"c-deep"},"properties":${nest(63)}}`),
    );
    expect(ok.status).toBe(202);
    const res = await app.request(
      '/v1/events',
      rawAuthed(`{"id":"deep-no","type":"a.b","contact":{"id":"c-deep"},"properties":${nest(64)}}`),
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe('bad_request');
    expect(body.error.details).toEqual({ path: `properties.${Array(63).fill('a').join('.')}`, maxDepth: 64 });
  });

  it('answers 10 000 levels with a 400, never a 500, on every JSON route', async () => {
    const { app, logged } = ingestApp(t.database, { now: () => LATER });
    const before = await counts(t.database);
    const deep = (id: string) => `{"id":"${id}","type":"a.b","contact":{"id":"c-deep"},"properties":${nest(10_000)}}`;
    const batch = `{"events":[${deep('b-0')}]}`;
    const answers = [
      await app.request('/v1/events', rawAuthed(deep('d-1'))),
      await app.request('/v1/events/batch', rawAuthed(batch)),
      await app.request('/v1/contacts/c-deep', { ...rawAuthed(`{"attributes":${nest(10_000)}}`), method: 'PUT' }),
      await app.request('/webhooks/ingest/crm', standardRequest(deep('d-2'), 'msg-deep', LATER)),
      await app.request('/webhooks/shopify', shopifyRequest(`{"line_items":${nest(10_000)}}`, 'orders/create', 'wh-deep')),
    ];
    for (const res of answers) {
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorBody).error.details.maxDepth).toBe(64);
    }
    expect(logged).toEqual([]);
    expect(await counts(t.database)).toEqual(before);
  });

  it('takes its limit from the route deps (JSON_MAX_DEPTH)', async () => {
    const app = new Hono();
    app.route('/', eventRoutes({ database: t.database, apiKeys: [API_KEY], now: () => NOW, jsonMaxDepth: 3 }));
    app.onError(onError(() => {}));
    const res = await app.request('/v1/events', authed(event('limit-1', { a: { b: {} } })));
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.details).toEqual({ path: 'properties.a.b', maxDepth: 3 });
    expect((await app.request('/v1/events', authed(event('limit-2', { a: 1 })))).status).toBe(202);
  });
});

describe(`NUL and lone surrogates on ${backend}`, () => {
  const odd = 'contains a NUL character (\\u0000) or a lone UTF-16 surrogate, which cannot be stored';

  it('refuses them on /v1/events with a 400 naming the field, storing nothing', async () => {
    const { app, logged } = ingestApp(t.database);
    const before = await counts(t.database);
    const cases: Array<[unknown, string]> = [
      [event('nul-1', { note: 'a\u0000b' }), 'properties.note'],
      [event('nul-2', { ['k\ud800']: 1 }), 'properties["k\\ud800"]'],
      [event('nul-3', undefined, { id: 'c-\u0000' }), 'contact.id'],
      [event('nul-4', undefined, { id: 'c-1', attributes: { city: 'x\udc00' } }), 'contact.attributes.city'],
      [event('nul-\u0000'), 'id'],
    ];
    for (const [body, path] of cases) {
      const res = await app.request('/v1/events', authed(body));
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorBody).error).toMatchObject({
        code: 'validation_failed',
        details: { errors: [{ path, message: odd }] },
      });
    }
    expect(logged).toEqual([]);
    expect(await counts(t.database)).toEqual(before);
  });

  it('names the item of a batch, and stores none of it', async () => {
    const { app } = ingestApp(t.database);
    const before = await counts(t.database);
    const res = await app.request(
      '/v1/events/batch',
      authed({ events: [event('ok-0'), event('bad-1', { items: [{ title: '\ud83d' }] })] }),
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.details.errors).toEqual([
      { index: 1, path: 'events[1].properties.items[0].title', message: odd },
    ]);
    expect(await counts(t.database)).toEqual(before);
  });

  it('refuses them on PUT /v1/contacts/:id, in the body or the id', async () => {
    const { app, logged } = ingestApp(t.database);
    const put = (id: string, body: unknown) => app.request(`/v1/contacts/${id}`, { ...authed(body), method: 'PUT' });
    const inBody = await put('c-put', { attributes: { name: 'A\u0000' } });
    expect(inBody.status).toBe(400);
    expect(((await inBody.json()) as ErrorBody).error.details.errors).toEqual([{ path: 'attributes.name', message: odd }]);
    const inId = await put('c%00x', { attributes: { name: 'A' } });
    expect(inId.status).toBe(400);
    expect(((await inId.json()) as ErrorBody).error.details.errors).toEqual([{ path: 'id', message: odd }]);
    expect(logged).toEqual([]);
    expect((await put('c-put', { attributes: { name: 'A' } })).status).toBe(200);
  });

  it('accepts a Shopify delivery, replacing them with U+FFFD and recording the paths in _replaced', async () => {
    const { app, logged } = ingestApp(t.database, { now: () => LATER });
    const body = fixture('orders-create-large-ids')
      .replace('"id": 820982911946154508', '"id": 820982911946150001')
      .replace('"first_name": "John"', '"first_name": "Jo\\u0000hn"')
      .replace('"title": "IPod Nano - 8GB"', '"title": "IPod \\ud800"');
    const res = await app.request('/webhooks/shopify', shopifyRequest(body, 'orders/create', 'wh-nul'));
    expect(res.status).toBe(200);
    expect(logged).toEqual([]);
    const [order] = await t.database.db.select().from(events).where(eq(events.dedupeKey, 'shopify:order.created:820982911946150001'));
    expect(order!.properties).toMatchObject({
      _replaced: ['customer.first_name', 'line_items[0].title'],
      items: [{ title: 'IPod \ufffd' }, { title: 'IPod Nano - 8GB' }],
    });
    const [contact] = await t.database.db.select().from(contacts).where(eq(contacts.id, order!.contactId!));
    expect(contact!.attributes).toMatchObject({ first_name: 'Jo\ufffdhn' });
  });

  it('accepts a Standard Webhooks delivery, recording _replaced on the event that had them', async () => {
    const { app, logged } = ingestApp(t.database, { now: () => LATER });
    const body = JSON.stringify({
      events: [
        event('wh-ok-0'),
        event('wh-odd-1', { note: 'n\u0000', checkout_id: 'k-\ud800' }, { id: 'c-wh', attributes: { ['ci\u0000ty']: 'x' } }),
      ],
    });
    const res = await app.request('/webhooks/ingest/crm', standardRequest(body, 'msg-nul', LATER));
    expect(res.status).toBe(200);
    expect(logged).toEqual([]);
    const [ok] = await t.database.db.select().from(events).where(eq(events.dedupeKey, 'wh-ok-0'));
    expect(ok!.properties).not.toHaveProperty('_replaced');
    const [oddOne] = await t.database.db.select().from(events).where(eq(events.dedupeKey, 'wh-odd-1'));
    expect(oddOne!.properties).toEqual({
      note: 'n\ufffd',
      checkout_id: 'k-\ufffd',
      _replaced: ['contact.attributes["ci\\u0000ty"]', 'properties.checkout_id', 'properties.note'],
    });
    const [contact] = await t.database.db.select().from(contacts).where(eq(contacts.externalId, 'c-wh'));
    expect(contact!.attributes).toEqual({ 'ci\ufffdty': 'x' });
  });
});
