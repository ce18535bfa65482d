import { describe, expect, it } from 'vitest';
import { parseEvent, parseEventBatch, parseEventBody } from '../../src/events/schema';

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

  it('requires a contact with an id or an email', () => {
    expect(parseEvent({ id: 'e', type: 'a.b', contact: {} }, { now })).toEqual({
      ok: false,
      error: [{ path: 'contact', message: 'expected an id or an email (a contact is matched by either)' }],
    });
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
  });

  it('tells one event from a batch by a top-level events array', () => {
    const one = parseEventBody(ok, { now });
    const many = parseEventBody({ events: [ok, { ...ok, id: 'evt_02' }] }, { now });
    expect(one.ok && one.value.length).toBe(1);
    expect(many.ok && many.value.length).toBe(2);
  });
});
