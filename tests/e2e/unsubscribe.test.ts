import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyProject } from '../../src/campaigns/apply';
import { signUnsubscribeToken, verifyUnsubscribeToken } from '../../src/consent/unsubscribe-token';
import { createApp } from '../../src/http/app';
import { createLogger } from '../../src/lib/log';
import { Metrics } from '../../src/metrics';
import type { Services } from '../../src/runtime/services';
import { createRenderer } from '../../src/render/renderer-files';
import { createOutboxTransport } from '../../src/sending/outbox';
import { backend, useTestDatabase } from '../helpers/db';
import { at, plus, query } from '../helpers/engine';
import { API_KEY, authed } from '../http/ingest-app';
import { queueOne, testDispatcher } from '../scheduler/dispatch/fixtures';
import { openRuntime, outbox, sampleProject, virtualClock } from './runtime';

/**
 * Issue 13 (consent), the unsubscribe half, end to end: the sample abandoned cart through HTTP and
 * the runtime's wiring (outbox transport, virtual clock) — what the sent MIME carries, what the
 * page and the one-click POST do to the ledger — and the promise that a withdrawal committed
 * while a contact has 1000 queued sends lets none of them out.
 */
const t = useTestDatabase('e2e_unsubscribe');
const LINK_KEY = 'e2e-unsubscribe-link-signing-key';
const POSTAL = 'Almanac Demo Shop, ul. Przykładowa 1, 00-001 Warszawa';
const clock = virtualClock(at('2026-11-23T09:00:00Z'));
let services: Services;

beforeAll(async () => {
  services = await openRuntime(t.database, clock, {
    PUBLIC_URL: 'https://shop.example',
    LINK_SIGNING_KEY: LINK_KEY,
    MAIL_POSTAL_ADDRESS: POSTAL,
    UNSUBSCRIBE_MAILTO: 'unsubscribe@shop.example',
  });
  await applyProject(services.database, sampleProject({ holdouts: { 'abandoned-cart': '0%' }, only: ['abandoned-cart'] }), clock.now());
});

const contact = (id: string, locale = 'en') => ({ id, email: `${id}@example.com`, timezone: 'Europe/Warsaw', locale });
const ledger = (id: string) =>
  query<{ purpose: string; granted: boolean; source: string; text: string | null; ip: string | null; user_agent: string | null }>(
    t.database,
    sql`select r.purpose, r.granted, r.source, r.text, r.ip, r.user_agent from consent_records r join contacts c on c.id = r.contact_id
        where c.external_id = ${id} order by r.id`,
  );

/** A consent and a checkout at 10:00 UTC, then the ticks that send the cart reminder an hour later. */
async function cartReminderFor(id: string, locale = 'en') {
  const start = at('2026-11-23T10:00:00Z');
  clock.set(start);
  const res = await services.app.request(
    '/v1/events/batch',
    authed({
      events: [
        {
          id: `${id}-c`,
          type: 'consent.granted',
          occurred_at: start.toISOString(),
          contact: contact(id, locale),
          properties: { purpose: 'email.marketing', source: 'test' },
        },
        {
          id: `${id}-k`,
          type: 'checkout.started',
          occurred_at: start.toISOString(),
          contact: contact(id, locale),
          properties: { checkout_id: `k-${id}`, total: 40, currency: 'EUR', url: `https://shop.example/cart/${id}`, items: [] },
        },
      ],
    }),
  );
  expect(res.status).toBe(202);
  for (const when of [start, plus(start, 1000), plus(start, 3_600_000 + 1000), plus(start, 3_600_000 + 2000)]) {
    clock.set(when);
    await services.tick(when);
  }
  const [message] = await outbox(services, { to: `${id}@example.com` });
  expect(message, 'the cart reminder went out').toBeDefined();
  const raw = await services.app.request(`/v1/outbox/${message!.id}/raw`, { headers: { authorization: `Bearer ${API_KEY}` } });
  expect(raw.status).toBe(200);
  expect(raw.headers.get('content-type')).toBe('message/rfc822');
  const mime = await raw.text();
  const header =
    /^List-Unsubscribe: <(https:\/\/shop\.example\/u\/([^>]+))>, <mailto:unsubscribe@shop\.example\?subject=unsubscribe%20[^>]+>\r?$/m.exec(
      mime.replace(/\r?\n[ \t]+/g, ' '),
    );
  expect(header, mime.slice(0, 2000)).not.toBeNull();
  return { message: message!, mime, url: header![1]!, token: header![2]! };
}

