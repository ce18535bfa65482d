import { describe, expect, it } from 'vitest';
import { backend, useTestDatabase } from '../helpers/db';
import { authed, ingestApp } from './ingest-app';

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

  it('refuses an email that belongs to another contact with 409, changing nothing', async () => {
    const { app } = ingestApp(t.database);
    await app.request('/v1/contacts/c-300', put({ email: 'sam@example.com' }));
    await app.request('/v1/contacts/c-301', put({ email: 'kim@example.com' }));
    const res = await app.request('/v1/contacts/c-301', put({ email: 'sam@example.com', locale: 'de' }));
    expect(res.status).toBe(409);
    const unchanged = await app.request('/v1/contacts/c-301', put({}));
    expect(await unchanged.json()).toMatchObject({ email: 'kim@example.com', locale: null });
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
