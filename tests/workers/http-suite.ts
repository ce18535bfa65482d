import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { has } from '../helpers/capabilities';
import { signUnsubscribeToken } from '../../src/consent/unsubscribe-token';
import type { CampaignPlan } from '../../src/dsl/plan';
import { isHeldOut } from '../../src/journey/holdout';
import { signClickToken } from '../../src/tracking/tokens';
import { viewInBrowserUrl } from '../../src/render/view-token';
import { checkoutBody } from '../e2e/shopify';
import { type FreshDatabase, freshDatabase, type Target } from './targets';

/**
 * One target's run of the suite: a fresh database (migrated and applied from Node), the target
 * started on it, the shared cases, then `more` (cases only that target can run). Skipped with a
 * message without DATABASE_URL (an error under ALMANAC_REQUIRE=postgres, as in CI).
 */
export function describeTarget(
  name: Target['name'],
  start: (database: FreshDatabase) => Promise<Target>,
  more: (target: () => Target) => void = () => {},
) {
  describe.runIf(has('postgres', `the HTTP suite on ${name}`))(`HTTP suite on ${name}`, () => {
    let database: FreshDatabase | undefined;
    let target: Target | undefined;
    beforeAll(async () => {
      database = await freshDatabase();
      target = await start(database);
    }, 120_000);
    afterAll(async () => {
      await target?.stop();
      await database?.drop();
    }, 60_000);
    httpSuite(() => target!);
    more(() => target!);
  });
}

/**
 * The HTTP suite both runtimes must pass (docs/workers-spike.md, plan item 7): plain fetch over
 * a real port with real headers, nothing in-process. Registered once per target by
 * ./node.test.ts and ./workerd.test.ts, each with a database of its own (so the two runs never
 * share rows); contact ids still carry the target's name and a random part.
 */
