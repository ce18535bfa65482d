import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { MAX_FUTURE_SKEW_MS, parseEvent, parseEventBatch, parseEventBody } from '../../src/events/schema';
import { mapShopifyWebhook } from '../../src/events/shopify';

const now = new Date('2026-11-23T10:00:00Z');
const ok = {
  id: 'evt_01',
  type: 'checkout.started',
  contact: { id: 'c-42', email: 'Ada@Example.com' },
  properties: { checkout_id: 'k-9' },
};

describe('event schema', () => {
  it('parses the documented shape, lower-cases the email and defaults occurred_at to receipt time', () => {
    const r = parseEvent(ok, { now });
    expect(r).toEqual({
      ok: true,
      value: [
        {
          dedupeKey: 'evt_01',
          type: 'checkout.started',
          occurredAt: now,
          contact: { externalId: 'c-42', email: 'ada@example.com' },
          properties: { checkout_id: 'k-9' },
        },
      ],
    });
  });

  it('keeps an explicit occurred_at with its offset as the same instant', () => {
    const r = parseEvent({ ...ok, occurred_at: '2026-11-23T11:00:00+01:00' }, { now });
    expect(r.ok && r.value[0]!.occurredAt.toISOString()).toBe('2026-11-23T10:00:00.000Z');
  });

  it('names every bad field with what it expected', () => {
    const r = parseEvent(
      { type: 'Checkout', ocurred_at: 'yesterday', contact: { email: 'not-an-email', timezone: 'Europe/Warsa', locale: 'polish!' } },
      { now },
    );
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toEqual(
      expect.arrayContaining([
        { path: 'type', message: 'expected a dotted lower-case event type such as checkout.started' },
        { path: 'contact.email', message: 'expected an email address' },
        { path: 'contact.timezone', message: 'expected an IANA time zone such as Europe/Warsaw' },
        { path: 'contact.locale', message: 'expected a locale such as pl or en-GB' },
        { path: 'ocurred_at', message: 'unknown field' },
      ]),
    );
  });

  it('requires a contact with an id, an email or identifiers, each identifier in its shape', () => {
    expect(parseEvent({ id: 'e', type: 'a.b', contact: {} }, { now })).toEqual({
      ok: false,
      error: [{ path: 'contact', message: 'expected an id, an email or identifiers (a contact is matched by any of them)' }],
    });
    expect(parseEvent({ id: 'e', type: 'a.b', contact: { identifiers: ['phone:+48 601-234-567', 'EMAIL:x@y.z'] } }, { now })).toEqual({
      ok: false,
      error: [
        {
          path: 'contact.identifiers[1]',
          message:
            'expected an identifier such as email:ana@example.com, external:crm:42, shopify:<shop>:<customer id> or phone:+48601234567',
        },
      ],
    });
    const parsed = parseEvent(
      {
        id: 'e',
        type: 'a.b',
        contact: { identifiers: ['phone:+48 601-234-567', 'shopify:Demo.myshopify.com:42', 'email:Ana@Example.com'] },
      },
      { now },
    );
    expect(parsed.ok && parsed.value[0]!.contact.identifiers).toEqual([
      'phone:+48601234567',
      'shopify:demo.myshopify.com:42',
      'email:ana@example.com',
    ]);
    expect(parseEvent({ id: 'e', type: 'a.b' }, { now })).toEqual({ ok: false, error: [{ path: 'contact', message: 'required' }] });
  });

  it('requires an id unless an Idempotency-Key is given, which then becomes the dedupe key', () => {
    const { id: _, ...noId } = ok;
    expect(parseEvent(noId, { now })).toEqual({
      ok: false,
      error: [{ path: 'id', message: 'required unless an Idempotency-Key header is given' }],
    });
    const r = parseEvent(noId, { now, idempotencyKey: 'req-1' });
    expect(r.ok && r.value[0]!.dedupeKey).toBe('req-1');
    const withId = parseEvent(ok, { now, idempotencyKey: 'req-1' });
    expect(withId.ok && withId.value[0]!.dedupeKey).toBe('evt_01');
  });

  it('gives batch item i without an id the key `${Idempotency-Key}:${i}`', () => {
    const { id: _, ...noId } = ok;
    const r = parseEventBatch({ events: [noId, ok, noId] }, { now, idempotencyKey: 'batch-7' });
    expect(r.ok && r.value.map((e) => e.dedupeKey)).toEqual(['batch-7:0', 'evt_01', 'batch-7:2']);
  });

  it('reports batch errors with the item index in the path', () => {
    const r = parseEventBatch({ events: [ok, { ...ok, contact: { email: 'x' } }, ok, { ...ok, type: 7 }] }, { now });
    expect(!r.ok && r.error).toEqual([
      { path: 'events[1].contact.email', message: 'expected an email address' },
      { path: 'events[3].type', message: 'expected an event type' },
    ]);
  });

  it('refuses an empty batch and one over 1000 events', () => {
    expect(parseEventBatch({ events: [] }, { now })).toEqual({
      ok: false,
      error: [{ path: 'events', message: 'expected at least one event' }],
    });
    const big = parseEventBatch({ events: Array.from({ length: 1001 }, (_, i) => ({ ...ok, id: `e${i}` })) }, { now });
    expect(!big.ok && big.error).toEqual([{ path: 'events', message: 'expected at most 1000 events per batch' }]);
  });

  it('checks the properties the consent ledger and orders need', () => {
    const consent = parseEvent({ ...ok, type: 'consent.granted', properties: { text: 'Yes, mail me' } }, { now });
    expect(!consent.ok && consent.error).toEqual([{ path: 'properties.purpose', message: 'required' }]);
    const order = parseEvent({ ...ok, type: 'order.created', properties: { order_id: 'o-1', total: 'lots', currency: 'euro' } }, { now });
    expect(!order.ok && order.error).toEqual([
      { path: 'properties.total', message: 'expected an amount such as 129.00' },
      { path: 'properties.currency', message: 'expected an ISO 4217 currency code such as EUR' },
    ]);
    // An order cannot be negative (a refund is its own event), nor in a currency nobody reports in.
    const odd = parseEvent({ ...ok, type: 'order.created', properties: { order_id: 'o-2', total: -5, currency: 'EUX' } }, { now });
    expect(!odd.ok && odd.error).toEqual([
      { path: 'properties.total', message: 'expected an amount of 0 or more (a refund is order.refunded)' },
      { path: 'properties.currency', message: 'expected a known ISO 4217 currency code such as EUR or PLN' },
    ]);
    const refund = parseEvent({ ...ok, type: 'order.refunded', properties: { order_id: 'o-1', amount: 0 } }, { now });
    expect(!refund.ok && refund.error).toEqual([{ path: 'properties.amount', message: 'expected an amount above 0' }]);
  });

  it('tells one event from a batch by a top-level events array', () => {
    const one = parseEventBody(ok, { now });
    const many = parseEventBody({ events: [ok, { ...ok, id: 'evt_02' }] }, { now });
    expect(one.ok && one.value.length).toBe(1);
    expect(many.ok && many.value.length).toBe(2);
  });
});