describe(`unsubscribe end to end on ${backend}`, () => {
  it('every marketing mail carries RFC 8058 headers, an unsubscribe link and the postal address; the outbox shows the exact MIME', async () => {
    const { mime, url, message } = await cartReminderFor('u-ada');
    expect(mime).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    expect(message.text).toContain(`Unsubscribe: ${url}`);
    expect(message.text).toContain(POSTAL);
    expect(mime).toContain('Unsubscribe</a>');
    const unauthenticated = await services.app.request(`/v1/outbox/${message.id}/raw`);
    expect(unauthenticated.status).toBe(401);
    expect((await services.app.request('/v1/outbox/999999/raw', { headers: { authorization: `Bearer ${API_KEY}` } })).status).toBe(404);
  });

  it('GET shows a page and changes nothing; one-click POST withdraws at once, answers 200 every time, and records it once', async () => {
    const { url } = await cartReminderFor('u-bo');
    const before = await ledger('u-bo');
    const page = await services.app.request(url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Unsubscribe from Offers, news and reminders');
    expect(html).toContain('Unsubscribe from all marketing email');
    for (let i = 0; i < 3; i++) await services.app.request(url); // link scanners
    expect(await ledger('u-bo')).toEqual(before);

    const oneClick = () =>
      services.app.request(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'user-agent': 'GoogleImageProxy',
          'x-forwarded-for': '203.0.113.9',
        },
        body: 'List-Unsubscribe=One-Click',
      });
    for (let i = 0; i < 3; i++) {
      const res = await oneClick();
      expect(res.status).toBe(200);
      expect(res.headers.get('location')).toBeNull();
    }
    const after = await ledger('u-bo');
    expect(after).toHaveLength(before.length + 1);
    expect(after.at(-1)).toMatchObject({
      purpose: 'email.marketing',
      granted: false,
      source: 'unsubscribe_link',
      ip: '203.0.113.9',
      user_agent: 'GoogleImageProxy',
      text: expect.stringContaining('one-click unsubscribe (RFC 8058)'),
    });
  });

  it('the page speaks Polish to Polish contacts, and its "all" button withdraws every marketing purpose', async () => {
    const { url } = await cartReminderFor('u-ola', 'pl');
    const page = await (await services.app.request(url)).text();
    expect(page).toContain('lang="pl"');
    expect(page).toContain('Wypisz mnie ze wszystkich');
    const res = await services.app.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'scope=all',
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Wypisano Cię ze wszystkich');
    expect((await ledger('u-ola')).at(-1)).toMatchObject({
      granted: false,
      source: 'unsubscribe_link',
      text: expect.stringContaining('unsubscribe page'),
    });
  });

  it('a tampered, random or foreign token is a 404 and changes nothing', async () => {
    const { token } = await cartReminderFor('u-cy');
    const before = await query<{ n: number }>(t.database, sql`select count(*)::int as n from consent_records`);
    const [sendId, sig] = token.split('.') as [string, string];
    const forged = [
      `${sendId}.${sig.slice(0, -1)}${sig.at(-1) === 'A' ? 'B' : 'A'}`,
      `${Number(sendId) + 1}.${sig}`,
      `${sendId}.${randomBytes(16).toString('base64url')}`,
      'preview',
      `${sendId}`,
      `${sendId}.${sig}x`,
      `0.${sig}`,
      '../../v1/outbox',
    ];
    for (let i = 0; i < 200; i++) forged.push(`${sendId}.${randomBytes(16).toString('base64url')}`);
    for (const f of forged) {
      for (const method of ['GET', 'POST']) {
        const res = await services.app.request(`/u/${encodeURIComponent(f)}`, {
          method,
          ...(method === 'POST'
            ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' }
            : {}),
        });
        expect(res.status, f).toBe(404);
      }
    }
    expect(await query<{ n: number }>(t.database, sql`select count(*)::int as n from consent_records`)).toEqual(before);
  });
});

