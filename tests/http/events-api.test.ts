import { eq, like } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { consentRecords, contacts, events } from '../../src/storage/schema/index';
import { backend, useTestDatabase } from '../helpers/db';
import { authed, counts, ingestApp, NOW } from './ingest-app';

const t = useTestDatabase('http_events');
const event = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'checkout.started',
  contact: { id: 'c-42', email: 'ada@example.com', timezone: 'Europe/Warsaw', locale: 'pl' },
  properties: { checkout_id: 'k-9', total: 129.0, currency: 'EUR' },
  ...extra,
});

describe(`POST /v1/events on ${backend}`, () => {
  it('refuses requests without a valid bearer key, and says what to set when none is configured', async () => {
    const { app } = ingestApp(t.database);
    const missing = await app.request('/v1/events', { method: 'POST', body: JSON.stringify(event('a-0')) });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({
      error: { code: 'unauthorized', message: 'expected an "Authorization: Bearer <API key>" header', details: {} },
    });
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="almanac"');
    const wrong = await app.request('/v1/events', authed(event('a-0'), { authorization: 'Bearer nope' }));
    expect(wrong.status).toBe(401);
    const unconfigured = await ingestApp(t.database, { apiKeys: [] }).app.request('/v1/events', authed(event('a-0')));
    expect(unconfigured.status).toBe(401);
    expect(((await unconfigured.json()) as { error: { message: string } }).error.message).toContain('set API_KEYS');
    expect((await counts(t.database)).events).toBe(0);
  });

  it('accepts a valid event with 202 and stores it with its contact', async () => {
    const res = await ingestApp(t.database).app.request('/v1/events', authed(event('a-1')));
    expect(res.status).toBe(202);
    const body = (await res.json()) as { accepted: number; events: Array<{ id: string; eventId: number; duplicate: boolean }> };
    expect(body).toMatchObject({ accepted: 1, duplicates: 0, events: [{ index: 0, id: 'a-1', duplicate: false }] });
    const [stored] = await t.database.db.select().from(events).where(eq(events.id, body.events[0]!.eventId));
    expect(stored).toMatchObject({ type: 'checkout.started', source: 'api', occurredAt: NOW, properties: { checkout_id: 'k-9' } });
    const [contact] = await t.database.db.select().from(contacts).where(eq(contacts.id, stored!.contactId!));
    expect(contact).toMatchObject({ externalId: 'c-42', email: 'ada@example.com', timezone: 'Europe/Warsaw', locale: 'pl' });
  });

  it('answers an invalid event with 400 naming the field, and stores nothing', async () => {
    const before = await counts(t.database);
    const res = await ingestApp(t.database).app.request(
      '/v1/events',
      authed(event('a-2', { contact: { id: 'c-1', email: 'ada-at-example' } })),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: {
        code: 'validation_failed',
        message: 'invalid event, nothing was stored: contact.email: expected an email address',
        details: { errors: [{ path: 'contact.email', message: 'expected an email address' }] },
      },
    });
    expect(await counts(t.database)).toEqual(before);
  });

  it('refuses an event dated more than 5 minutes after it was received, naming occurred_at, and stores nothing', async () => {
    const before = await counts(t.database);
    const res = await ingestApp(t.database).app.request('/v1/events', authed(event('a-future', { occurred_at: '2026-11-23T12:00:00Z' })));
    expect(res.status).toBe(400);
    const message =
      '2026-11-23T12:00:00Z is 2h in the future (more than 5 minutes after it was received); send the time the event happened';
    expect(await res.json()).toEqual({
      error: {
        code: 'validation_failed',
        message: `invalid event, nothing was stored: occurred_at: ${message}`,
        details: { errors: [{ path: 'occurred_at', message }] },
      },
    });
    expect(await counts(t.database)).toEqual(before);
  });

  it('accepts an event up to 5 minutes ahead of its receipt (clock skew) and keeps its own time', async () => {
    const ahead = new Date(NOW.getTime() + 4 * 60_000);
    const res = await ingestApp(t.database).app.request('/v1/events', authed(event('a-skewed', { occurred_at: ahead.toISOString() })));
    expect(res.status).toBe(202);
    const [stored] = await t.database.db.select().from(events).where(eq(events.dedupeKey, 'a-skewed'));
    expect(stored).toMatchObject({ occurredAt: ahead });
  });

  it('answers malformed JSON with 400', async () => {
    const res = await ingestApp(t.database).app.request('/v1/events', { ...authed({}), body: '{"id": ' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad_request');
  });

  it('stores an event sent twice with the same id once', async () => {
    const { app } = ingestApp(t.database);
    const first = (await (await app.request('/v1/events', authed(event('a-3')))).json()) as { events: Array<{ eventId: number }> };
    const second = await app.request('/v1/events', authed(event('a-3')));
    expect(second.status).toBe(202);
    expect(await second.json()).toEqual({
      accepted: 0,
      duplicates: 1,
      events: [{ index: 0, id: 'a-3', eventId: first.events[0]!.eventId, duplicate: true }],
    });
  });

  it('uses the Idempotency-Key as the dedupe key of an event without an id', async () => {
    const { app } = ingestApp(t.database);
    const { id: _, ...noId } = event('x');
    const send = () => app.request('/v1/events', authed(noId, { 'idempotency-key': 'req-77' }));
    expect(await (await send()).json()).toMatchObject({ accepted: 1, events: [{ id: 'req-77' }] });
    expect(await (await send()).json()).toMatchObject({ accepted: 0, duplicates: 1 });
    const withoutKey = await app.request('/v1/events', authed(noId));
    expect(withoutKey.status).toBe(400);
    expect(await withoutKey.json()).toMatchObject({
      error: { details: { errors: [{ path: 'id', message: 'required unless an Idempotency-Key header is given' }] } },
    });
  });

  it('lands consent events in the ledger with their evidence', async () => {
    const consent = {
      id: 'a-consent-1',
      type: 'consent.granted',
      occurred_at: '2026-11-20T08:00:00Z',
      contact: { email: 'grace@example.com' },
      properties: {
        purpose: 'email.marketing',
        text: 'Yes, send me offers',
        text_version: 'signup-v3',
        source: 'footer-form',
        ip: '198.51.100.4',
        user_agent: 'Mozilla/5.0',
      },
    };
    expect((await ingestApp(t.database).app.request('/v1/events', authed(consent))).status).toBe(202);
    const [row] = await t.database.db.select().from(consentRecords).where(eq(consentRecords.purpose, 'email.marketing'));
    expect(row).toMatchObject({
      granted: true,
      text: 'Yes, send me offers',
      textVersion: 'signup-v3',
      source: 'footer-form',
      ip: '198.51.100.4',
      userAgent: 'Mozilla/5.0',
      occurredAt: new Date('2026-11-20T08:00:00Z'),
    });
    expect(row!.eventId).toBeTypeOf('number');
  });
});

describe(`POST /v1/events/batch on ${backend}`, () => {
  it('stores a valid batch and reports each item', async () => {
    const res = await ingestApp(t.database).app.request('/v1/events/batch', authed({ events: [event('b-1'), event('b-2'), event('b-1')] }));
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({
      accepted: 2,
      duplicates: 1,
      events: [
        { index: 0, id: 'b-1', duplicate: false },
        { index: 1, id: 'b-2', duplicate: false },
        { index: 2, id: 'b-1', duplicate: true },
      ],
    });
  });

  it('is all-or-nothing: one bad item stores nothing and the errors name each item', async () => {
    const before = await counts(t.database);
    const bad = {
      events: [event('b-3'), event('b-4', { contact: { id: 'c-1', timezone: 'Mars/Olympus' } }), event('b-5', { type: 'Order Created' })],
    };
    const res = await ingestApp(t.database).app.request('/v1/events/batch', authed(bad));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: {
        code: 'validation_failed',
        details: {
          errors: [
            { index: 1, path: 'events[1].contact.timezone', message: 'expected an IANA time zone such as Europe/Warsaw' },
            { index: 2, path: 'events[2].type', message: 'expected a dotted lower-case event type such as checkout.started' },
          ],
        },
      },
    });
    expect(await counts(t.database)).toEqual(before);
  });

  it('refuses a batch with one future-dated item: 400 naming its index and field, nothing stored', async () => {
    const before = await counts(t.database);
    const batch = {
      events: [
        event('b-now'),
        event('b-later', { occurred_at: '2026-11-23T10:06:00Z' }),
        event('b-skewed', { occurred_at: '2026-11-23T10:04:00Z' }),
      ],
    };
    const res = await ingestApp(t.database).app.request('/v1/events/batch', authed(batch));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: {
        code: 'validation_failed',
        message:
          'invalid batch, nothing was stored: events[1].occurred_at: 2026-11-23T10:06:00Z is 6m in the future (more than 5 minutes after it was received); send the time the event happened',
        details: {
          errors: [
            {
              index: 1,
              path: 'events[1].occurred_at',
              message:
                '2026-11-23T10:06:00Z is 6m in the future (more than 5 minutes after it was received); send the time the event happened',
            },
          ],
        },
      },
    });
    expect(await counts(t.database)).toEqual(before);
    expect(await t.database.db.select().from(events).where(eq(events.dedupeKey, 'b-now'))).toEqual([]);
  });

  it('refuses more than 1000 events', async () => {
    const res = await ingestApp(t.database).app.request(
      '/v1/events/batch',
      authed({ events: Array.from({ length: 1001 }, (_, i) => event(`big-${i}`)) }),
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { details: { errors: [{ path: 'events', message: 'expected at most 1000 events per batch' }] } },
    });
  });

  it('keys items without an id by Idempotency-Key and position, so a retried batch stores nothing new', async () => {
    const { app } = ingestApp(t.database);
    const { id: _, ...noId } = event('x');
    const batch = { events: [noId, { ...noId, type: 'checkout.updated' }] };
    const first = await app.request('/v1/events/batch', authed(batch, { 'idempotency-key': 'batch-9' }));
    expect(await first.json()).toMatchObject({ accepted: 2, events: [{ id: 'batch-9:0' }, { id: 'batch-9:1' }] });
    const retry = await app.request('/v1/events/batch', authed(batch, { 'idempotency-key': 'batch-9' }));
    expect(await retry.json()).toMatchObject({ accepted: 0, duplicates: 2 });
    expect(await t.database.db.select().from(events).where(like(events.dedupeKey, 'batch-9:%'))).toHaveLength(2);
  });

  it('takes a full batch of 1000 in one request', async () => {
    const many = Array.from({ length: 1000 }, (_, i) => event(`k-${i}`, { contact: { id: `bulk-${i % 50}` } }));
    const res = await ingestApp(t.database).app.request('/v1/events/batch', authed({ events: many }));
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ accepted: 1000, duplicates: 0 });
    expect(await t.database.db.select().from(contacts).where(like(contacts.externalId, 'bulk-%'))).toHaveLength(50);
  });
});
