import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyProject } from '../../../src/campaigns/apply';
import { hashAddress } from '../../../src/consent/address-hash';
import type { Services } from '../../../src/runtime/services';
import { backend, useTestDatabase } from '../../helpers/db';
import { at, HOUR, plus, query } from '../../helpers/engine';
import { API_KEY, authed } from '../../http/ingest-app';
import { openRuntime, outbox, sampleProject, virtualClock } from '../../e2e/runtime';
import { digest, rowsMentioning } from './fixtures';

/**
 * GDPR export and erase through HTTP on the runtime as `npm start` wires it (outbox transport,
 * the sample abandoned cart, a virtual clock): what the export holds, that it writes nothing,
 * what an erasure cancels, deletes and keeps, and what a re-import of the same address gets.
 */
const t = useTestDatabase('gdpr_http');
const KEY = 'gdpr-test-suppression-key-0123';
const clock = virtualClock(at('2026-11-23T09:00:00Z'));
let services: Services;

beforeAll(async () => {
  services = await openRuntime(t.database, clock, { SUPPRESSION_KEY: KEY, PUBLIC_URL: 'https://shop.example' });
  await applyProject(services.database, sampleProject({ holdouts: { 'abandoned-cart': '0%' }, only: ['abandoned-cart'] }), clock.now());
});

const bearer = { authorization: `Bearer ${API_KEY}` };
const person = (id: string) => ({ id, email: `${id}@example.com`, timezone: 'Europe/Warsaw', locale: 'en' });
const get = (path: string, headers: Record<string, string> = bearer) => services.app.request(path, { headers });
const del = (path: string, headers: Record<string, string> = bearer) => services.app.request(path, { method: 'DELETE', headers });

async function post(events: unknown[]) {
  const res = await services.app.request('/v1/events/batch', authed({ events }));
  expect(res.status, await res.clone().text()).toBe(202);
}

const grant = (id: string, key: string, when: Date) => ({
  id: key,
  type: 'consent.granted',
  occurred_at: when.toISOString(),
  contact: person(id),
  properties: { purpose: 'email.marketing', source: 'signup-form', text: 'Send me offers', text_version: 'v1', ip: '192.0.2.7' },
});
const checkout = (id: string, key: string, when: Date) => ({
  id: key,
  type: 'checkout.started',
  occurred_at: when.toISOString(),
  contact: person(id),
  properties: { checkout_id: `k-${key}`, total: 40, currency: 'EUR', url: `https://shop.example/cart/${key}`, items: [] },
});

/** Ticks at these instants, the clock following. */
async function ticks(...instants: Date[]) {
  for (const when of instants) {
    clock.set(when);
    await services.tick(when);
  }
}

/** Consent and a checkout at `start`, then the ticks that send the cart reminder an hour later. */
async function cartReminder(id: string, start: Date) {
  clock.set(start);
  await post([grant(id, `${id}-grant`, start), checkout(id, `${id}-cart`, start)]);
  await ticks(start, plus(start, 1000), plus(start, HOUR + 1000), plus(start, HOUR + 2000));
}

const sendsTo = async (email: string) => (await outbox(services)).filter((m) => m.to.includes(email));