describe('events dated in the future', () => {
  const later = (ms: number) => new Date(now.getTime() + ms).toISOString();

  it('allows 5 minutes of clock skew, no more', () => {
    expect(MAX_FUTURE_SKEW_MS).toBe(5 * 60_000);
    expect(parseEvent({ ...ok, occurred_at: later(4 * 60_000) }, { now }).ok).toBe(true);
    expect(parseEvent({ ...ok, occurred_at: later(MAX_FUTURE_SKEW_MS) }, { now }).ok).toBe(true);
    expect(parseEvent({ ...ok, occurred_at: later(MAX_FUTURE_SKEW_MS + 1_000) }, { now })).toEqual({
      ok: false,
      error: [
        {
          path: 'occurred_at',
          message:
            '2026-11-23T10:05:01.000Z is 5m1s in the future (more than 5 minutes after it was received); send the time the event happened',
        },
      ],
    });
  });

  it('names the time as sent and how far ahead it is, offsets included', () => {
    const r = parseEvent({ ...ok, occurred_at: '2026-11-23T12:00:00Z' }, { now });
    expect(!r.ok && r.error).toEqual([
      {
        path: 'occurred_at',
        message: '2026-11-23T12:00:00Z is 2h in the future (more than 5 minutes after it was received); send the time the event happened',
      },
    ]);
    const offset = parseEvent({ ...ok, occurred_at: '2026-11-24T14:30:00+01:00' }, { now });
    expect(!offset.ok && offset.error[0]!.message).toBe(
      '2026-11-24T14:30:00+01:00 is 1d3h30m in the future (more than 5 minutes after it was received); send the time the event happened',
    );
    // The same instant written with an offset is not in the future.
    expect(parseEvent({ ...ok, occurred_at: '2026-11-23T11:00:00+01:00' }, { now }).ok).toBe(true);
  });

  it('past events and events without occurred_at are fine', () => {
    expect(parseEvent({ ...ok, occurred_at: '2020-01-01T00:00:00Z' }, { now }).ok).toBe(true);
    expect(parseEvent(ok, { now }).ok).toBe(true);
  });

  it('in a batch, names each future item by index; nothing is returned', () => {
    const r = parseEventBatch(
      { events: [ok, { ...ok, id: 'e2', occurred_at: later(3_600_000) }, { ...ok, id: 'e3', occurred_at: later(60_000) }] },
      { now },
    );
    expect(r).toEqual({
      ok: false,
      error: [
        {
          path: 'events[1].occurred_at',
          message:
            '2026-11-23T11:00:00.000Z is 1h in the future (more than 5 minutes after it was received); send the time the event happened',
        },
      ],
    });
  });

  it('reports a missing id and a future time of the same item together', () => {
    const { id: _, ...noId } = ok;
    const r = parseEvent({ ...noId, occurred_at: later(3_600_000) }, { now });
    expect(!r.ok && r.error.map((e) => e.path)).toEqual(['id', 'occurred_at']);
  });

  it('takes another allowance, or none: maxFutureSkewMs null is for replays (simulate), whose now is not a receipt time', () => {
    const hourAhead = { ...ok, occurred_at: later(3_600_000) };
    expect(parseEvent(hourAhead, { now, maxFutureSkewMs: null }).ok).toBe(true);
    expect(parseEventBody({ events: [hourAhead] }, { now, maxFutureSkewMs: null }).ok).toBe(true);
    expect(parseEvent(hourAhead, { now, maxFutureSkewMs: 2 * 3_600_000 }).ok).toBe(true);
    const strict = parseEvent({ ...ok, occurred_at: later(90_000) }, { now, maxFutureSkewMs: 60_000 });
    expect(!strict.ok && strict.error[0]!.message).toBe(
      '2026-11-23T10:01:30.000Z is 1m30s in the future (more than 1 minute after it was received); send the time the event happened',
    );
  });

  // Shopify webhooks are mapped into this shape and parsed here too: a delivery received after
  // the moment it describes, as Shopify sends them, is accepted.
  it.each([
    ['checkouts-create', 'checkouts/create'],
    ['checkouts-update', 'checkouts/update'],
    ['orders-create', 'orders/create'],
  ])('accepts the Shopify %s fixture received a second after its latest timestamp', (name, topic) => {
    const payload = JSON.parse(readFileSync(new URL(`../fixtures/shopify/${name}.json`, import.meta.url), 'utf8')) as unknown;
    const mapped = mapShopifyWebhook(topic, payload, 'wh-skew');
    if (!mapped.ok || mapped.value.kind !== 'events') throw new Error(`${name} did not map to events`);
    const latest = Math.max(...mapped.value.events.map((e) => Date.parse((e as { occurred_at: string }).occurred_at)));
    expect(parseEventBatch({ events: mapped.value.events }, { now: new Date(latest + 1_000) })).toMatchObject({ ok: true });
  });
});
