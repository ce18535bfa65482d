import { sql } from 'drizzle-orm';
import { loadConfig } from '../../src/config';
import { Metrics } from '../../src/metrics';
import { lifecycleView, retentionView, valueView } from '../../src/reports/analytics';
import { createAnalyticsPhase, PASS_FLAG } from '../../src/scheduler/analytics-phase';
import type { Database } from '../../src/storage/db';
import { rowsOf } from '../../src/storage/sql-values';
import type { BenchCase, CaseContext } from '../lib/case';
import { migratedSchema } from '../lib/pg';

const SCHEMA = 'bench_analytics';
const NOW = new Date('2026-12-01T12:00:00Z');
const NEW_ORDERS = 1000;
/** TICK_BATCH_SIZE's default: the incremental pass looks at this many contacts a tick. */
const BATCH = 500;

/** The seeded contacts and orders, kept across repeats (seeding 5M orders takes minutes): one size at a time. */
let seeded: { contacts: number; database: Database; drop(): Promise<void> } | undefined;

/**
 * Case 10: one full pass of the `analytics` tick phase (order summary and lifecycle stage of
 * every contact, RFM over the base, value and BG/NBD predictions a page at a time, the
 * conditions' JSON), ticked until done with the clock standing still, over N contacts with ~5
 * orders each (0–10, a tenth never order), against one bare `group by` of the orders per contact
 * on the same data. No ratio is asked for: the issue wants the time reported, with the longest
 * tick, the views a marketer opens right after, and one incremental tick after 1 000 new orders.
 * Seeded once per size; between repeats the analytics state is emptied (not timed).
 */
export const analytics: BenchCase = {
  id: 'analytics',
  title: 'Customer analytics full pass (N contacts × ~5 orders)',
  baseline: 'bare group by of the orders per contact',
  unit: 's',
  better: 'lower',
  target: { ratio: 0, text: 'report the time; incremental tick for 1k orders' },
  sizes: { quick: [2000], full: [1_000_000] },
  // One full pass over 1M contacts × 5M orders takes 5–10 minutes (304 s on 2026-12-07): once in a full run (bench/README.md says so).
  fullRepeats: 1,
  needsPostgres: true,
  async run(ctx, n) {
    const database = await dataSet(ctx, n);
    const exec = (q: ReturnType<typeof sql>) => database.db.execute(q);
    let t0 = performance.now();
    await exec(sql`
      select count(*) from (select contact_id, count(*), sum(total - refunded), min(occurred_at), max(occurred_at) from orders group by 1) s`);
    const baseline = (performance.now() - t0) / 1000;

    const phase = createAnalyticsPhase({
      database,
      metrics: new Metrics(),
      batchSize: BATCH,
      settings: loadConfig({}).analytics,
      money: { shop: null, rates: {} },
    });
    // The full pass spreads over ticks (PASS_PER_TICK contacts each): tick until it is done.
    const passStep = async () =>
      rowsOf<{ step: string }>(await exec(sql`select value->>'step' as step from runtime_flags where name = ${PASS_FLAG}`))[0]?.step;
    const ticks: number[] = [];
    t0 = performance.now();
    do {
      const t = performance.now();
      await phase.run(NOW);
      ticks.push((performance.now() - t) / 1000);
    } while ((await passStep()) !== 'done');
    const pass = (performance.now() - t0) / 1000;
    const [staged] = rowsOf<{ n: number }>(await exec(sql`select count(*)::int as n from customer_metrics where stage is not null`));
    if (staged?.n !== n) throw new Error(`analytics: ${staged?.n} of ${n} contacts have a stage after the pass`);

    // The views a marketer opens (GET /v1/analytics/*), right after the pass.
    const rule = { shop: null, rates: {} };
    t0 = performance.now();
    await lifecycleView(database, rule, NOW);
    await retentionView(database, rule, NOW, { period: 'month' });
    await valueView(database, rule);
    const views = (performance.now() - t0) / 1000;

    await exec(sql`
      insert into orders (source, order_id, contact_id, total, currency, occurred_at)
      select 'bench-new', 'n' || g, 1 + (g * 997) % ${n}, 50, 'EUR', ${NOW.toISOString()}::timestamptz from generate_series(1, ${NEW_ORDERS}) g`);
    t0 = performance.now();
    const handled = await phase.run(new Date(NOW.getTime() + 60_000));
    const incremental = (performance.now() - t0) / 1000;
    ctx.log(
      `  analytics ×${n}: pass ${pass.toFixed(2)} s over ${ticks.length} ticks; incremental tick after ${NEW_ORDERS} orders looked at ${handled} contacts`,
    );
    return {
      almanac: pass,
      baseline,
      checks: [
        { name: 'pass spread over', value: ticks.length, unit: 'ticks' },
        { name: 'longest tick', value: Math.max(...ticks), unit: 's' },
        { name: 'views after (lifecycle + retention + value)', value: views, unit: 's' },
        { name: `incremental tick after ${NEW_ORDERS} new orders (${BATCH} contacts a tick)`, value: incremental, unit: 's' },
      ],
    };
  },
  async teardown() {
    await seeded?.drop();
    seeded = undefined;
  },
};

/** The data set at this size: seeded when new, else as seeded again (the last repeat's analytics state emptied). */
async function dataSet(ctx: CaseContext, n: number): Promise<Database> {
  if (seeded?.contacts === n) {
    const { database } = seeded;
    const t0 = performance.now();
    await database.db.execute(sql`delete from orders where source = 'bench-new'`);
    await database.db.execute(sql`delete from events where source = 'analytics'`);
    await database.db.execute(sql`delete from runtime_flags where name like 'analytics.%'`);
    await database.db.execute(sql`truncate customer_metrics, rfm_scores`);
    await database.db.execute(sql`update contacts set lifecycle_stage = null where lifecycle_stage is not null`);
    await database.db.execute(sql`vacuum analyze`);
    ctx.log(`  analytics state emptied in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return database;
  }
  await analytics.teardown!();
  const fresh = await migratedSchema(ctx.databaseUrl!, SCHEMA, 2);
  seeded = { contacts: n, ...fresh };
  const { database } = fresh;
  const t0 = performance.now();
  await database.db.execute(sql`
    insert into contacts (external_id, email, attributes)
    select 'c' || g, 'c' || g || '@example.com', jsonb_build_object('acquisition_channel', (array['facebook','google','newsletter'])[1 + g % 3])
    from generate_series(1, ${n}) g`);
  // 0–10 orders per contact (mean 5), over the last two years, 10–200 EUR; about a tenth of contacts never order.
  await database.db.execute(sql`
    insert into orders (source, order_id, contact_id, total, currency, occurred_at, attributed_at)
    select 'bench', c.id || '-' || k, c.id, 10 + (hashint8(c.id * 31 + k) & 1023) % 190,
           'EUR', ${NOW.toISOString()}::timestamptz - ((hashint8(c.id * 17 + k) & 1048575) % 730) * interval '1 day', now()
    from contacts c, generate_series(1, 10) k
    where k <= (hashint8(c.id) & 1023) % 11`);
  await database.db.execute(sql`vacuum analyze`);
  const [orders] = rowsOf<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from orders`));
  ctx.log(
    `  analytics seeded ${n.toLocaleString('en')} contacts, ${orders!.n.toLocaleString('en')} orders in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return database;
}
