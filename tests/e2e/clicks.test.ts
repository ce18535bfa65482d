import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyProject } from '../../src/campaigns/apply';
import { createLocalAdmin } from '../../src/cli/admin-local';
import { almanacCli } from '../helpers/cli';
import { mkdirSync } from 'node:fs';
import { launchChromium, serveOnFreePort } from '../helpers/browser';
import { has } from '../helpers/capabilities';
import type { Services } from '../../src/runtime/services';
import { signClickToken } from '../../src/tracking/tokens';
import { backend, useTestDatabase } from '../helpers/db';
import { at, compileInline, plus, query } from '../helpers/engine';
import { readdirSync, readFileSync } from 'node:fs';
import { API_KEY, authed } from '../http/ingest-app';
import { cartReminder, openRuntime, outbox, sampleProject, shopper, virtualClock } from './runtime';

/**
 * Issue 14, links and clicks, end to end through HTTP and the runtime's wiring: the sample
 * abandoned cart's reminder goes out with its links rewritten to `/c/TOKEN` (UTM appended) and an
 * open pixel; a click on the redirect is recorded off the hot path, becomes `email.clicked` with
 * the send's run, and resumes that run's `wait_until` although the click carries no checkout_id —
 * so the clicker gets no discount or last-call mail. A scanner's HEAD is recorded as a bot and
 * resumes nothing. Forged tokens never redirect.
 */
const t = useTestDatabase('e2e_clicks');
const LINK_KEY = 'e2e-clicks-link-signing-key';
const ADMIN_KEY = 'e2e-clicks-admin-key-0123';
const clock = virtualClock(at('2026-11-23T09:00:00Z'));
let services: Services;

beforeAll(async () => {
  services = await openRuntime(t.database, clock, {
    PUBLIC_URL: 'https://shop.example',
    LINK_SIGNING_KEY: LINK_KEY,
    MAIL_POSTAL_ADDRESS: 'Demo Shop, Warszawa',
    ADMIN_API_KEYS: ADMIN_KEY,
  });
  await applyProject(services.database, sampleProject({ holdouts: { 'abandoned-cart': '0%' }, only: ['abandoned-cart'] }), clock.now());
});

const contact = shopper;

async function tickAt(when: Date) {
  clock.set(when);
  await services.tick(when);
}

/** Consent and a checkout at `start`; the ticks that send the cart reminder an hour later. Returns its tracked cart link. */
const reminderFor = (id: string, start: Date) => cartReminder(services, clock, id, start, `https://shop.example/cart/${id}?step=1`);

const runOf = (id: string) =>
  query<{ status: string; at: string | null; phase: string }>(
    t.database,
    sql`select r.status, r.state->>'at' as at, r.state->>'phase' as phase from runs r join contacts c on c.id = r.contact_id where c.external_id = ${id}`,
  );
const clicksOf = (id: string) =>
  query<{ is_bot: boolean; bot_reason: string | null; ip: string | null; user_agent: string | null }>(
    t.database,
    sql`select k.is_bot, k.bot_reason, k.ip, k.user_agent from clicks k join contacts c on c.id = k.contact_id where c.external_id = ${id} order by k.id`,
  );

