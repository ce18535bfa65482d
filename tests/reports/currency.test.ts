import { beforeAll, describe, expect, it } from 'vitest';
import { applyProject } from '../../src/campaigns/apply';
import { describeRule, toShopCurrency } from '../../src/attribution/currency';
import { loadConfig } from '../../src/config';
import { reportRange } from '../../src/http/reports';
import type { Services } from '../../src/runtime/services';
import { backend, useTestDatabase } from '../helpers/db';
import { at, plus } from '../helpers/engine';
import { API_KEY, authed } from '../http/ingest-app';
import { consentAndCheckout, openRuntime, outbox, reminderTicks, sampleProject, virtualClock } from '../e2e/runtime';

/**
 * Issue 14: reports in the shop's currency with the rule stated, and the funnel's "deferred and
 * why". Three shoppers click the abandoned-cart reminder and buy in PLN, EUR and USD; the server
 * runs with SHOP_CURRENCY=PLN and a fixed EUR rate but none for USD. The report keeps every
 * currency apart, adds one PLN total of PLN + EUR at the rate, leaves USD out of it (shown apart,
 * never summed in), and says so in words. A fourth shopper's reminder falls in quiet hours: the
 * funnel shows it deferred with the reason.
 */
const t = useTestDatabase('reports_currency');
const clock = virtualClock(at('2026-11-23T09:00:00Z'));
let services: Services;

beforeAll(async () => {
  services = await openRuntime(t.database, clock, {
    PUBLIC_URL: 'https://shop.example',
    LINK_SIGNING_KEY: 'currency-test-link-key-0123',
    SHOP_CURRENCY: 'PLN',
    CURRENCY_RATES: 'EUR=4.25, GBP=5.1',
  });
  await applyProject(services.database, sampleProject({ holdouts: { 'abandoned-cart': '0%' }, only: ['abandoned-cart'] }), clock.now());
});

const get = (path: string) => services.app.request(path, { headers: { authorization: `Bearer ${API_KEY}` } });

async function tickAt(when: Date) {
  clock.set(when);
  await services.tick(when);
}

const checkout = (id: string, start: Date) => consentAndCheckout(services, clock, id, start);

describe(`reports in the shop's currency on ${backend}`, () => {
  it('converts at the stated rates, keeps a currency with no rate apart, and the funnel says why a send is held', async () => {
    const start = at('2026-11-23T10:00:00Z');
    const buyers = [
      { id: 'cur-pl', currency: 'PLN', total: 100 },
      { id: 'cur-eu', currency: 'EUR', total: 20 },
      { id: 'cur-us', currency: 'USD', total: 30 },
    ];
    for (const b of buyers) await checkout(b.id, start);
    await reminderTicks(services, clock, start);
    for (const b of buyers) {
      const [message] = await outbox(services, { to: `${b.id}@example.com` });
      const link = /(https:\/\/shop\.example\/c\/[A-Za-z0-9._-]+)/.exec(message!.text)![1]!.replace('https://shop.example', '');
      clock.set(plus(start, 2 * 3_600_000));
      expect((await services.app.request(link, { headers: { 'user-agent': 'Mozilla/5.0 (Macintosh)' } })).status).toBe(302);
    }
    await tickAt(plus(start, 2 * 3_600_000 + 1000));
    const orderAt = plus(start, 3 * 3_600_000);
    clock.set(orderAt);
    for (const b of buyers) {
      const res = await services.app.request(
        '/v1/orders',
        authed({ order_id: `O-${b.id}`, total: b.total, currency: b.currency, contact: { id: b.id }, occurred_at: orderAt.toISOString() }),
      );
      expect(res.status, await res.clone().text()).toBe(202);
    }
    await tickAt(plus(orderAt, 1000));
    // 20:30 in Warsaw: the reminder an hour later falls in the calendar's quiet hours (21:00–08:00).
    const late = at('2026-11-23T19:30:00Z');
    await checkout('cur-night', late);
    await reminderTicks(services, clock, late);

    const res = await get('/v1/reports/abandoned-cart');
    expect(res.status).toBe(200);
    const r = (await res.json()) as {
      revenue: Array<{ model: string; currency: string; revenue: number }>;
      currency: { shop: string; primary: string; rule: string };
      totals: Array<{
        model: string;
        currency: string;
        orders: number;
        revenue: number;
        unconverted: Array<{ currency: string; revenue: number }>;
      }>;
      daily: Array<{ day: string; revenue: number }>;
      funnel: { sends: Array<{ status: string; reason: string | null; sends: number }> };
    };
    expect(
      r.revenue
        .filter((m) => m.model === 'last_click')
        .map((m) => [m.currency, m.revenue])
        .sort(),
    ).toEqual([
      ['EUR', 20],
      ['PLN', 100],
      ['USD', 30],
    ]);
    // 100 PLN + 20 EUR × 4.25 = 185 PLN; the 30 USD has no rate and stays apart.
    expect(r.totals.find((x) => x.model === 'last_click')).toEqual({
      model: 'last_click',
      currency: 'PLN',
      orders: 2,
      revenue: 185,
      revenuePerRecipient: expect.any(Number),
      unconverted: [{ currency: 'USD', orders: 1, revenue: 30 }],
    });
    expect(r.currency).toEqual({ shop: 'PLN', primary: 'PLN', rule: expect.stringContaining('1 EUR = 4.25 PLN') });
    expect(r.currency.rule).toContain('never converted or summed in');
    expect(r.daily.find((d) => d.day === '2026-11-23')?.revenue).toBe(185);
    expect(r.funnel.sends).toContainEqual({
      step: expect.any(String),
      template: expect.any(String),
      status: 'deferred',
      reason: 'quiet hours',
      sends: 1,
    });

    const page = await (await get('/reports/abandoned-cart')).text();
    expect(page).toContain('Totals in PLN');
    expect(page).toContain('185.00 PLN');
    expect(page).toContain('30.00 USD');
    expect(page).toContain('1 EUR = 4.25 PLN');
    expect(page).toContain('quiet hours');
    const list = await (await get('/reports')).text();
    expect(list).toMatch(/185\.00 PLN/);
  });
});

