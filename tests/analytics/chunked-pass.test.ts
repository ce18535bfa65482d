import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { Metrics } from '../../src/metrics';
import { createAnalyticsPhase, PASS_FLAG } from '../../src/scheduler/analytics-phase';
import { backend, useTestDatabase } from '../helpers/db';
import { at, query } from '../helpers/engine';

/**
 * Issue 15 at scale: a full pass walks the base in chunks, one transaction each and a bounded
 * share per tick, with where it is kept in the database. Shrunk here to 7 contacts a chunk and
 * 14 a tick over 60 contacts: the first tick covers part of the base, the pass continues on the
 * next ticks — on whichever worker runs them — and ends with every contact staged and scored
 * exactly as one pass would, each stage change emitted once.
 */
const t = useTestDatabase('analytics_chunked_pass');

const stages = () =>
  query<{ stage: string; n: number }>(t.database, sql`select stage, count(*)::int as n from customer_metrics group by 1 order by 1`);
const pass = async () =>
  (await query<{ value: { step: string; after: number } }>(t.database, sql`select value from runtime_flags where name = ${PASS_FLAG}`))[0]
    ?.value;

describe(`a chunked full analytics pass on ${backend}`, () => {
  it('spreads over ticks and workers and ends as one pass would', async () => {
    await t.database.db.execute(sql`
      insert into contacts (external_id, email) select 'k' || g, 'k' || g || '@example.com' from generate_series(1, 60) g`);
    // Two orders each for the first 40 (a month apart), none for the last 20.
    await t.database.db.execute(sql`
      insert into orders (source, order_id, contact_id, total, currency, occurred_at, attributed_at)
      select 'test', 'o' || c.id || '-' || n, c.id, 20 + c.id, 'EUR', timestamptz '2026-07-01T10:00:00Z' + (n * 30) * interval '1 day', now()
      from contacts c cross join generate_series(0, 1) n where c.external_id ~ '^k([1-9]|[1-3][0-9]|40)$'`);
    const worker = () =>
      createAnalyticsPhase({
        database: t.database,
        metrics: new Metrics(),
        // The incremental pass looks at no one here (batch 0): only the full pass moves.
        batchSize: 0,
        settings: { ...loadConfig({}).analytics, passSeconds: 3600 },
        money: { shop: null, rates: {} },
        passChunk: 7,
        passPerTick: 14,
      });
    const [a, b] = [worker(), worker()];
    const now = at('2026-09-01T10:00:00Z');
    await a.run(now);
    expect(await pass()).toEqual(expect.objectContaining({ step: 'summary' }));
    const partial = (await stages()).reduce((n, s) => n + s.n, 0);
    expect(partial).toBeGreaterThanOrEqual(14);
    expect(partial).toBeLessThan(60);
    // The other worker continues where the first stopped.
    for (let i = 0; i < 20 && (await pass())?.step !== 'done'; i++) await (i % 2 ? a : b).run(now);
    expect((await pass())?.step).toBe('done');
    expect(await stages()).toEqual([
      { stage: 'prospect', n: 20 },
      { stage: 'repeat', n: 40 },
    ]);
    const scored = await query<{ rfm: number; value: number; doc: number }>(
      t.database,
      sql`select count(rfm)::int as rfm, count(value)::int as value, count(*) filter (where doc ? 'rfm')::int as doc from customer_metrics`,
    );
    expect(scored).toEqual([{ rfm: 40, value: 60, doc: 40 }]);
    // Three months later, 123 days after their last order, every buyer is churning (under 3 orders: the 120-day rule).
    const later = at('2026-12-01T10:00:00Z');
    for (let i = 0; i < 20; i++) await (i % 2 ? a : b).run(later);
    expect(await stages()).toEqual([
      { stage: 'churning', n: 40 },
      { stage: 'prospect', n: 20 },
    ]);
    const events = await query<{ n: number; contacts: number }>(
      t.database,
      sql`select count(*)::int as n, count(distinct contact_id)::int as contacts from events where type = 'lifecycle.changed'`,
    );
    expect(events).toEqual([{ n: 40, contacts: 40 }]);
  });
});
