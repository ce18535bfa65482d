import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Condition } from '../../src/dsl/condition';
import { evaluate } from '../../src/dsl/conditions/evaluate';
import type { Services } from '../../src/runtime/services';
import { loadFacts, selectMatchingContactIds } from '../../src/storage/facts';
import { backend, useTestDatabase } from '../helpers/db';
import { at, query } from '../helpers/engine';
import { API_KEY } from '../http/ingest-app';
import { openRuntime, virtualClock } from '../e2e/runtime';
import { simulateBgNbd } from './predict/simulate';

/**
 * Issue 15, predictions through the engine: 600 customers whose order histories follow the BG/NBD
 * story (r 0.25, α 4, a 0.8, b 2.5, a year of history) are stored as orders; one tick's full
 * analytics pass fits the model on them and writes every customer's predictions. A customer who
 * bought often and then stopped is the one the model says is leaving; `predicted.churn_risk`
 * selects the same contacts in SQL (audiences, segments) and in memory (branches), and the
 * analytics view counts them as "about to leave".
 */
const t = useTestDatabase('analytics_predictions');
const NOW = at('2026-12-01T12:00:00Z');
const clock = virtualClock(NOW);
let services: Services;
const DAY = 86_400_000;

beforeAll(async () => {
  services = await openRuntime(t.database, clock, {});
  const customers = simulateBgNbd({ r: 0.25, alpha: 4, a: 0.8, b: 2.5 }, { customers: 600, calibration: 365, holdout: 0, seed: 15 });
  const orders: Array<{ c: number; at: string }> = [];
  customers.forEach((c, i) => {
    const first = NOW.getTime() - c.T * DAY;
    orders.push({ c: i, at: new Date(first).toISOString() });
    // x repeat orders, the last at first + tx (the model reads only x, tx and T).
    for (let k = 1; k <= c.x; k++) orders.push({ c: i, at: new Date(first + (c.tx * DAY * k) / c.x).toISOString() });
  });
  await t.database.db.execute(sql`
    insert into contacts (external_id, email) select 'p' || g, 'p' || g || '@example.com' from generate_series(0, ${customers.length - 1}) g`);
  await t.database.db.execute(sql`
    insert into orders (source, order_id, contact_id, total, currency, occurred_at)
    select 'test', 'o' || n, c.id, 40, 'EUR', (o->>'at')::timestamptz
    from jsonb_array_elements(${JSON.stringify(orders)}::jsonb) with ordinality as x(o, n)
    join contacts c on c.external_id = 'p' || (o->>'c')`);
  await services.tick(NOW);
});

describe(`predictions from the repeat-buying model on ${backend}`, () => {
  it('fits on the stored base and writes every customer’s alive / churn risk / expected orders / value', async () => {
    const [flag] = await query<{ value: { purchases: { ok: boolean }; customers: number } }>(
      t.database,
      sql`select value from runtime_flags where name = 'analytics.model'`,
    );
    const model = typeof flag!.value === 'string' ? JSON.parse(flag!.value as unknown as string) : flag!.value;
    expect(model.purchases.ok, JSON.stringify(model.purchases)).toBe(true);
    expect(model.customers).toBe(600);
    const rows = await query<{
      x: number;
      since: number;
      predicted: { alive: number; churn_risk: number; expected_orders: number; value: number };
    }>(
      t.database,
      sql`select orders - 1 as x, extract(epoch from ${NOW.toISOString()}::timestamptz - last_order_at) / 86400 as since, predicted
          from customer_metrics`,
    );
    expect(rows).toHaveLength(600);
    for (const r of rows) {
      expect(r.predicted.churn_risk).toBeGreaterThanOrEqual(0);
      expect(r.predicted.churn_risk).toBeLessThanOrEqual(1);
      expect(r.predicted.alive + r.predicted.churn_risk).toBeCloseTo(1, 3);
      expect(r.predicted.expected_orders).toBeGreaterThanOrEqual(0);
      expect(r.predicted.value).toBeGreaterThanOrEqual(0);
    }
    // Frequent buyers who stopped half a year ago look gone; frequent buyers who bought last week do not.
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const stopped = rows.filter((r) => Number(r.x) >= 3 && Number(r.since) > 180).map((r) => r.predicted.churn_risk);
    const active = rows.filter((r) => Number(r.x) >= 3 && Number(r.since) < 14).map((r) => r.predicted.churn_risk);
    expect(stopped.length).toBeGreaterThan(0);
    expect(active.length).toBeGreaterThan(0);
    expect(mean(stopped)).toBeGreaterThan(mean(active) + 0.3);
  });

  it('predicted.churn_risk selects the same contacts in SQL and in memory, and the view counts them as about to leave', async () => {
    const condition: Condition = { kind: 'attribute', scope: 'customer', path: ['predicted', 'churn_risk'], op: 'gt', value: 0.6 };
    const ids = await t.database.db.transaction((tx) => selectMatchingContactIds(tx, condition, { now: NOW }));
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.length).toBeLessThan(600);
    const all = (await query<{ id: string | number }>(t.database, sql`select id from contacts`)).map((r) => Number(r.id));
    const facts = await t.database.db.transaction((tx) => loadFacts(tx, all, { now: NOW }));
    const inMemory = [...facts.values()].filter((f) => evaluate(condition, f, NOW)).map((f) => f.contact.id);
    expect(inMemory.sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
    const res = await services.app.request('/v1/analytics/lifecycle', { headers: { authorization: `Bearer ${API_KEY}` } });
    const view = (await res.json()) as { atRisk: { total: number; minRisk: number; top: Array<{ churnRisk: number }> } };
    expect(view.atRisk.minRisk).toBe(0.6);
    expect(view.atRisk.total).toBe(ids.length);
    expect(view.atRisk.top.every((c) => c.churnRisk > 0.6)).toBe(true);
  });
});
