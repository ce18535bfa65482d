import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { Metrics } from '../../src/metrics';
import { createAnalyticsPhase } from '../../src/scheduler/analytics-phase';
import { backend, useTestDatabase } from '../helpers/db';
import { at, query } from '../helpers/engine';

/**
 * Issue 15: two workers' analytics phases at the same moment on one database: one does the pass
 * (an advisory lock; the other skips that tick), and a pass that does run finds an already written
 * change unchanged (the upsert rewrites only what differs), so a stage change is one
 * `lifecycle.changed`, never two.
 */
const t = useTestDatabase('analytics_two_workers');

describe(`two analytics workers at once on ${backend}`, () => {
  it('emit each stage change once', async () => {
    await t.database.db.execute(sql`
      insert into contacts (external_id, email) select 'w' || g, 'w' || g || '@example.com' from generate_series(1, 50) g`);
    await t.database.db.execute(sql`
      insert into orders (source, order_id, contact_id, total, currency, occurred_at)
      select 'test', 'o' || id, id, 30, 'EUR', '2026-08-01T10:00:00Z' from contacts`);
    const phase = () =>
      createAnalyticsPhase({
        database: t.database,
        metrics: new Metrics(),
        batchSize: 500,
        settings: loadConfig({}).analytics,
        money: { shop: null, rates: {} },
      });
    const [a, b] = [phase(), phase()];
    // 1 September: everyone is new (a first look: no event). 1 December: 122 days after the order, everyone is churning.
    await Promise.all([a.run(at('2026-09-01T10:00:00Z')), b.run(at('2026-09-01T10:00:00Z'))]);
    await a.run(at('2026-09-01T10:00:00Z'));
    await b.run(at('2026-09-01T10:00:00Z'));
    await Promise.all([a.run(at('2026-12-01T10:00:00Z')), b.run(at('2026-12-01T10:00:00Z'))]);
    await Promise.all([a.run(at('2026-12-01T10:05:00Z')), b.run(at('2026-12-01T10:05:00Z'))]);
    const events = await query<{ n: number; contacts: number }>(
      t.database,
      sql`select count(*)::int as n, count(distinct contact_id)::int as contacts from events where type = 'lifecycle.changed'`,
    );
    expect(events).toEqual([{ n: 50, contacts: 50 }]);
    const stages = await query<{ stage: string; n: number }>(
      t.database,
      sql`select stage, count(*)::int as n from customer_metrics group by 1`,
    );
    expect(stages).toEqual([{ stage: 'churning', n: 50 }]);
  });
});