describe(`click tracking end to end on ${backend}`, () => {
  it('the reminder links through /c/TOKEN with UTM; a click redirects to the stored target, resumes that run and no more cart mail goes', async () => {
    const start = at('2026-11-23T10:00:00Z');
    const { message, raw, link, sentAt } = await reminderFor('c-ada', start);
    expect(message.text).not.toContain('https://shop.example/cart/c-ada');
    expect(raw).toMatch(/\/o\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}/);
    // Our own links stay as they are.
    expect(message.text).toMatch(/Unsubscribe: https:\/\/shop\.example\/u\//);

    clock.set(plus(sentAt, 120_000));
    const res = await services.app.request(link, {
      headers: { 'user-agent': 'Mozilla/5.0 (Macintosh) Safari/605', 'x-forwarded-for': '198.51.100.4' },
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(
      'https://shop.example/cart/c-ada?step=1&utm_source=almanac&utm_medium=email&utm_campaign=abandoned-cart',
    );
    expect(res.headers.get('cache-control')).toBe('no-store');

    await tickAt(plus(sentAt, 121_000));
    const [click] = await clicksOf('c-ada');
    expect(click).toMatchObject({ is_bot: false, bot_reason: null, user_agent: 'Mozilla/5.0 (Macintosh) Safari/605' });
    expect(click!.ip, 'the IP is stored hashed').not.toContain('198.51.100.4');
    const events = await query<{ properties: Record<string, unknown> }>(
      t.database,
      sql`select e.properties from events e join contacts c on c.id = e.contact_id where c.external_id = 'c-ada' and e.type = 'email.clicked'`,
    );
    expect(events).toHaveLength(1);
    expect(events[0]!.properties).toMatchObject({
      send_id: expect.any(Number),
      campaign: 'abandoned-cart',
      run_id: expect.any(Number),
      link: 0,
    });
    expect(await runOf('c-ada'), 'the click branch: the run is over').toEqual([expect.objectContaining({ status: 'completed' })]);

    await tickAt(plus(sentAt, 26 * 3_600_000));
    expect((await outbox(services, { to: 'c-ada@example.com' })).length, 'no discount or last-call mail for a clicker').toBe(1);
  });

  it('a scanner (HEAD, within seconds of delivery) is recorded as a bot and resumes nothing: the follow-up still goes', async () => {
    const start = at('2026-11-24T10:00:00Z');
    const { link, sentAt } = await reminderFor('c-bo', start);
    clock.set(plus(sentAt, 3000));
    const head = await services.app.request(link, { method: 'HEAD' });
    expect(head.status).toBe(302);
    await tickAt(plus(sentAt, 4000));
    expect(await clicksOf('c-bo')).toEqual([expect.objectContaining({ is_bot: true, bot_reason: 'HEAD request' })]);
    expect(await runOf('c-bo')).toEqual([expect.objectContaining({ status: 'active', at: 'steps[2]', phase: 'awaiting' })]);
    await tickAt(plus(sentAt, 25 * 3_600_000));
    await tickAt(plus(sentAt, 25 * 3_600_000 + 1000));
    expect((await outbox(services, { to: 'c-bo@example.com' })).length, 'the last-call mail went').toBe(2);
  });

  it('the open pixel answers a GIF and records a human or a machine open', async () => {
    const { raw } = await reminderFor('c-cy', at('2026-11-25T10:00:00Z'));
    const pixel = /https:\/\/shop\.example(\/o\/[A-Za-z0-9._-]+)/.exec(raw.replace(/=\r?\n/g, '').replace(/=3D/g, '='));
    expect(pixel).not.toBeNull();
    const human = await services.app.request(pixel![1]!, { headers: { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0) Thunderbird/128' } });
    expect(human.status).toBe(200);
    expect(human.headers.get('content-type')).toBe('image/gif');
    expect(new Uint8Array(await human.arrayBuffer()).length).toBe(43);
    await services.app.request(pixel![1]!, { headers: { 'user-agent': 'Mozilla/5.0', 'x-forwarded-for': '17.58.1.2' } });
    await tickAt(at('2026-11-25T12:00:00Z'));
    const opens = await query<{ is_bot: boolean; bot_reason: string | null }>(
      t.database,
      sql`select o.is_bot, o.bot_reason from opens o join contacts c on c.id = o.contact_id where c.external_id = 'c-cy' order by o.id`,
    );
    expect(opens).toEqual([
      { is_bot: false, bot_reason: null },
      { is_bot: true, bot_reason: expect.stringContaining('Apple Mail Privacy Protection') },
    ]);
  });

  it('orders are credited: the clicker’s order to the reminder (every click model), a UTM-only order by its landing URL; the report says so', async () => {
    const order = async (id: string, orderId: string, at: Date, total: number, extra: Record<string, unknown> = {}) => {
      clock.set(at);
      const res = await services.app.request(
        '/v1/events',
        authed({
          id: `order-${orderId}`,
          type: 'order.created',
          occurred_at: at.toISOString(),
          contact: contact(id),
          properties: { order_id: orderId, total, currency: 'EUR', ...extra },
        }),
      );
      expect(res.status).toBe(202);
    };
    // c-ada clicked the reminder on 2026-11-23 at 11:02; she buys an hour later.
    await order('c-ada', 'A-1', at('2026-11-23T12:00:00Z'), 129);
    // Nobody mailed c-eve; she lands from the campaign's link elsewhere (utm_campaign) and buys.
    await order('c-eve', 'E-1', at('2026-11-23T12:30:00Z'), 50, { landing_url: '/products/mug?utm_source=ig&utm_campaign=abandoned-cart' });
    // c-bo's only "click" was a scanner's HEAD: no click credit for his order.
    await order('c-bo', 'B-1', at('2026-11-24T12:00:00Z'), 80);
    await tickAt(at('2026-11-24T12:00:01Z'));

    const credits = await query<{ order_id: string; model: string; campaign: string; weight: string; revenue: string; touch: string }>(
      t.database,
      sql`select o.order_id, a.model, a.campaign, a.weight::text as weight, a.revenue::text as revenue, a.touch
          from attributions a join orders o on o.id = a.order_id order by o.order_id, a.model`,
    );
    expect(credits).toEqual([
      ...['first_click', 'last_click', 'linear', 'time_decay'].map((model) => ({
        order_id: 'A-1',
        model,
        campaign: 'abandoned-cart',
        weight: '1.000000',
        revenue: '129.00',
        touch: 'click',
      })),
      { order_id: 'E-1', model: 'utm', campaign: 'abandoned-cart', weight: '1.000000', revenue: '50.00', touch: 'utm' },
    ]);
    const utm = await query<{ utm_source: string; utm_campaign: string }>(
      t.database,
      sql`select utm_source, utm_campaign from orders where order_id = 'E-1'`,
    );
    expect(utm).toEqual([{ utm_source: 'ig', utm_campaign: 'abandoned-cart' }]);

    const res = await services.app.request('/v1/reports/abandoned-cart', { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(res.status).toBe(200);
    const report = (await res.json()) as {
      recipients: number;
      clicks: { human: number; bot: number };
      revenue: Array<{ model: string; currency: string; orders: number; revenue: number; revenuePerRecipient: number }>;
      funnel: { runs: Array<{ step: string; status: string; runs: number }> };
    };
    expect(report.clicks).toMatchObject({ human: 1, bot: 1 });
    const lastClick = report.revenue.find((r) => r.model === 'last_click');
    expect(lastClick).toMatchObject({ currency: 'EUR', orders: 1, revenue: 129 });
    expect(lastClick!.revenuePerRecipient).toBeCloseTo(129 / report.recipients, 2);
    expect(report.revenue.find((r) => r.model === 'utm')).toMatchObject({ orders: 1, revenue: 50 });
    expect(report.funnel.runs.some((f) => f.status === 'completed')).toBe(true);
    expect((await services.app.request('/v1/reports/no-such-campaign', { headers: { authorization: `Bearer ${API_KEY}` } })).status).toBe(
      404,
    );
    expect((await services.app.request('/v1/reports/abandoned-cart')).status).toBe(401);
  });

  it('almanac report prints the same numbers as tables, locally and through the server; --json is the API answer', async () => {
    const server = await serveOnFreePort(services.app.fetch);
    try {
      const almanac = (how: 'remote' | 'local', args: string[]) =>
        almanacCli(args, how === 'local' ? { local: t.database } : { remote: { base: server.base, key: ADMIN_KEY } });
      const local = await almanac('local', ['report', 'abandoned-cart']);
      expect(local.code).toBe(0);
      expect(local.out).toMatch(/^last_click +EUR +1\.00 +129\.00 /m);
      expect(local.out).toMatch(/^utm +EUR +1\.00 +50\.00 /m);
      expect(local.out).toMatch(/^clicks \(bot\) +1$/m);
      expect(local.out).toContain('lift: this campaign holds nobody out');
      const remote = await almanac('remote', ['report', 'abandoned-cart']);
      expect(remote.out).toBe(local.out);
      const json = await almanac('local', ['report', 'abandoned-cart', '--json']);
      const api = await (
        await services.app.request('/v1/reports/abandoned-cart', { headers: { authorization: `Bearer ${API_KEY}` } })
      ).json();
      expect(JSON.parse(json.out)).toEqual(api);
      expect(await almanac('local', ['report', 'abandoned-kart'])).toMatchObject({
        code: 1,
        err: expect.stringContaining('no campaign "abandoned-kart"'),
      });
      expect(await almanac('local', ['report', 'abandoned-cart', '--from', 'yesterday'])).toMatchObject({ code: 2 });
    } finally {
      await server.close();
    }
  });

  it('a refund shrinks the credited revenue; one larger than what remains is a 400 naming the field; a cancellation takes it all back', async () => {
    const post = (body: unknown) => services.app.request('/v1/events', authed(body));
    const revenue = async () =>
      Object.fromEntries(
        (
          await query<{ order_id: string; revenue: string }>(
            t.database,
            sql`select o.order_id, sum(a.revenue)::text as revenue from attributions a join orders o on o.id = a.order_id
                where a.model in ('last_click', 'utm') group by 1 order by 1`,
          )
        ).map((r) => [r.order_id, r.revenue]),
      );
    clock.set(at('2026-11-25T09:00:00Z'));
    const refund = await post({
      id: 'refund-A-1',
      type: 'order.refunded',
      contact: { id: 'c-ada' },
      properties: { order_id: 'A-1', amount: '29.00' },
    });
    expect(refund.status).toBe(202);
    const tooMuch = await post({
      id: 'refund-A-1-b',
      type: 'order.refunded',
      contact: { id: 'c-ada' },
      properties: { order_id: 'A-1', amount: 101 },
    });
    expect(tooMuch.status).toBe(400);
    expect(JSON.stringify(await tooMuch.json())).toContain('properties.amount');
    const unknown = await post({
      id: 'refund-X',
      type: 'order.refunded',
      contact: { id: 'c-ada' },
      properties: { order_id: 'nope', amount: 1 },
    });
    expect(unknown.status).toBe(400);
    expect(
      await post({ id: 'cancel-E-1', type: 'order.cancelled', contact: { id: 'c-eve' }, properties: { order_id: 'E-1' } }),
    ).toHaveProperty('status', 202);
    await tickAt(at('2026-11-25T09:00:01Z'));
    expect(await revenue()).toEqual({ 'A-1': '100.00', 'E-1': '0.00' });
  });

  it.skipIf(!has('chromium', 'the report pages in headless Chromium'))(
    'the report pages in Chromium: the list links to the campaign, whose page shows the numbers, charts with text and tables',
    async () => {
      const server = await serveOnFreePort(services.app.fetch);
      const browser = await launchChromium();
      try {
        mkdirSync('test-artifacts', { recursive: true });
        const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
        expect((await page.goto(`${server.base}/reports?key=${API_KEY}`))!.status()).toBe(200);
        expect(await page.locator('h1').textContent()).toBe('Campaign reports');
        await page.screenshot({ path: 'test-artifacts/reports-list.png', fullPage: true });
        // Keyboard: the first campaign link, opened with Enter.
        const link = page.getByRole('link', { name: 'Abandoned cart recovery' });
        await link.focus();
        await page.keyboard.press('Enter');
        await page.waitForURL(/\/reports\/abandoned-cart\?key=/);
        expect(await page.locator('h1').textContent()).toContain('Abandoned cart recovery');
        const tiles = await page.locator('.tile').allTextContents();
        expect(tiles).toContain('100.00revenue, last click (EUR)');
        const models = page.getByRole('img', { name: /revenue by attribution model: last_click 100\.00 EUR/ });
        expect(await models.count()).toBe(1);
        expect(await page.getByRole('table').count()).toBeGreaterThanOrEqual(4);
        expect(await page.getByRole('rowheader', { name: 'cart-reminder' }).count()).toBeGreaterThan(0);
        await page.screenshot({ path: 'test-artifacts/report-abandoned-cart.png', fullPage: true });
        expect((await page.goto(`${server.base}/reports/abandoned-cart`))!.status()).toBe(401);
        expect((await page.goto(`${server.base}/reports/nope?key=${API_KEY}`))!.status()).toBe(404);
      } finally {
        await browser.close();
        await server.close();
      }
    },
  );

  it('a shorter click window, applied and recomputed, rewrites history from the same raw clicks', async () => {
    const files = Object.fromEntries(
      ['calendar', 'segments', 'abandoned-cart'].map((n) => [`campaigns/${n}.yaml`, readFileSync(`campaigns/${n}.yaml`, 'utf8')]),
    );
    files['campaigns/abandoned-cart.yaml'] = files['campaigns/abandoned-cart.yaml']!.replace(/^holdout: .*$/m, 'holdout: 0%').replace(
      'attribution: { click: 5d, open: 1d }',
      'attribution: { click: 30m, open: 1d }',
    );
    await applyProject(services.database, compileInline(files, readdirSync('templates')), clock.now());
    // An order the campaign never touched (no mail to that contact, no UTM) is not marked.
    const other = await services.app.request(
      '/v1/events',
      authed({
        id: 'order-Z-1',
        type: 'order.created',
        contact: contact('c-zed'),
        properties: { order_id: 'Z-1', total: 10, currency: 'EUR' },
      }),
    );
    expect(other.status).toBe(202);
    await tickAt(plus(clock.now(), 500));
    const admin = createLocalAdmin(services.config, (_config, fn) => fn(t.database));
    expect(await admin.recomputeAttribution({ campaign: 'abandoned-cart' })).toEqual({ orders: 3 });
    expect(await admin.recomputeAttribution({ since: at('2026-11-24T00:00:00Z') })).toEqual({ orders: 2 });
    await tickAt(plus(clock.now(), 1000));
    const credits = await query<{ order_id: string; model: string }>(
      t.database,
      sql`select o.order_id, a.model from attributions a join orders o on o.id = a.order_id order by 1, 2`,
    );
    // c-ada's click came 58 minutes before her order: outside 30 minutes, so only the UTM-landing order keeps a credit.
    expect(credits).toEqual([{ order_id: 'E-1', model: 'utm' }]);
    // The daily rollup the reports read stayed equal to the credits through refunds and recomputes.
    type Row = { campaign: string; model: string; currency: string; orders: string; revenue: string };
    const fromCredits = await query<Row>(
      t.database,
      sql`select a.campaign, a.model, o.currency, sum(a.weight)::text as orders, sum(a.revenue)::text as revenue
          from attributions a join orders o on o.id = a.order_id group by 1, 2, 3 order by 1, 2, 3`,
    );
    const fromRollup = await query<Row>(
      t.database,
      sql`select campaign, model, currency, sum(orders)::text as orders, sum(revenue)::text as revenue from attribution_daily
          group by 1, 2, 3 having sum(orders) <> 0 or sum(revenue) <> 0 order by 1, 2, 3`,
    );
    expect(fromRollup.map((r) => ({ ...r, orders: Number(r.orders) }))).toEqual(
      fromCredits.map((r) => ({ ...r, orders: Number(r.orders) })),
    );
  });

  it('tampered, forged and unknown tokens are 404 and never redirect', async () => {
    const { link } = await reminderFor('c-di', at('2026-11-26T10:00:00Z'));
    const token = link.slice('/c/'.length);
    const attempts = [
      `/c/${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`,
      `/c/${signClickToken(999_999, LINK_KEY)}`,
      `/c/${signClickToken(1, 'another-key')}`,
      '/c/javascript:alert(1)',
      '/c/%2F%2Fevil.example',
      `/c/${encodeURIComponent('https://evil.example')}`,
      '/o/forged.AAAAAAAAAAAAAAAAAAAAAA',
    ];
    for (const path of attempts) {
      const res = await services.app.request(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('location'), path).toBeNull();
    }
  });
});