describe('the conversion rule, pure', () => {
  it('rounds each amount to the shop currency, sums in minor units, and never converts a currency without a rate', () => {
    const rule = { shop: 'PLN', rates: { EUR: 4.3333 } };
    // 3 × (0.01 EUR × 4.3333 = 0.043333 → 0.04 PLN) + 1 JPY (no rate).
    expect(
      toShopCurrency(rule, [
        { currency: 'EUR', amount: 0.01 },
        { currency: 'EUR', amount: 0.01 },
        { currency: 'EUR', amount: 0.01 },
        { currency: 'PLN', amount: 0.1 },
        { currency: 'JPY', amount: 1 },
      ]),
    ).toEqual({ currency: 'PLN', amount: 0.22, converted: ['EUR', 'PLN'], unconverted: [{ currency: 'JPY', amount: 1 }] });
    expect(toShopCurrency({ shop: null, rates: {} }, [{ currency: 'EUR', amount: 1 }])).toBeNull();
    expect(describeRule({ shop: null, rates: {} })).toMatch(/never summed across currencies/);
  });

  it('refuses bad settings naming the variable', () => {
    const bad = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    };
    expect(bad({ SHOP_CURRENCY: 'XYZW' })).toMatch(/SHOP_CURRENCY.*ISO 4217/s);
    expect(bad({ SHOP_CURRENCY: 'PLN', CURRENCY_RATES: 'EUR=-1' })).toMatch(/CURRENCY_RATES.*rate of EUR must be a number > 0/s);
    expect(bad({ SHOP_CURRENCY: 'PLN', CURRENCY_RATES: 'EUR=4,EUR=5' })).toMatch(/CURRENCY_RATES.*listed twice/s);
    expect(bad({ SHOP_CURRENCY: 'PLN', CURRENCY_RATES: 'euro' })).toMatch(/CURRENCY_RATES.*CODE=RATE/s);
    expect(bad({ CURRENCY_RATES: 'EUR=4.25' })).toMatch(/SHOP_CURRENCY.*required with CURRENCY_RATES/s);
    expect(loadConfig({ SHOP_CURRENCY: 'PLN', CURRENCY_RATES: 'EUR=4.25' }).currency).toEqual({ shop: 'PLN', rates: { EUR: 4.25 } });
  });

  it('a report range instant must name its offset: a zoneless one would depend on the server time zone', () => {
    const range = (from: string) => reportRange((n) => (n === 'from' ? from : undefined));
    expect(range('2026-12-01T10:00:00Z').from?.toISOString()).toBe('2026-12-01T10:00:00.000Z');
    expect(range('2026-12-01T10:00:00+01:00').from?.toISOString()).toBe('2026-12-01T09:00:00.000Z');
    expect(range('2026-12-01').from?.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(() => range('2026-12-01T10:00:00')).toThrow(/from: expected .* with its offset/);
  });
});