describe('unsubscribe tokens', () => {
  it('10^5 random tokens verify for no send', () => {
    const subjects = [1, 2, 3, 42, 1000].map((sendId) => ({ sendId, contactId: sendId * 7, purpose: 'email.marketing' }));
    let hits = 0;
    for (let i = 0; i < 100_000; i++) {
      const s = subjects[i % subjects.length]!;
      if (verifyUnsubscribeToken(`${s.sendId}.${randomBytes(16).toString('base64url')}`, s, LINK_KEY)) hits++;
    }
    expect(hits).toBe(0);
    const genuine = signUnsubscribeToken(subjects[3]!, LINK_KEY);
    expect(verifyUnsubscribeToken(genuine, subjects[3]!, LINK_KEY)).toBe(true);
    expect(verifyUnsubscribeToken(genuine, { ...subjects[3]!, purpose: 'email.newsletter' }, LINK_KEY)).toBe(false);
    expect(verifyUnsubscribeToken(genuine, { ...subjects[3]!, contactId: 1 }, LINK_KEY)).toBe(false);
    expect(verifyUnsubscribeToken(genuine, subjects[3]!, `${LINK_KEY}-other`)).toBe(false);
  });
});

describe(`a withdrawal during 1000 queued sends on ${backend}`, () => {
  it('lets none of them out once it has committed', async () => {
    const now = at('2026-12-01T12:00:00Z');
    const first = await queueOne(t.database, { notBefore: now, campaign: 'bulk', template: 'hello' });
    // 999 more runs of the same campaign for the same contact, each with its queued send.
    await t.database.db.execute(sql`
      with r as (
        insert into runs (campaign_version_id, campaign, contact_id, entry_key, state, started_at)
        select campaign_version_id, campaign, contact_id, 'bulk-' || g, state, started_at
        from runs, generate_series(1, 999) g where id = (select run_id from sends where id = ${first.sendId})
        returning id, campaign_version_id, campaign, contact_id)
      insert into sends (run_id, step_key, contact_id, campaign, campaign_version_id, template, purpose, priority, payload, not_before)
      select r.id, 'steps[0]', r.contact_id, r.campaign, r.campaign_version_id, 'hello', 'email.marketing', 50, '{}'::jsonb, ${now.toISOString()}::timestamptz
      from r`);
    const app = createApp({
      database: t.database,
      metrics: new Metrics(),
      bodyLimitBytes: 65_536,
      log: () => {},
      messages: {
        renderer: createRenderer({ templatesDir: 'templates' }),
        linkSigningKey: LINK_KEY,
        publicUrl: 'https://shop.example',
        from: 'Shop <news@shop.example>',
      },
      now: () => now,
    });
    const token = signUnsubscribeToken({ sendId: first.sendId, contactId: first.contactId, purpose: 'email.marketing' }, LINK_KEY);
    const res = await app.request(`/u/${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);

    const { phase } = testDispatcher(t.database, createOutboxTransport({ database: t.database }), {
      batchSize: 200,
      log: createLogger('silent'),
    });
    for (let i = 0; i < 8; i++) await phase.run(plus(now, i * 1000));
    const statuses = await query<{ status: string; reason: string; n: number }>(
      t.database,
      sql`select status, reason, count(*)::int as n from sends where contact_id = ${first.contactId} group by status, reason`,
    );
    expect(statuses).toEqual([{ status: 'suppressed', reason: 'no consent for email.marketing (withdrawn)', n: 1000 }]);
    const sent = await query<{ n: number }>(
      t.database,
      sql`select count(*)::int as n from outbox_messages o join sends s on s.id = o.send_id where s.contact_id = ${first.contactId}`,
    );
    expect(sent).toEqual([{ n: 0 }]);
  });
});