describe(`GDPR export and erase over HTTP on ${backend}`, () => {
  it('export holds the person’s profile, events, consent, runs, sends, orders and outbox mail, and nothing of another contact; GET writes nothing', async () => {
    const start = at('2026-11-23T10:00:00Z');
    await cartReminder('gx-ada', start);
    await cartReminder('gx-bo', plus(start, 60_000));
    clock.set(plus(start, 2 * HOUR));
    await post([
      {
        id: 'gx-ada-order',
        type: 'order.created',
        occurred_at: plus(start, 2 * HOUR).toISOString(),
        contact: person('gx-ada'),
        properties: { order_id: '820982911946154508', checkout_id: 'k-elsewhere', total: 12.5, currency: 'EUR', items: [] },
      },
    ]);
    await ticks(plus(start, 2 * HOUR + 1000));

    const before = await digest(t.database);
    const res = await get('/v1/contacts/gx-ada/export');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(await digest(t.database), 'a GET export writes nothing').toEqual(before);
    const data = JSON.parse(text);
    expect(data.contact).toMatchObject({ id: 'gx-ada', email: 'gx-ada@example.com', timezone: 'Europe/Warsaw', locale: 'en' });
    expect(data.identifiers.map((i: { kind: string; value: unknown }) => [i.kind, i.value]).slice(1)).toEqual([
      ['external', 'external:app:gx-ada'],
      ['email', 'email:gx-ada@example.com'],
    ]);
    expect(data.merges).toEqual([]);
    // Her first order moved her from prospect to new: customer analytics' lifecycle.changed is hers too, and what it derived.
    expect(data.events.map((e: { type: string }) => e.type).sort()).toEqual([
      'checkout.started',
      'consent.granted',
      'lifecycle.changed',
      'order.created',
    ]);
    expect(
      data.events
        .filter((e: { dedupe_key: string }) => e.dedupe_key.startsWith('gx-'))
        .map((e: { dedupe_key: string }) => e.dedupe_key)
        .sort(),
    ).toEqual(['gx-ada-cart', 'gx-ada-grant', 'gx-ada-order']);
    expect(data.customer).toMatchObject({ stage: 'new', orders: 1 });
    expect(data.consent).toEqual([
      expect.objectContaining({
        purpose: 'email.marketing',
        granted: true,
        text: 'Send me offers',
        ip: '192.0.2.7',
        occurred_at: start.toISOString(),
      }),
    ]);
    expect(data.runs).toEqual([expect.objectContaining({ campaign: 'abandoned-cart', status: 'active' })]);
    expect(data.sends).toEqual([expect.objectContaining({ template: 'cart-reminder', status: 'sent', run_id: data.runs[0].id })]);
    expect(data.orders).toEqual([
      expect.objectContaining({
        order_id: '820982911946154508',
        total: '12.50',
        currency: 'EUR',
        occurred_at: plus(start, 2 * HOUR).toISOString(),
      }),
    ]);
    expect(data.outbox).toEqual([
      expect.objectContaining({ send_id: data.sends[0].id, to: expect.stringContaining('gx-ada@example.com') }),
    ]);
    expect(data.outbox[0].raw).toContain('Subject:');
    expect(data.suppressions).toEqual([]);
    expect(typeof data.contact.contact_id).toBe('number');
    expect(text, 'nothing of the other contact').not.toContain('gx-bo');
  });

  it('answers 401 without the key, 404 for an unknown id, 400 for an id that is too long or has a NUL', async () => {
    expect((await get('/v1/contacts/gx-ada/export', {})).status).toBe(401);
    expect((await del('/v1/contacts/gx-ada', {})).status).toBe(401);
    const unknown = await get('/v1/contacts/nobody/export');
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: unknown }).error).toMatchObject({ code: 'not_found', details: { contact: 'nobody' } });
    expect((await del('/v1/contacts/nobody')).status).toBe(404);
    expect((await get(`/v1/contacts/${'x'.repeat(256)}/export`)).status).toBe(400);
    expect((await del(`/v1/contacts/${'x'.repeat(256)}`)).status).toBe(400);
    const nul = await get('/v1/contacts/a%00b/export');
    expect(nul.status).toBe(400);
    expect(((await nul.json()) as { error: { details: unknown } }).error.details).toBeDefined();
    expect(await rowsMentioning(t.database, 'gx-ada@example.com')).toHaveProperty('contacts', 1);
  });

  it('erase cancels the held send and the active run, deletes every row holding the address or id, logs the erasure and keeps the suppression; twice → 404', async () => {
    // 20:30 in Warsaw: the reminder falls in quiet hours (21:00–08:00) and is held as deferred.
    const start = at('2026-11-23T19:30:00Z');
    clock.set(start);
    await post([grant('gx-cy', 'gx-cy-grant', start), checkout('gx-cy', 'gx-cy-cart', start)]);
    await ticks(start, plus(start, 1000), plus(start, HOUR + 1000));
    const [held] = await query<{ contact_id: number; status: string; runs: number }>(
      t.database,
      sql`select s.contact_id, s.status, (select count(*) from runs r where r.contact_id = s.contact_id and r.status = 'active')::int as runs
          from sends s join contacts c on c.id = s.contact_id where c.external_id = 'gx-cy'`,
    );
    expect(held).toMatchObject({ status: 'deferred', runs: 1 });
    // One queued too: a second (hand-made) send of the same run.
    await t.database.db.execute(sql`
      insert into sends (run_id, step_key, contact_id, campaign, campaign_version_id, template, purpose, priority, status, not_before)
      select run_id, 'extra', contact_id, campaign, campaign_version_id, template, purpose, priority, 'queued', not_before from sends
      where contact_id = ${held!.contact_id}`);

    clock.set(plus(start, HOUR + 2000));
    const res = await del('/v1/contacts/gx-cy');
    expect(res.status).toBe(200);
    const report = await res.json();
    expect(report).toMatchObject({
      id: 'gx-cy',
      erased: true,
      suppressed: true,
      erased_at: plus(start, HOUR + 2000).toISOString(),
      counts: { events: 2, consent_records: 1, runs: 1, sends: 2, runs_exited: 1, sends_cancelled: 2, outbox_messages: 0 },
    });

    expect(await rowsMentioning(t.database, 'gx-cy'), 'no row holds the email or the external id').toEqual({});
    for (const table of ['runs', 'sends', 'events', 'consent_records']) {
      const [row] = await query<{ n: number }>(
        t.database,
        sql`select count(*)::int as n from ${sql.raw(table)} where contact_id = ${held!.contact_id}`,
      );
      expect(row!.n, table).toBe(0);
    }
    const log = await query<Record<string, unknown>>(t.database, sql`select contact_id, source, counts, erased_at from erasures`);
    expect(log).toEqual([expect.objectContaining({ contact_id: expect.anything(), source: 'api' })]);
    expect(Number(log[0]!.contact_id)).toBe(Number(held!.contact_id));
    const suppression = await query<{ reason: string; scope: string; source: string }>(
      t.database,
      sql`select reason, scope, source from suppressions where address_hash = ${hashAddress('GX-CY@example.com ', KEY)}`,
    );
    expect(suppression).toEqual([{ reason: 'erased', scope: 'all', source: 'api' }]);

    await ticks(at('2026-11-24T07:30:00Z'), at('2026-11-24T09:00:00Z'));
    expect(await sendsTo('gx-cy@example.com'), 'nothing is sent to the erased person').toEqual([]);
    expect((await del('/v1/contacts/gx-cy')).status, 'the second erase finds nobody').toBe(404);
    expect((await get('/v1/contacts/gx-cy/export')).status).toBe(404);
  });

  it('erase deletes the outbox messages addressed to the person and keeps their orders, unlinked', async () => {
    const res = await del('/v1/contacts/gx-ada');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { counts: unknown }).counts).toMatchObject({ outbox_messages: 1, orders_detached: 1, sends: 1 });
    expect(await rowsMentioning(t.database, 'gx-ada')).toEqual({});
    const [order] = await query<{ contact_id: number | null }>(
      t.database,
      sql`select contact_id from orders where order_id = '820982911946154508'`,
    );
    expect(order).toEqual({ contact_id: null });
    expect(await sendsTo('gx-bo@example.com'), 'another contact keeps their mail').toHaveLength(1);
  });

  it('a re-import of the erased address is never mailed without a fresh consent; a replayed old grant lifts nothing; a fresh one does', async () => {
    // Without consent: the same address comes back with a checkout.
    const day = at('2026-11-24T10:00:00Z');
    clock.set(day);
    await post([checkout('gx-cy', 'gx-cy-cart-2', day)]);
    await ticks(day, plus(day, 1000), plus(day, HOUR + 1000), plus(day, HOUR + 2000));
    expect(await sendsTo('gx-cy@example.com')).toEqual([]);

    // A grant dated before the erasure (a replay of an old form post): the suppression stays, the gate stops the send.
    const next = at('2026-11-25T10:00:00Z');
    clock.set(next);
    await post([grant('gx-cy', 'gx-cy-old-grant', at('2026-11-23T12:00:00Z')), checkout('gx-cy', 'gx-cy-cart-3', next)]);
    await ticks(next, plus(next, 1000), plus(next, HOUR + 1000), plus(next, HOUR + 2000));
    expect(await sendsTo('gx-cy@example.com')).toEqual([]);
    const [stopped] = await query<{ status: string; reason: string }>(
      t.database,
      sql`select s.status, s.reason from sends s join contacts c on c.id = s.contact_id where c.external_id = 'gx-cy'`,
    );
    expect(stopped).toEqual({ status: 'suppressed', reason: 'address is suppressed: erased' });

    // A fresh grant, recorded after the erasure: the `erased` suppression is lifted, mail flows again.
    const later = at('2026-11-26T10:00:00Z');
    clock.set(later);
    await post([grant('gx-cy', 'gx-cy-new-grant', later), checkout('gx-cy', 'gx-cy-cart-4', later)]);
    expect(await query(t.database, sql`select 1 from suppressions where address_hash = ${hashAddress('gx-cy@example.com', KEY)}`)).toEqual(
      [],
    );
    await ticks(later, plus(later, 1000), plus(later, HOUR + 1000), plus(later, HOUR + 2000));
    expect(await sendsTo('gx-cy@example.com')).toHaveLength(1);
  });

  it('POST /v1/consent after an erasure lifts the erased suppression too', async () => {
    const when = at('2026-11-27T09:00:00Z');
    clock.set(when);
    await post([grant('gx-eve', 'gx-eve-grant', when)]);
    expect((await del('/v1/contacts/gx-eve')).status).toBe(200);
    const hash = hashAddress('gx-eve@example.com', KEY);
    expect(await query(t.database, sql`select reason from suppressions where address_hash = ${hash}`)).toEqual([{ reason: 'erased' }]);
    clock.set(plus(when, 60_000));
    const res = await services.app.request(
      '/v1/consent',
      authed({
        id: 'gx-eve-consent-2',
        contact: person('gx-eve'),
        purpose: 'email.marketing',
        granted: true,
        source: 'signup-form',
        text: 'Send me offers',
        text_version: 'v2',
        ip: null,
        user_agent: null,
      }),
    );
    expect(res.status, await res.clone().text()).toBe(202);
    expect(await query(t.database, sql`select reason from suppressions where address_hash = ${hash}`)).toEqual([]);
  });

  it('a fresh consent never lifts a bounce or complaint suppression', async () => {
    const hash = hashAddress('gx-dee@example.com', KEY);
    await t.database.db.execute(
      sql`insert into suppressions (address_hash, reason, source, scope) values (${hash}, 'hard bounce', 'ses', 'all')`,
    );
    const when = at('2026-11-27T10:00:00Z');
    clock.set(when);
    await post([grant('gx-dee', 'gx-dee-grant', when)]);
    expect(await query(t.database, sql`select reason from suppressions where address_hash = ${hash}`)).toEqual([{ reason: 'hard bounce' }]);
    // Erasing an address that is already suppressed keeps that suppression as it is.
    const res = await del('/v1/contacts/gx-dee');
    expect(((await res.json()) as { suppressed: unknown }).suppressed).toBe(false);
    expect(await query(t.database, sql`select reason, source from suppressions where address_hash = ${hash}`)).toEqual([
      { reason: 'hard bounce', source: 'ses' },
    ]);
  });
});