export function httpSuite(target: () => Target) {
  const t = () => target();
  const url = (path: string) => `${t().baseUrl}${path}`;
  const bearer = () => ({ authorization: `Bearer ${t().settings.API_KEYS}` });
  const api = (path: string, init: RequestInit = {}) =>
    fetch(url(path), { ...init, redirect: 'manual', headers: { ...bearer(), 'content-type': 'application/json', ...init.headers } });
  const unique = (what: string) => `${t().name}-${what}-${randomBytes(4).toString('hex')}`;

  async function exportOf(externalId: string) {
    const res = await api(`/v1/contacts/${encodeURIComponent(externalId)}/export`);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as { consent: Array<{ purpose: string; granted: boolean; source: string | null }> };
  }
  const marketingConsent = async (externalId: string) =>
    (await exportOf(externalId)).consent
      .filter((r) => r.purpose === 'email.marketing')
      .map((r) => ({ granted: r.granted, source: r.source }));

  it('GET /healthz answers 200 over PostgreSQL', async () => {
    const res = await fetch(url('/healthz'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', database: 'postgres' });
  });

  it('POST /v1/events: 202 with the API key, 401 without it', async () => {
    const id = unique('event');
    const event = { id: `${id}-viewed`, type: 'product.viewed', contact: { id, email: `${id}@example.com` }, properties: { sku: 'mug' } };
    const accepted = await api('/v1/events', { method: 'POST', body: JSON.stringify(event) });
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toMatchObject({ accepted: 1, duplicates: 0 });

    const refused = await fetch(url('/v1/events'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...event, id: `${id}-anonymous` }),
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await refused.json()).toMatchObject({ error: { code: 'unauthorized' } });
    const wrongKey = await api('/v1/events', { method: 'POST', body: JSON.stringify(event), headers: { authorization: 'Bearer nope' } });
    expect(wrongKey.status).toBe(401);
  });

  it('POST /webhooks/shopify: a valid HMAC is accepted, a bad one is 401 and stores nothing', async () => {
    const id = unique('shopify');
    const shopper = {
      customerId: String(7_200_000_000_000 + randomBytes(4).readUInt32BE()),
      email: `${id}@example.com`,
      firstName: 'Wanda',
      token: `${id}-token`,
    };
    const body = checkoutBody(shopper, new Date());
    const signed = (secret: string, webhookId: string): RequestInit => ({
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': 'checkouts/create',
        'x-shopify-webhook-id': webhookId,
        'x-shopify-shop-domain': 'almanac-demo.myshopify.com',
        'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body, 'utf8').digest('base64'),
      },
      body,
    });
    const forged = await fetch(url('/webhooks/shopify'), signed('not-the-shop-secret', `${id}-forged`));
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: { code: 'unauthorized' } });
    const events = t().database.sql`select count(*)::int as n from events where properties->>'checkout_id' = ${shopper.token}`;
    expect(await events).toEqual([{ n: 0 }]);

    const res = await fetch(url('/webhooks/shopify'), signed(t().settings.SHOPIFY_WEBHOOK_SECRET, `${id}-checkout`));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 2, duplicates: 0 }); // the consent and the checkout
    const again = await fetch(url('/webhooks/shopify'), signed(t().settings.SHOPIFY_WEBHOOK_SECRET, `${id}-checkout`));
    expect(again.status, 'a redelivery').toBe(200);
    expect(await t().database.sql`select count(*)::int as n from events where properties->>'checkout_id' = ${shopper.token}`).toEqual([
      { n: 1 },
    ]);
  });

  it('GET /c/:token: a link signed with LINK_SIGNING_KEY redirects 302 to its stored target; forged tokens redirect nowhere', async () => {
    const minted = await api('/v1/links', {
      method: 'POST',
      body: JSON.stringify({ campaign: 'abandoned-cart', network: 'sms', to: 'https://shop.example/products/mug' }),
    });
    expect(minted.status, await minted.clone().text()).toBe(201);
    const link = (await minted.json()) as { id: number; url: string; target: string };
    expect(link.target).toMatch(/^https:\/\/shop\.example\/products\/mug\?.*utm_source=sms/);
    // The token the code signs (src/tracking/tokens.ts) for that links row, made here with the key.
    const token = signClickToken(link.id, t().settings.LINK_SIGNING_KEY);
    expect(link.url).toBe(`${t().baseUrl}/c/${token}`);

    const click = await fetch(url(`/c/${token}`), {
      redirect: 'manual',
      headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0' },
    });
    expect(click.status).toBe(302);
    expect(click.headers.get('location')).toBe(link.target);
    expect(click.headers.get('cache-control')).toBe('no-store');

    const forgedTokens = [
      signClickToken(link.id, 'some-other-key-0123456789abcdef'),
      `${link.id + 1}${token.slice(String(link.id).length)}`, // another row's id under this row's signature
      `${link.id}.https%3A%2F%2Fevil.example`,
    ];
    for (const forged of forgedTokens) {
      const res = await fetch(url(`/c/${forged}`), { redirect: 'manual' });
      expect(res.status, forged).toBe(404);
      expect(res.headers.get('location'), forged).toBeNull();
    }
  });

  let reminded: Awaited<ReturnType<typeof abandonCart>> | undefined;

  it('the cron tick moves a cart-abandonment journey past its first wait and queues the reminder', async () => {
    reminded = await abandonCart(t(), 'cart');
    expect(reminded.run.status).toBe('active');
    expect(reminded.run.at, 'past `wait: 1h` (steps[0])').not.toBe('steps[0]');
    expect(reminded.send).toMatchObject({ template: 'cart-reminder', purpose: 'email.marketing' });
    expect(['queued', 'sent']).toContain(reminded.send.status);
  });

  it('the cron tick moves a cart-abandonment journey … and the send reaches the outbox', async () => {
    const r = reminded ?? (await abandonCart(t(), 'outbox'));
    await t().scheduled(); // a tick whose dispatch phase sends what the last one queued
    const message = await poll(async () => {
      const res = await api('/v1/outbox?limit=100');
      expect(res.status).toBe(200);
      const { messages } = (await res.json()) as { messages: Array<{ send_id: number; to: string; subject: string; text: string }> };
      return messages.find((m) => m.to === r.email);
    }, 10_000);
    const [send] = await t().database.sql<
      Array<{ status: string; reason: string | null }>
    >`select status, reason from sends where id = ${r.send.id}`;
    expect(send, 'the reminder is sent (dispatched), not left queued or failed').toEqual({ status: 'sent', reason: null });
    expect(message, `no message to ${r.email} in GET /v1/outbox`).toBeDefined();
    expect(message!.send_id).toBe(Number(r.send.id));
    expect(message!.text).toContain('2 × Stoneware mug');
    expect(message!.text).toMatch(new RegExp(`${t().baseUrl.replace(/[.]/g, '\\.')}/c/\\d+\\.`));
    // "View in your browser": the same applied templates render the message again on this runtime.
    const view = await fetch(viewInBrowserUrl(t().baseUrl, Number(r.send.id), t().settings.LINK_SIGNING_KEY));
    expect(view.status).toBe(200);
    expect(view.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await view.text()).toContain('Stoneware mug');
  });

  it('unsubscribe: GET shows the page and changes nothing; POST one-click withdraws the consent', async () => {
    const r = await abandonCart(t(), 'unsub');
    const token = signUnsubscribeToken(
      { sendId: Number(r.send.id), contactId: Number(r.send.contact_id), purpose: r.send.purpose },
      t().settings.LINK_SIGNING_KEY,
    );
    expect(await marketingConsent(r.id)).toEqual([{ granted: true, source: 'wsuite' }]);

    const page = await fetch(url(`/u/${token}`));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('Stop receiving Offers, news and reminders?');
    expect(html).toContain('<form method="post">');
    expect(await marketingConsent(r.id), 'GET changed nothing').toEqual([{ granted: true, source: 'wsuite' }]);

    const forged = await fetch(
      url(`/u/${signUnsubscribeToken({ sendId: Number(r.send.id), contactId: 1, purpose: 'email.marketing' }, 'x'.repeat(32))}`),
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      },
    );
    expect(forged.status).toBe(404);
    expect(await marketingConsent(r.id), 'a forged token changed nothing').toEqual([{ granted: true, source: 'wsuite' }]);

    const done = await fetch(url(`/u/${token}`), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('You are unsubscribed from Offers, news and reminders.');
    expect(await marketingConsent(r.id)).toEqual([
      { granted: true, source: 'wsuite' },
      { granted: false, source: 'unsubscribe_link' },
    ]);
  });

  it('GET /v1/calendar: the sample calendar as JSON (Christmas blacked out)', async () => {
    const res = await api('/v1/calendar?from=2026-12-20&to=2026-12-31');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { days: Array<{ date: string; blackout?: unknown }> };
    expect(JSON.stringify(body)).toContain('Christmas');
    const bad = await api('/v1/calendar?from=2026-12-31&to=2026-12-01');
    expect(bad.status).toBe(400);
  });

  it('GET /v1/reports/:campaign: the sample campaign report as JSON; an unknown campaign is 404', async () => {
    const res = await api('/v1/reports/abandoned-cart');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ campaign: 'abandoned-cart' });
    const unknown = await api('/v1/reports/no-such-campaign');
    expect(unknown.status).toBe(404);
  });
}

