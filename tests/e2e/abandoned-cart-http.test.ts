import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyProject } from '../../src/campaigns/apply';
import type { Services } from '../../src/runtime/services';
import { backend, useTestDatabase } from '../helpers/db';
import { DAY, HOUR, MINUTE, at, plus, query } from '../helpers/engine';
import { API_KEY, counts, shopifyRequest } from '../http/ingest-app';
import { openRuntime, outbox, sampleProject, virtualClock } from './runtime';
import { type Shopper, checkoutBody, orderBody } from './shopify';

/**
 * Issue 5, end to end: Shopify webhooks in through the HTTP app, the scheduler's tick on a
 * virtual clock, mail out through the outbox transport, read back with `GET /v1/outbox`: the
 * same wiring `npm start` runs. Each story has its own days so the shared clock only moves forward.
 */
const t = useTestDatabase('e2e_abandoned_cart_http');
const T0 = at('2026-11-23T10:00:00Z');
const clock = virtualClock(T0);
let services: Services;

beforeAll(async () => {
  services = await openRuntime(t.database, clock);
  // The sample abandoned-cart campaign with its 10 % holdout off (these shoppers must get mail),
  // with the sample calendar and segments; the other campaigns are left out so "exactly one
  // message" is about this campaign, not about which day the Tuesday newsletter falls.
  await applyProject(services.database, sampleProject({ holdouts: { 'abandoned-cart': '0%' }, only: ['abandoned-cart'] }), T0);
});

const shopper = (n: number, name: string): Shopper => ({
  customerId: `77100000000${n}`,
  email: `${name.toLowerCase()}@example.com`,
  firstName: name,
  token: `e2e-checkout-token-${n}`,
});

/** Deliver a signed webhook with the virtual clock at `when` (its receipt time). */
async function deliver(when: Date, body: string, topic: string, webhookId: string) {
  clock.set(when);
  return services.app.request('/webhooks/shopify', shopifyRequest(body, topic, webhookId));
}

async function tickAt(when: Date) {
  clock.set(when);
  return services.tick(when);
}

const runsOf = (s: Shopper) =>
  query<{ status: string; exit_reason: string | null }>(
    t.database,
    sql`select r.status, r.exit_reason from runs r join contact_identifiers i on i.contact_id = r.contact_id
        where i.identifier = ${`shopify:almanac-demo.myshopify.com:${s.customerId}`} and r.campaign = 'abandoned-cart' order by r.id`,
  );

