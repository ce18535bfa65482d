import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyProject } from '../../src/campaigns/apply';
import type { Services } from '../../src/runtime/services';
import { backend, useTestDatabase } from '../helpers/db';
import { at, plus, query } from '../helpers/engine';
import { API_KEY, authed } from '../http/ingest-app';
import { openRuntime, sampleProject, virtualClock } from '../e2e/runtime';

/**
 * Issue 14, holdout lift from the database: 80 shoppers enter the sample abandoned cart with a
 * 50 % holdout (drawn by the engine, as in production); some of each arm buy within the click
 * window, one buys after it. The report's arms must be exactly those contacts and buyers, and the
 * lift the difference of the two rates (the interval methods are checked against published
 * values in tests/attribution/).
 */
const t = useTestDatabase('reports_lift');
const clock = virtualClock(at('2026-11-23T09:00:00Z'));
let services: Services;

beforeAll(async () => {
  services = await openRuntime(t.database, clock, { PUBLIC_URL: 'https://shop.example', LINK_SIGNING_KEY: 'lift-test-link-key-0123' });
  await applyProject(services.database, sampleProject({ holdouts: { 'abandoned-cart': '50%' }, only: ['abandoned-cart'] }), clock.now());
});

describe(`holdout lift on ${backend}`, () => {
  it('counts each arm’s contacts and buyers within the window, and the lift is the difference of the rates', async () => {
    const start = at('2026-11-23T10:00:00Z');
    clock.set(start);
    const ids = Array.from({ length: 80 }, (_, i) => `l-${i}`);
    const events = ids.flatMap((id) => [
      { id: `${id}-c`, type: 'consent.granted', contact: { id, email: `${id}@example.com` }, properties: { purpose: 'email.marketing' } },
      {
        id: `${id}-k`,
        type: 'checkout.started',
        contact: { id },
        properties: { checkout_id: `k-${id}`, total: 40, currency: 'EUR', url: `https://shop.example/cart/${id}`, items: [] },
      },
    ]);
    expect((await services.app.request('/v1/events/batch', authed({ events }))).status).toBe(202);
    await services.tick(start);
    const arms = await query<{ id: string; status: string }>(
      t.database,
      sql`select c.external_id as id, r.status from runs r join contacts c on c.id = r.contact_id order by c.id`,
    );
    const heldOut = arms.filter((a) => a.status === 'holdout').map((a) => a.id);
    const treated = arms.filter((a) => a.status !== 'holdout').map((a) => a.id);
    expect(heldOut.length).toBeGreaterThan(10);
    expect(treated.length).toBeGreaterThan(10);
    // 8 treated and 3 held-out shoppers buy two days later (inside the 5-day click window); one more held-out buys on day 7 (outside).
    const buyers = [...treated.slice(0, 8), ...heldOut.slice(0, 3)];
    const orders = buyers.map((id, i) => ({
      id: `o-${id}`,
      type: 'order.created',
      occurred_at: plus(start, 2 * 86_400_000 + i * 1000).toISOString(),
      contact: { id },
      properties: { order_id: `O-${id}`, total: 100, currency: 'EUR' },
    }));
    orders.push({
      id: `o-late`,
      type: 'order.created',
      occurred_at: plus(start, 7 * 86_400_000).toISOString(),
      contact: { id: heldOut[3]! },
      properties: { order_id: 'O-late', total: 100, currency: 'EUR' },
    });
    clock.set(plus(start, 7 * 86_400_000 + 60_000));
    expect((await services.app.request('/v1/events/batch', authed({ events: orders }))).status).toBe(202);
    await services.tick(clock.now());

    const res = await services.app.request('/v1/reports/abandoned-cart', { headers: { authorization: `Bearer ${API_KEY}` } });
    const { lift } = (await res.json()) as {
      lift: {
        enough: boolean;
        windowDays: number;
        treated: { contacts: number; converters: number; revenuePerContact: number };
        heldOut: { contacts: number; converters: number; revenuePerContact: number };
        absolute: { estimate: number; ci: { lower: number; upper: number } };
      };
    };
    expect(lift.windowDays).toBe(5);
    expect(lift.treated).toMatchObject({
      contacts: treated.length,
      converters: 8,
      revenuePerContact: expect.closeTo(800 / treated.length, 6),
    });
    expect(lift.heldOut).toMatchObject({
      contacts: heldOut.length,
      converters: 3,
      revenuePerContact: expect.closeTo(300 / heldOut.length, 6),
    });
    expect(lift.absolute.estimate).toBeCloseTo(8 / treated.length - 3 / heldOut.length, 9);
    expect(lift.absolute.ci.lower).toBeLessThan(lift.absolute.estimate);
    expect(lift.absolute.ci.upper).toBeGreaterThan(lift.absolute.estimate);
    expect(lift.enough, 'fewer than 5 held-out converters: not enough data yet').toBe(false);
  });
});