export const HOUR = 3_600_000;

/**
 * A shopper with marketing consent whose checkout started `ago` (default two hours: the first
 * `wait: 1h` is over) before now, in a time zone where it is mid-day at the tick (quiet hours
 * 21:00–08:00 are the contact's wall clock), outside the campaign's 10 % holdout — then one tick
 * (`target.scheduled(at)`). Resolves once the run has advanced and its cart reminder exists.
 * (On the calendar's blackout days, 25 December and 1 January in Warsaw, the reminder is
 * deferred instead and the outbox case fails: a wall-clock suite cannot dodge those.)
 */
export async function abandonCart(t: Target, label: string, o: { ago?: number; at?: Date } = {}) {
  const unique = () => `${t.name}-${label}-${randomBytes(4).toString('hex')}`;
  let id = unique();
  const plan = { id: 'abandoned-cart', holdoutPercent: 10 } as CampaignPlan;
  while (isHeldOut(plan, id)) id = unique();
  const now = Date.now();
  const contact = { id, email: `${id}@example.com`, timezone: middayZone(o.at ?? new Date(now)) };
  const events = [
    {
      id: `${id}-consent`,
      type: 'consent.granted',
      occurred_at: new Date(now - (o.ago ?? 2 * HOUR) - HOUR).toISOString(),
      contact,
      properties: {
        purpose: 'email.marketing',
        source: 'wsuite',
        text: 'Email me offers',
        text_version: 'v1',
        ip: '203.0.113.7',
        user_agent: 'wsuite',
      },
    },
    {
      id: `${id}-checkout`,
      type: 'checkout.started',
      occurred_at: new Date(now - (o.ago ?? 2 * HOUR)).toISOString(),
      contact,
      properties: {
        checkout_id: `${id}-checkout`,
        url: `https://shop.example/checkouts/${id}`,
        total: 64,
        currency: 'EUR',
        items: [{ product_id: 'p1', title: 'Stoneware mug', quantity: 2, price: 32 }],
      },
    },
  ];
  const res = await fetch(`${t.baseUrl}/v1/events/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.settings.API_KEYS}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  expect(res.status, await res.clone().text()).toBe(202);
  await t.scheduled(o.at);
  const found = await poll(async () => {
    const [run] = await t.database.sql<Array<{ status: string; at: string; started_at: Date }>>`
      select r.status, r.state->>'at' as at, r.started_at from runs r join contacts c on c.id = r.contact_id
      where c.external_id = ${id} and r.campaign = 'abandoned-cart'`;
    const [send] = await t.database.sql<Array<{ id: string; contact_id: string; purpose: string; template: string; status: string }>>`
      select s.id, s.contact_id, s.purpose, s.template, s.status from sends s join contacts c on c.id = s.contact_id
      where c.external_id = ${id} and s.campaign = 'abandoned-cart'`;
    return run && send ? { run, send } : undefined;
  });
  expect(found, `no run with a send for ${id} within 20 s of a tick`).toBeDefined();
  return { id, email: contact.email, ...found! };
}

/** A zone where it is now between 10:00 and 17:59, so no quiet hours hold the send (3 h apart at most). */
const ZONES = [
  'Pacific/Kiritimati',
  'Pacific/Auckland',
  'Australia/Sydney',
  'Asia/Tokyo',
  'Asia/Shanghai',
  'Asia/Bangkok',
  'Asia/Kolkata',
  'Asia/Dubai',
  'Europe/Moscow',
  'Europe/Warsaw',
  'Europe/London',
  'Atlantic/Azores',
  'America/Sao_Paulo',
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/Anchorage',
  'Pacific/Honolulu',
  'Pacific/Pago_Pago',
];
function middayZone(now: Date): string {
  const hourIn = (zone: string) =>
    Number(new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(now));
  const zone = ZONES.find((z) => hourIn(z) >= 10 && hourIn(z) <= 17);
  if (!zone) throw new Error(`no zone in the list is at mid-day at ${now.toISOString()}`);
  return zone;
}

/** Polls `probe` every 250 ms until it returns something, for at most `ms`; undefined if it never did. */
async function poll<T>(probe: () => Promise<T | undefined>, ms = 20_000): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await probe();
    if (got !== undefined || Date.now() > deadline) return got;
    await new Promise((r) => setTimeout(r, 250));
  }
}
