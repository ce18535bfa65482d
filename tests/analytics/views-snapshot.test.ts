import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { Metrics } from '../../src/metrics';
import type { Services } from '../../src/runtime/services';
import { createAnalyticsPhase } from '../../src/scheduler/analytics-phase';
import { backend, useTestDatabase } from '../helpers/db';
import { at, query } from '../helpers/engine';
import { API_KEY, authed } from '../http/ingest-app';
import { openRuntime, virtualClock } from '../e2e/runtime';

/**
 * Issue 15, views on a large base: over ANALYTICS_LIVE_VIEWS_MAX customers the full pass keeps
 * the retention (month, quarter, year) and value views' inputs, and GET /v1/analytics/* read
 * them (`asOf` = the pass) instead of every order. Here the limit is 0, so 30 customers count as
 * "large": the kept views must equal the per-request ones at the pass, stay as they were when an
 * order arrives after it, and catch up at the next pass. Under the limit they are dropped again.
 */
const t = useTestDatabase('analytics_views_snapshot');
const clock = virtualClock(at('2026-11-02T10:00:00Z'));
let services: Services;

const get = async <T>(path: string): Promise<T> => {
  const res = await services.app.request(path, { headers: { authorization: `Bearer ${API_KEY}` } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
};
type View = { asOf: string | null; pareto?: { customers: number } } & Record<string, unknown>;
const views = async () => ({
  month: await get<View>('/v1/analytics/retention?period=month'),
  quarter: await get<View>('/v1/analytics/retention?period=quarter'),
  value: await get<View>('/v1/analytics/value'),
});
const without = ({ asOf: _asOf, ...rest }: View) => rest;
/** The same views computed from the orders by this request (the kept ones removed first, then put back). */
const liveViews = async () => {
  const kept = await query<{ name: string; value: unknown; updated_at: string }>(
    t.database,
    sql`select name, value, updated_at::text from runtime_flags where name like 'analytics.views.%'`,
  );
  await t.database.db.execute(sql`delete from runtime_flags where name like 'analytics.views.%'`);
  const live = await views();
  for (const k of kept)
    await t.database.db.execute(
      sql`insert into runtime_flags (name, value, updated_at) values (${k.name}, ${JSON.stringify(k.value)}::jsonb, ${k.updated_at}::timestamptz)`,
    );
  return live;
};

beforeAll(async () => {
  services = await openRuntime(t.database, clock, { ANALYTICS_LIVE_VIEWS_MAX: '0', ANALYTICS_PASS_SECONDS: '3600' });
  // 30 customers ordering in some of the last months (EUR), a third from facebook.
  const events = Array.from({ length: 30 }, (_, i) => ({
    id: `c-${i}`,
    type: 'contact.updated',
    contact: { id: `s-${i}`, email: `s-${i}@example.com`, attributes: { acquisition_channel: i % 3 === 0 ? 'facebook' : 'google' } },
  }));
  expect((await services.app.request('/v1/events/batch', authed({ events }))).status).toBe(202);
  for (let i = 0; i < 30; i++)
    for (const month of ['07', '08', '09', '10'].filter((_, m) => (i + m) % 3 !== 0)) {
      const res = await services.app.request(
        '/v1/orders',
        authed({
          order_id: `o-${i}-${month}`,
          total: 20 + i,
          currency: 'EUR',
          contact: { id: `s-${i}` },
          occurred_at: `2026-${month}-1${i % 9}T10:00:00Z`,
        }),
      );
      expect(res.status, await res.clone().text()).toBe(202);
    }
  await services.tick(clock.now());
});

describe(`kept analytics views on ${backend}`, () => {
  it('equal the per-request views at the pass, stay until the next pass, then catch up', async () => {
    const atPass = await views();
    for (const v of Object.values(atPass)) expect(v.asOf).toBe('2026-11-02T10:00:00.000Z');
    const page = await services.app.request('/analytics', { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(await page.text()).toContain('Retention and value as of 2026-11-02T10:00:00.000Z, the last full pass');
    const live = await liveViews();
    for (const v of Object.values(live)) expect(v.asOf).toBeNull();
    expect(without(atPass.month)).toEqual(without(live.month));
    expect(without(atPass.quarter)).toEqual(without(live.quarter));
    expect(without(atPass.value)).toEqual(without(live.value));
    expect(atPass.value.pareto?.customers).toBe(30);

    // A new customer orders after the pass: the kept views do not move until the next pass…
    clock.set(at('2026-11-02T10:30:00Z'));
    const res = await services.app.request(
      '/v1/orders',
      authed({
        order_id: 'o-new',
        total: 500,
        currency: 'EUR',
        contact: { id: 'newbie', email: 'newbie@example.com' },
        occurred_at: '2026-11-02T10:30:00Z',
      }),
    );
    expect(res.status).toBe(202);
    await services.tick(clock.now());
    const between = await views();
    expect(between).toEqual(atPass);
    expect(without((await liveViews()).value)).not.toEqual(without(atPass.value));
    // …which an hour later recomputes them, new customer included.
    clock.set(at('2026-11-02T11:00:00Z'));
    await services.tick(clock.now());
    const next = await views();
    for (const v of Object.values(next)) expect(v.asOf).toBe('2026-11-02T11:00:00.000Z');
    const liveNext = await liveViews();
    expect(without(next.month)).toEqual(without(liveNext.month));
    expect(without(next.value)).toEqual(without(liveNext.value));
    expect(next.value.pareto?.customers).toBe(31);

    // With the limit over the base (another worker's settings), the next pass drops them: the views are per request again.
    const small = createAnalyticsPhase({
      database: t.database,
      metrics: new Metrics(),
      batchSize: 500,
      settings: { ...loadConfig({}).analytics, liveViewsMax: 1000 },
      money: { shop: null, rates: {} },
    });
    await small.run(at('2026-11-02T12:00:00Z'));
    for (const v of Object.values(await views())) expect(v.asOf).toBeNull();
  });
});
