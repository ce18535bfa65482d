import { eq, like } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { events } from '../../src/storage/schema/index';
import { backend, useTestDatabase } from '../helpers/db';
import { counts, ingestApp, NOW, standardRequest } from './ingest-app';

const t = useTestDatabase('http_ingest_webhook');
const event = (id?: string) => ({
  ...(id === undefined ? {} : { id }),
  type: 'lifecycle.changed',
  contact: { id: 'crm-1', email: 'joan@example.com' },
  properties: { from: 'lead', to: 'customer' },
});
const at = (secondsFromNow: number) => new Date(NOW.getTime() + secondsFromNow * 1000);

describe(`POST /webhooks/ingest/:source on ${backend}`, () => {
  it('accepts a delivery signed with the source secret and stores it under that source', async () => {
    const res = await ingestApp(t.database).app.request(
      '/webhooks/ingest/crm',
      standardRequest(JSON.stringify(event('crm-evt-1')), 'msg_1', at(-30)),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 1, events: [{ id: 'crm-evt-1', duplicate: false }] });
    const [row] = await t.database.db.select().from(events).where(eq(events.dedupeKey, 'crm-evt-1'));
    expect(row).toMatchObject({ source: 'crm', type: 'lifecycle.changed' });
  });

  it('keys a batch without ids by the webhook id', async () => {
    const body = JSON.stringify({ events: [event(), event()] });
    const res = await ingestApp(t.database).app.request('/webhooks/ingest/crm', standardRequest(body, 'msg_2', NOW));
    expect(await res.json()).toMatchObject({ accepted: 2, events: [{ id: 'crm:msg_2:0' }, { id: 'crm:msg_2:1' }] });
  });

  it('refuses a bad signature, an unknown source and missing headers with 401, storing nothing', async () => {
    const { app } = ingestApp(t.database);
    const before = await counts(t.database);
    const body = JSON.stringify(event('crm-evt-bad'));
    const otherSecret = `whsec_${Buffer.from('some-other-secret-of-32-bytes!!!').toString('base64')}`;
    const wrongKey = await app.request('/webhooks/ingest/crm', standardRequest(body, 'msg_3', NOW, otherSecret));
    expect(wrongKey.status).toBe(401);
    expect(await wrongKey.json()).toMatchObject({
      error: { code: 'unauthorized', message: expect.stringContaining('webhook-signature does not match') },
    });
    const signed = standardRequest(body, 'msg_3', NOW);
    const altered = await app.request('/webhooks/ingest/crm', { ...signed, body: body.replace('customer', 'churned') });
    expect(altered.status).toBe(401);
    const unknown = await app.request('/webhooks/ingest/erp', standardRequest(body, 'msg_3', NOW));
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toContain('INGEST_SECRETS');
    const bare = await app.request('/webhooks/ingest/crm', { method: 'POST', body });
    expect(bare.status).toBe(401);
    expect(await counts(t.database)).toEqual(before);
  });

  it('refuses a timestamp more than 5 minutes from now, either way', async () => {
    const { app } = ingestApp(t.database);
    const body = JSON.stringify(event('crm-evt-stale'));
    const stale = await app.request('/webhooks/ingest/crm', standardRequest(body, 'msg_4', at(-301)));
    expect(stale.status).toBe(401);
    expect(((await stale.json()) as { error: { message: string } }).error.message).toBe(
      'webhook-timestamp is 301 s from now, more than the 300 s allowed',
    );
    expect((await app.request('/webhooks/ingest/crm', standardRequest(body, 'msg_4', at(301)))).status).toBe(401);
    expect((await app.request('/webhooks/ingest/crm', standardRequest(body, 'msg_4', at(-299)))).status).toBe(200);
  });

  it('answers a replay of a delivery 200 { duplicate: true } and stores nothing new', async () => {
    const { app } = ingestApp(t.database);
    const first = standardRequest(JSON.stringify({ events: [event()] }), 'msg_5', NOW);
    expect((await app.request('/webhooks/ingest/crm', first)).status).toBe(200);
    const before = await counts(t.database);
    const replay = await app.request('/webhooks/ingest/crm', standardRequest(JSON.stringify({ events: [event()] }), 'msg_5', at(60)));
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ duplicate: true });
    expect(await counts(t.database)).toEqual(before);
    expect(await t.database.db.select().from(events).where(like(events.dedupeKey, 'crm:msg_5:%'))).toHaveLength(1);
  });

  it('accepts any one of several signatures (secret rotation)', async () => {
    const body = JSON.stringify(event('crm-evt-rotated'));
    const good = standardRequest(body, 'msg_6', NOW);
    const headers = good.headers as Record<string, string>;
    const res = await ingestApp(t.database).app.request('/webhooks/ingest/crm', {
      ...good,
      headers: { ...headers, 'webhook-signature': `v1,b2xkLXNpZ25hdHVyZQ== ${headers['webhook-signature']}` },
    });
    expect(res.status).toBe(200);
  });

  it('answers an invalid event 400 naming the field', async () => {
    const body = JSON.stringify({ ...event('crm-evt-invalid'), contact: { id: 'crm-1', timezone: 'Warsaw' } });
    const res = await ingestApp(t.database).app.request('/webhooks/ingest/crm', standardRequest(body, 'msg_7', NOW));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { details: { errors: [{ path: 'contact.timezone' }] } } });
  });

  it('refuses an event dated more than 5 minutes after the delivery arrived, naming occurred_at; nothing stored', async () => {
    const { app } = ingestApp(t.database);
    const before = await counts(t.database);
    const future = JSON.stringify({ ...event('crm-evt-future'), occurred_at: at(3600).toISOString() });
    const res = await app.request('/webhooks/ingest/crm', standardRequest(future, 'msg_8', NOW));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: {
        code: 'validation_failed',
        details: {
          errors: [
            {
              path: 'occurred_at',
              message:
                '2026-11-23T11:00:00.000Z is 1h in the future (more than 5 minutes after it was received); send the time the event happened',
            },
          ],
        },
      },
    });
    expect(await counts(t.database)).toEqual(before);
    // Within the 5 minutes of skew it is accepted, at its own time.
    const skewed = JSON.stringify({ ...event('crm-evt-skewed'), occurred_at: at(240).toISOString() });
    expect((await app.request('/webhooks/ingest/crm', standardRequest(skewed, 'msg_9', NOW))).status).toBe(200);
    const [row] = await t.database.db.select().from(events).where(eq(events.dedupeKey, 'crm-evt-skewed'));
    expect(row).toMatchObject({ occurredAt: at(240) });
  });

  it('refuses a batch with one future-dated item, naming its index; nothing stored', async () => {
    const before = await counts(t.database);
    const body = JSON.stringify({ events: [event(), { ...event(), occurred_at: at(301 + 5 * 60).toISOString() }] });
    const res = await ingestApp(t.database).app.request('/webhooks/ingest/crm', standardRequest(body, 'msg_10', NOW));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { details: { errors: [{ index: 1, path: 'events[1].occurred_at' }] } } });
    expect(await counts(t.database)).toEqual(before);
  });
});
