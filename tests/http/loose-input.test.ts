import { eq } from 'drizzle-orm';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { createApp } from '../../src/http/app';
import { Metrics } from '../../src/metrics';
import { createRenderer } from '../../src/render/renderer-files';
import { rowsOf } from '../../src/storage/sql-values';
import { events } from '../../src/storage/schema/index';
import { backend, useTestDatabase } from '../helpers/db';
import { API_KEY, authed, counts, fixture, ingestApp, shopifyRequest, standardRequest, NOW } from './ingest-app';

const t = useTestDatabase('http_loose_input');
const rawAuthed = (body: string, method = 'POST'): RequestInit => ({
  method,
  headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
  body,
});
type ErrorBody = { error: { code: string; message: string; details: { errors?: Array<{ path: string; message: string }> } } };
const pageView = (id: string, extra: Record<string, unknown> = {}) => ({ id, type: 'page.viewed', contact: { id: 'c-loose' }, ...extra });

describe(`prototype keys: one rule on ${backend}`, () => {
  it('refuses __proto__ anywhere in our API with a 400 naming the key, and stores nothing', async () => {
    const { app } = ingestApp(t.database);
    const before = await counts(t.database);
    const cases: Array<[string, string, string, string]> = [
      [
        '/v1/events',
        'POST',
        '{"id":"p1","type":"page.viewed","contact":{"id":"c-1"},"properties":{"__proto__":{"x":1}}}',
        'properties.__proto__',
      ],
      ['/v1/events', 'POST', '{"id":"p2","type":"page.viewed","__proto__":{},"contact":{"id":"c-1"}}', '__proto__'],
      [
        '/v1/events/batch',
        'POST',
        '{"events":[{"id":"p3","type":"page.viewed","contact":{"id":"c-1"}},{"id":"p4","type":"page.viewed","contact":{"id":"c-1","attributes":{"a":[{"__proto__":1}]}}}]}',
        'events[1].contact.attributes.a[0].__proto__',
      ],
      ['/v1/contacts/c-proto', 'PUT', '{"attributes":{"__proto__":{"admin":true}}}', 'attributes.__proto__'],
    ];
    for (const [path, method, body, field] of cases) {
      const res = await app.request(path, rawAuthed(body, method));
      expect(res.status, body).toBe(400);
      const error = ((await res.json()) as ErrorBody).error;
      expect(error.code).toBe('validation_failed');
      expect(error.details.errors).toContainEqual(expect.objectContaining({ path: field, message: expect.stringContaining('__proto__') }));
    }
    expect(await counts(t.database)).toEqual(before);
  });

  it('keeps constructor and prototype as plain data keys', async () => {
    const { app } = ingestApp(t.database);
    const body = '{"id":"p-ctor","type":"page.viewed","contact":{"id":"c-1"},"properties":{"constructor":{"prototype":1}}}';
    expect((await app.request('/v1/events', rawAuthed(body))).status).toBe(202);
    const [stored] = await t.database.db.select().from(events).where(eq(events.dedupeKey, 'p-ctor'));
    expect(stored!.properties).toEqual({ constructor: { prototype: 1 } });
  });

  it('accepts a signed webhook with a __proto__ key, drops the key and records where', async () => {
    const { app } = ingestApp(t.database);
    const shopify = fixture('checkouts-create').replace('"first_name": "Ada"', '"first_name": "Ada", "__proto__": {"polluted": true}');
    const res = await app.request('/webhooks/shopify', shopifyRequest(shopify, 'checkouts/create', 'wh-proto-1'));
    expect(res.status).toBe(200);
    const [stored] = await t.database.db.select().from(events).where(eq(events.source, 'shopify'));
    expect((stored!.properties as Record<string, unknown>)._replaced).toEqual([expect.stringMatching(/__proto__$/)]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    const ingest = JSON.stringify(pageView('wh-proto-ev')).replace('"contact"', '"properties":{"__proto__":{"x":1},"ok":1},"contact"');
    const res2 = await app.request('/webhooks/ingest/crm', standardRequest(ingest, 'msg-proto-1', NOW));
    expect(res2.status).toBe(200);
    const [ev] = await t.database.db.select().from(events).where(eq(events.dedupeKey, 'wh-proto-ev'));
    expect(ev!.properties).toEqual({ ok: 1, _replaced: ['properties.__proto__'] });
  });
});

describe(`occurred_at within a sane window on ${backend}`, () => {
  it('refuses times before 2000-01-01 and far in the future, naming the field; accepts 2000-01-01', async () => {
    const { app } = ingestApp(t.database);
    const before = await counts(t.database);
    for (const at of ['0001-01-01T00:00:00Z', '1970-01-01T00:00:00Z', '1999-12-31T23:59:59Z', '9999-12-31T23:59:59Z']) {
      const res = await app.request('/v1/events', authed(pageView(`old-${at}`, { occurred_at: at })));
      expect(res.status, at).toBe(400);
      const error = ((await res.json()) as ErrorBody).error;
      expect(error.details.errors, at).toEqual([expect.objectContaining({ path: 'occurred_at' })]);
      expect(error.message).toContain(at);
    }
    expect(await counts(t.database)).toEqual(before);
    const ok = await app.request('/v1/events', authed(pageView('old-ok', { occurred_at: '2000-01-01T00:00:00Z' })));
    expect(ok.status).toBe(202);
  });
});

describe(`smaller input rules on ${backend}`, () => {
  it('says how long a contact id may be', async () => {
    const { app } = ingestApp(t.database);
    const res = await app.request('/v1/events', authed({ id: 'long-id', type: 'page.viewed', contact: { id: 'x'.repeat(300) } }));
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error.details.errors).toEqual([
      { path: 'contact.id', message: 'expected at most 255 characters' },
    ]);
    const event = await app.request('/v1/events', authed({ id: 'e'.repeat(256), type: 'page.viewed', contact: { id: 'c' } }));
    expect(((await event.json()) as ErrorBody).error.details.errors).toEqual([{ path: 'id', message: 'expected at most 255 characters' }]);
  });

  it('warns about a checkout without url (its cart link would be empty), storing it all the same', async () => {
    const { app } = ingestApp(t.database);
    const res = await app.request(
      '/v1/events/batch',
      authed({
        events: [
          {
            id: 'k-url-1',
            type: 'checkout.started',
            contact: { id: 'c-k' },
            properties: { checkout_id: 'k1', url: 'https://shop.example/c/k1' },
          },
          { id: 'k-url-2', type: 'checkout.started', contact: { id: 'c-k' }, properties: { checkout_id: 'k2' } },
        ],
      }),
    );
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({
      accepted: 2,
      warnings: [{ index: 1, field: 'properties.url', code: 'missing_property', message: expect.stringContaining('cart.url') }],
    });
  });

  it('answers a known path with the wrong method 405 and Allow, not 404', async () => {
    const { app } = ingestApp(t.database);
    const res = await app.request('/v1/events', { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(await res.json()).toMatchObject({ error: { code: 'method_not_allowed', details: { method: 'GET', allow: ['POST'] } } });
    const contact = await app.request('/v1/contacts/c-1', { method: 'POST', body: '{}' });
    expect(contact.status).toBe(405);
    expect(contact.headers.get('allow')).toContain('PUT');
    const unknown = await app.request('/v1/nothing-here');
    expect(unknown.status).toBe(404);
  });

  it('counts 413s in /metrics', async () => {
    const metrics = new Metrics();
    const app = createApp({ database: t.database, metrics, bodyLimitBytes: 100, log: () => {}, apiKeys: [API_KEY] });
    const res = await app.request('/v1/events', rawAuthed(JSON.stringify(pageView('big', { properties: { pad: 'x'.repeat(500) } }))));
    expect(res.status).toBe(413);
    const text = await (await app.request('/metrics')).text();
    expect(text).toMatch(/almanac_http_requests_total\{status="413"\} 1/);
  });

  it('says the minimum length of SHOPIFY_WEBHOOK_SECRET', () => {
    expect(() => loadConfig({ SHOPIFY_WEBHOOK_SECRET: 'short' })).toThrow(/SHOPIFY_WEBHOOK_SECRET.*at least 8 characters/);
  });
});

describe(`stored keys stay within what an index holds on ${backend}`, () => {
  it('refuses an overlong order id, event type, purpose or webhook delivery id with a 4xx, storing nothing', async () => {
    const { app } = ingestApp(t.database);
    const before = await counts(t.database);
    const long = (n: number) => Array.from({ length: n }, (_, i) => 'abcdefghijklmnopqrstuvwxyz0123456789'[(i * 7919) % 36]).join('');
    const cases = [
      { id: 'o-long', type: 'order.created', contact: { id: 'c-o' }, properties: { order_id: long(3000), total: 1, currency: 'EUR' } },
      { id: 't-long', type: `a.${'b'.repeat(3000)}`, contact: { id: 'c-o' } },
      { id: 'p-long', type: 'consent.granted', contact: { id: 'c-o' }, properties: { purpose: `email.${'x'.repeat(3000)}` } },
    ];
    for (const body of cases) expect((await app.request('/v1/events', authed(body))).status, body.id).toBe(400);
    const shopify = await app.request('/webhooks/shopify', shopifyRequest(fixture('orders-create'), 'orders/create', long(3000)));
    expect(shopify.status).toBe(400);
    const ingest = await app.request('/webhooks/ingest/crm', standardRequest(JSON.stringify(pageView('ing-long')), long(3000), NOW));
    expect(ingest.status).toBe(401);
    expect(await counts(t.database)).toEqual(before);
  });

  it('refuses NUL in the template preview query with a 400', async () => {
    const app = createApp({
      database: t.database,
      metrics: new Metrics(),
      bodyLimitBytes: 65_536,
      log: () => {},
      apiKeys: [API_KEY],
      messages: {
        renderer: createRenderer({ templatesDir: 'templates' }),
        linkSigningKey: 'k'.repeat(32),
        publicUrl: 'https://shop.example',
        from: 'Shop <s@shop.example>',
      },
    });
    for (const query of [
      'contact=%00',
      'contact=ada%40example.com&trigger=%00',
      'contact=c-1&trigger=a%00b',
      `contact=${'x'.repeat(400)}`,
    ]) {
      const res = await app.request(`/v1/templates/cart-reminder/preview?${query}`, { headers: { authorization: `Bearer ${API_KEY}` } });
      expect(res.status, query).toBe(400);
    }
  });
});

describe(`a correlation value of any size on ${backend}`, () => {
  it('a 3 kB checkout_id starts its run and a later update of the same checkout finds it (kept as a hash)', async () => {
    const { applyInline, engine } = await import('../helpers/engine');
    await applyInline(
      t.database,
      {
        'campaigns/long-cart.yaml':
          'campaign: long-cart\npurpose: email.transactional\ntrigger: { event: checkout.started, correlate: checkout_id }\nsteps:\n  - wait_until: { event: checkout.updated, timeout: 1d }\n    on_timeout: [ { exit: true } ]\n',
      },
      [],
      NOW,
    );
    const { app } = ingestApp(t.database);
    const checkout = 'k'.repeat(1500) + 'x'.repeat(1500);
    const started = await app.request(
      '/v1/events',
      authed({
        id: 'lc-1',
        type: 'checkout.started',
        contact: { id: 'c-lc' },
        properties: { checkout_id: checkout, url: 'https://s.example/c' },
      }),
    );
    expect(started.status).toBe(202);
    const e = engine(t.database);
    await e.tick(NOW);
    const runs = async () =>
      rowsOf<{ status: string; correlation_key: string; exit_reason: string | null }>(
        await t.database.db.execute(
          sql`select r.status, r.correlation_key, r.exit_reason from runs r join contacts c on c.id = r.contact_id where r.campaign = 'long-cart' and c.external_id = 'c-lc'`,
        ),
      );
    expect((await runs())[0]).toMatchObject({ status: 'active', correlation_key: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    const updated = await app.request(
      '/v1/events',
      authed({ id: 'lc-2', type: 'checkout.updated', contact: { id: 'c-lc' }, properties: { checkout_id: checkout } }),
    );
    expect(updated.status).toBe(202);
    await e.tick(NOW);
    await e.tick(NOW);
    expect((await runs())[0]).toMatchObject({ status: 'completed' });
  });
});

describe(`bytes that are not UTF-8 in a signed webhook on ${backend}`, () => {
  it('are accepted as U+FFFD and recorded in _replaced', async () => {
    const { createHmac } = await import('node:crypto');
    const { SHOPIFY_SECRET } = await import('./ingest-app');
    const { app } = ingestApp(t.database);
    const text = fixture('checkouts-create')
      .replace(/"token": "[^"]+"/, '"token": "bad-utf8-checkout"')
      .replace('"first_name": "Ada"', '"first_name": "Ada\u0001BAD"');
    const bytes = Buffer.from(text, 'utf8');
    const at = bytes.indexOf(0x01);
    bytes[at] = 0xff; // a byte that is never UTF-8
    const res = await app.request('/webhooks/shopify', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'checkouts/create',
        'x-shopify-webhook-id': 'wh-bad-utf8',
        'x-shopify-hmac-sha256': createHmac('sha256', SHOPIFY_SECRET).update(bytes).digest('base64'),
      },
      body: bytes,
    });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { events: Array<{ eventId: number; duplicate: boolean }> };
    const fresh = answer.events.find((e) => !e.duplicate)!;
    const rows = rowsOf<{ properties: Record<string, unknown> }>(
      await t.database.db.execute(sql`select properties from events where id = ${fresh.eventId}`),
    );
    expect(rows[0]!.properties._replaced).toContain('(invalid UTF-8 bytes)');
  });
});