describe(`abandoned cart through HTTP and the runtime on ${backend}`, () => {
  it('reminds the shopper once after an hour, then the order ends the run and nothing more is sent', async () => {
    const ada = shopper(1, 'Ada');
    const T = T0;
    const res = await deliver(T, checkoutBody(ada, T), 'checkouts/create', 'wh-e2e-ada-checkout');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 2, duplicates: 0 }); // the consent and the checkout

    await tickAt(T);
    expect(await runsOf(ada)).toEqual([{ status: 'active', exit_reason: null }]);
    await tickAt(plus(T, 59 * MINUTE));
    expect(await outbox(services, { to: ada.email })).toEqual([]);

    await tickAt(plus(T, HOUR));
    const [reminder, ...more] = await outbox(services, { to: ada.email });
    expect(more).toEqual([]);
    expect(reminder).toMatchObject({ subject: 'Ada, Twój koszyk na Ciebie czeka' }); // the customer's locale is pl-PL
    expect(reminder!.text).toContain('2 × Stoneware mug');
    // The recovery link goes through the click redirect, to the checkout's own URL (plus UTM).
    const tracked = /Dokończ zamówienie: \S+(\/c\/\S+)/.exec(reminder!.text);
    expect(tracked, reminder!.text).not.toBeNull();
    const redirect = await services.app.request(tracked![1]!);
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toMatch(
      new RegExp(`^https://almanac-demo\\.myshopify\\.com/checkouts/ac/${ada.token}/recover\\?.*utm_campaign=abandoned-cart`),
    );

    const orderAt = plus(T, HOUR + 10 * MINUTE);
    expect((await deliver(orderAt, orderBody(ada, '5900000000001', orderAt), 'orders/create', 'wh-e2e-ada-order')).status).toBe(200);
    await tickAt(orderAt);
    expect(await runsOf(ada)).toEqual([{ status: 'exited', exit_reason: 'exit_on:order.created' }]);

    await tickAt(plus(T, 3 * DAY)); // past the 24 h wait_until that would have sent the discount
    expect((await outbox(services, { to: ada.email })).map((m) => m.id)).toEqual([reminder!.id]);
  });

  it('sends nothing to a shopper who orders 20 minutes after the checkout', async () => {
    const ben = shopper(2, 'Ben');
    const T = plus(T0, 4 * DAY);
    expect((await deliver(T, checkoutBody(ben, T), 'checkouts/create', 'wh-e2e-ben-checkout')).status).toBe(200);
    await tickAt(T);
    expect(await runsOf(ben)).toEqual([{ status: 'active', exit_reason: null }]);
    const orderAt = plus(T, 20 * MINUTE);
    expect((await deliver(orderAt, orderBody(ben, '5900000000002', orderAt), 'orders/create', 'wh-e2e-ben-order')).status).toBe(200);
    for (const when of [orderAt, plus(T, HOUR), plus(T, 3 * DAY)]) await tickAt(when);
    expect(await runsOf(ben)).toEqual([{ status: 'exited', exit_reason: 'exit_on:order.created' }]);
    expect(await outbox(services, { to: ben.email })).toEqual([]);
  });

  it('acts once on the same checkout webhook delivered 10× at once', async () => {
    const cleo = shopper(3, 'Cleo');
    const T = plus(T0, 8 * DAY);
    const body = checkoutBody(cleo, T);
    clock.set(T);
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        services.app.request('/webhooks/shopify', shopifyRequest(body, 'checkouts/create', 'wh-e2e-cleo-checkout')),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    const events = await query<{ n: number }>(
      t.database,
      sql`select count(*)::int as n from events where properties->>'checkout_id' = ${cleo.token}`,
    );
    expect(events).toEqual([{ n: 1 }]);

    await tickAt(T);
    expect(await runsOf(cleo)).toHaveLength(1);
    await tickAt(plus(T, HOUR));
    const sends = await query<{ template: string; status: string }>(
      t.database,
      sql`select s.template, s.status from sends s join contact_identifiers i on i.contact_id = s.contact_id
          where i.identifier = ${`shopify:almanac-demo.myshopify.com:${cleo.customerId}`}`,
    );
    expect(sends).toEqual([{ template: 'cart-reminder', status: 'sent' }]);
    expect(await outbox(services, { to: cleo.email })).toHaveLength(1);
  });

  it('refuses a webhook with a bad signature with 401 and stores nothing', async () => {
    const dan = shopper(4, 'Dan');
    const T = plus(T0, 12 * DAY);
    const before = await counts(t.database);
    const forged = shopifyRequest(checkoutBody(dan, T), 'checkouts/create', 'wh-e2e-dan-checkout', 'not-the-shop-secret');
    const res = await services.app.request('/webhooks/shopify', forged);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'unauthorized' } });
    expect(await counts(t.database)).toEqual(before);
    for (const when of [T, plus(T, HOUR)]) await tickAt(when);
    expect(await runsOf(dan)).toEqual([]);
    expect(await outbox(services, { to: dan.email })).toEqual([]);
  });
  it('the whole story through signed webhooks: mail → click on the redirect → order → credited in the report; a Shopify refund shrinks it', async () => {
    const dora = shopper(7, 'Dora');
    const T = plus(T0, 10 * DAY);
    expect((await deliver(T, checkoutBody(dora, T), 'checkouts/create', 'wh-e2e-story-dora-checkout')).status).toBe(200);
    await tickAt(T);
    await tickAt(plus(T, HOUR));
    const [reminder] = await outbox(services, { to: dora.email });
    const tracked = /https?:\/\/[^/\s]+(\/c\/[A-Za-z0-9._-]+)/.exec(reminder!.text)?.[1];
    expect(tracked, reminder!.text).toBeDefined();
    clock.set(plus(T, HOUR + 5 * MINUTE));
    const click = await services.app.request(tracked!, { headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0' } });
    expect(click.status).toBe(302);
    await tickAt(plus(T, HOUR + 5 * MINUTE + 1000));
    expect(await runsOf(dora), 'the click branch ends the run: no discount mail will follow').toEqual([
      expect.objectContaining({ status: 'completed' }),
    ]);

    const orderAt = plus(T, HOUR + 30 * MINUTE);
    expect((await deliver(orderAt, orderBody(dora, '5900000000007', orderAt), 'orders/create', 'wh-e2e-story-dora-order')).status).toBe(
      200,
    );
    await tickAt(orderAt);
    const lastClick = async () => {
      const res = await services.app.request('/v1/reports/abandoned-cart', { headers: { authorization: `Bearer ${API_KEY}` } });
      const report = (await res.json()) as { revenue: Array<{ model: string; currency: string; revenue: number }> };
      return report.revenue.filter((r) => r.model === 'last_click');
    };
    expect(await lastClick()).toEqual([expect.objectContaining({ currency: 'EUR', revenue: 129 })]);

    const refundAt = plus(T, 2 * DAY);
    const refund = JSON.stringify({
      id: 990001,
      order_id: 5900000000007,
      created_at: refundAt.toISOString(),
      transactions: [{ kind: 'refund', status: 'success', amount: '29.00', currency: 'EUR' }],
    });
    expect((await deliver(refundAt, refund, 'refunds/create', 'wh-e2e-story-dora-refund')).status).toBe(200);
    expect((await deliver(refundAt, refund, 'refunds/create', 'wh-e2e-story-dora-refund')).status, 'a redelivery').toBe(200);
    await tickAt(refundAt);
    expect(await lastClick()).toEqual([expect.objectContaining({ currency: 'EUR', revenue: 100 })]);
    const unknown = JSON.stringify({ id: 990002, order_id: 123, created_at: refundAt.toISOString(), transactions: [] });
    expect(await (await deliver(refundAt, unknown, 'refunds/create', 'wh-e2e-unknown-refund')).json()).toMatchObject({ ignored: true });
  });

  it('order and refund ids past 2^53 are kept digit for digit: a refund lands on its own order, not on a neighbour one apart', async () => {
    const ivy = shopper(9, 'Ivy');
    const T = plus(T0, 20 * DAY);
    // 9007199254740993 is not a double; JSON.parse would read it as …992, the neighbour's id.
    const big = (id: string, total: string) =>
      orderBody(ivy, '1234567890123', T)
        .replace('"id":1234567890123', `"id":${id}`)
        .replace('Order/1234567890123', `Order/${id}`)
        .replace(/"total_price":"[^"]*"/, `"total_price":"${total}"`);
    expect((await deliver(T, big('9007199254740992', '50.00'), 'orders/create', 'wh-e2e-big-992')).status).toBe(200);
    expect((await deliver(T, big('9007199254740993', '80.00'), 'orders/create', 'wh-e2e-big-993')).status).toBe(200);
    await tickAt(T);
    const refund = `{"id":9007199254740995,"order_id":9007199254740993,"created_at":"${plus(T, HOUR).toISOString()}","transactions":[{"kind":"refund","status":"success","amount":"30.00","currency":"EUR"}]}`;
    expect((await deliver(plus(T, HOUR), refund, 'refunds/create', 'wh-e2e-big-refund')).status).toBe(200);
    await tickAt(plus(T, HOUR));
    expect(
      await query<{ order_id: string; total: string; refunded: string }>(
        t.database,
        sql`select order_id, total::text, refunded::text from orders where order_id like '90071992547409%' order by order_id`,
      ),
    ).toEqual([
      { order_id: '9007199254740992', total: '50.00', refunded: '0.00' },
      { order_id: '9007199254740993', total: '80.00', refunded: '30.00' },
    ]);
    const events = await query<{ id: string }>(
      t.database,
      sql`select dedupe_key as id from events where type = 'order.refunded' and dedupe_key like '%9007199254740995'`,
    );
    expect(events.length).toBe(1);
  });
});
