import { describe, expect, it } from 'vitest';
import { backend, useTestDatabase } from '../helpers/db';
import { authed, ingestApp, NO_EMAIL_MERGES } from './ingest-app';

const t = useTestDatabase('http_contacts');
const put = (body: unknown) => ({ ...authed(body), method: 'PUT' });

describe(`PUT /v1/contacts/:id on ${backend}`, () => {
  it('creates a contact by external id, then merges later attributes into it', async () => {
    const { app } = ingestApp(t.database);
    const created = await app.request(
      '/v1/contacts/c-100',
      put({ email: 'Lin@Example.com', timezone: 'Asia/Tokyo', attributes: { plan: 'free', city: 'Osaka' } }),
    );
    expect(created.status).toBe(200);
    const first = (await created.json()) as { contact_id: number };
    expect(first).toMatchObject({
      id: 'c-100',
      email: 'lin@example.com',
      timezone: 'Asia/Tokyo',
      attributes: { plan: 'free', city: 'Osaka' },
    });
    const updated = await app.request(
      '/v1/contacts/c-100',
      put({ attributes: { plan: 'pro' }, lifecycle_stage: 'customer', locale: 'ja' }),
    );
    expect(await updated.json()).toMatchObject({
      contact_id: first.contact_id,
      email: 'lin@example.com',
      timezone: 'Asia/Tokyo',
      locale: 'ja',
      lifecycle_stage: 'customer',
      attributes: { plan: 'pro', city: 'Osaka' },
    });
  });

  it('gives an id to a contact known only by email (from an event)', async () => {
    const { app } = ingestApp(t.database);
    await app.request('/v1/events', authed({ id: 'p-1', type: 'page.viewed', contact: { email: 'mo@example.com' } }));
    const res = await app.request('/v1/contacts/c-200', put({ email: 'mo@example.com' }));
    const body = (await res.json()) as { contact_id: number; id: string };
    const again = await app.request('/v1/events', authed({ id: 'p-2', type: 'page.viewed', contact: { id: 'c-200' } }));
    expect(again.status).toBe(202);
    expect(body.id).toBe('c-200');
    const second = (await (await app.request('/v1/contacts/c-200', put({}))).json()) as { contact_id: number };
    expect(second.contact_id).toBe(body.contact_id);
  });

  it('with MERGE_ON_EMAIL off, keeps an email with the contact that has it, stores the rest, and warns — the same rule as events', async () => {
    const { app } = ingestApp(t.database, { mergePolicy: NO_EMAIL_MERGES });
    await app.request('/v1/contacts/c-300', put({ email: 'sam@example.com' }));
    await app.request('/v1/contacts/c-301', put({ email: 'kim@example.com' }));
    const res = await app.request('/v1/contacts/c-301', put({ email: 'Sam@example.com', locale: 'de' }));
    expect(res.status).toBe(200);
    const warning = {
      field: 'email',
      code: 'email_conflict',
      held_by: 'c-300',
      message: 'sam@example.com already belongs to contact c-300: it stays there and was not set on this contact',
    };
    expect(await res.json()).toMatchObject({ id: 'c-301', email: 'kim@example.com', locale: 'de', warnings: [warning] });
    const created = await app.request('/v1/contacts/c-302', put({ email: 'sam@example.com' }));
    expect(await created.json()).toMatchObject({ id: 'c-302', email: null, warnings: [warning] });
    const owner = await app.request('/v1/contacts/c-300', put({}));
    const body = (await owner.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ email: 'sam@example.com' });
    expect(body).not.toHaveProperty('warnings');

    // An event naming another external id with the same email: stored, on its own contact, with the same warning.
    const event = await app.request(
      '/v1/events/batch',
      authed({
        events: [
          { id: 'e-conf-1', type: 'page.viewed', contact: { id: 'c-303', email: 'sam@example.com' } },
          { id: 'e-conf-2', type: 'page.viewed', contact: { id: 'c-300', email: 'sam@example.com' } },
        ],
      }),
    );
    expect(event.status).toBe(202);
    expect(await event.json()).toMatchObject({
      accepted: 2,
      warnings: [{ index: 0, field: 'contact.email', code: 'email_conflict', held_by: 'c-300' }],
    });
    const c303 = await app.request('/v1/contacts/c-303', put({}));
    expect(await c303.json()).toMatchObject({ email: null });
  });

  it('by default, ten external ids sent with one email in one batch are one contact known by all ten', async () => {
    const { app } = ingestApp(t.database);
    const events = Array.from({ length: 10 }, (_, i) => ({
      id: `e-one-${i}`,
      type: 'page.viewed',
      contact: { id: `one-${i}`, email: 'one@example.com' },
    }));
    const res = await app.request('/v1/events/batch', authed({ events }));
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ accepted: 10 });
    const contacts = new Set(
      await Promise.all(
        events.map(
          async (e) => ((await (await app.request(`/v1/contacts/${e.contact.id}`, put({}))).json()) as { contact_id: number }).contact_id,
        ),
      ),
    );
    expect(contacts.size).toBe(1);
    const again = await app.request('/v1/contacts/one-7', put({}));
    expect(await again.json()).toMatchObject({ id: 'one-0', email: 'one@example.com' });
  });

  it('with MERGE_ON_EMAIL off, ten external ids sent with one email in one batch: the first keeps it, nine are warned, all events stored', async () => {
    const { app } = ingestApp(t.database, { mergePolicy: NO_EMAIL_MERGES });
    const events = Array.from({ length: 10 }, (_, i) => ({
      id: `e-ten-${i}`,
      type: 'page.viewed',
      contact: { id: `ten-${i}`, email: 'ten@example.com' },
    }));
    const res = await app.request('/v1/events/batch', authed({ events }));
    expect(res.status).toBe(202);
    const body = (await res.json()) as { accepted: number; warnings: Array<{ index: number; held_by: string }> };
    expect(body.accepted).toBe(10);
    expect(body.warnings).toHaveLength(9);
    const holder = body.warnings[0]!.held_by;
    expect(body.warnings.every((w) => w.held_by === holder)).toBe(true);
    expect(new Set(body.warnings.map((w) => `ten-${w.index}`)).has(holder)).toBe(false);
  });

  it('names bad fields with 400, and needs the API key', async () => {
    const { app } = ingestApp(t.database);
    const res = await app.request('/v1/contacts/c-400', put({ timezone: 'Europe/Warsa', colour: 'red' }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: {
        code: 'validation_failed',
        details: {
          errors: [
            { path: 'timezone', message: 'expected an IANA time zone such as Europe/Warsaw' },
            { path: 'colour', message: 'unknown field' },
          ],
        },
      },
    });
    const anonymous = await app.request('/v1/contacts/c-400', { method: 'PUT', body: '{}' });
    expect(anonymous.status).toBe(401);
  });
});
