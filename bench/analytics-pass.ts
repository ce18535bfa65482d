/**
 * Customer analytics at scale: how long one full pass of the `analytics` tick phase takes over all
 * the ticks it is spread across, and its longest tick (order
 * summary and lifecycle stage for every contact, RFM over the base, value and BG/NBD predictions
 * a page at a time, the conditions' JSON) for N contacts with 5 orders each on average (default
 * 1 000 000 contacts × 5 000 000 orders) on a real PostgreSQL, against a baseline run beside it on
 * the same data: one bare `group by` of the orders per contact. Then one incremental tick after
 * 1 000 new orders. The ratio is the figure to watch; absolute seconds depend on the machine.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:analytics [-- 200000]
 *
 * Uses a schema of its own (bench_analytics) and drops it at the end.
 */
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/config';
import { Metrics } from '../src/metrics';
import { lifecycleView, retentionView, valueView } from '../src/reports/analytics';
import { createAnalyticsPhase, PASS_FLAG } from '../src/scheduler/analytics-phase';
import { openDb } from '../src/storage/open';
import { defaultMigrationsDir, loadMigrations, migrate } from '../src/storage/migrate';
import { rowsOf } from '../src/storage/sql-values';
import { time } from './support';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('bench:analytics needs DATABASE_URL (a real PostgreSQL), e.g. postgres://postgres@127.0.0.1:5432/test');
  process.exit(2);
}
const n = Number(process.argv[2] ?? 1_000_000);
const schema = 'bench_analytics';
const now = new Date('2026-12-01T12:00:00Z');

const database = await openDb({ kind: 'postgres', url, schema, poolMax: 2 });
try {
  await database.db.execute(sql.raw(`drop schema if exists ${schema} cascade`));
  await migrate(database, loadMigrations(defaultMigrationsDir));
  await time(`seed ${n.toLocaleString('en')} contacts, ~${(5 * n).toLocaleString('en')} orders`, async () => {
    await database.db.execute(sql`
      insert into contacts (external_id, email, attributes)
      select 'c' || g, 'c' || g || '@example.com',
             jsonb_build_object('acquisition_channel', (array['facebook','google','newsletter'])[1 + g % 3])
      from generate_series(1, ${n}) g`);
    // 0–10 orders per contact (mean 5), over the last two years, 10–200 EUR; about a tenth of contacts never order.
    await database.db.execute(sql`
      insert into orders (source, order_id, contact_id, total, currency, occurred_at, attributed_at)
      select 'bench', c.id || '-' || k, c.id, 10 + (hashint8(c.id * 31 + k) & 1023) % 190,
             'EUR', ${now.toISOString()}::timestamptz - ((hashint8(c.id * 17 + k) & 1048575) % 730) * interval '1 day', now()
      from contacts c, generate_series(1, 10) k
      where k <= (hashint8(c.id) & 1023) % 11`);
    await database.db.execute(sql`analyze`);
  });
  const [counts] = rowsOf<{ contacts: number; orders: number }>(
    await database.db.execute(sql`select (select count(*) from contacts)::int as contacts, (select count(*) from orders)::int as orders`),
  );
  console.log(`contacts ${counts!.contacts.toLocaleString('en')}, orders ${counts!.orders.toLocaleString('en')}`);
  const baseline = await time('baseline: bare group by of the orders per contact', async () => {
    await database.db.execute(sql`
      select count(*) from (select contact_id, count(*), sum(total - refunded), min(occurred_at), max(occurred_at) from orders group by 1) s`);
  });
  const config = loadConfig({}).analytics;
  const phase = createAnalyticsPhase({
    database,
    metrics: new Metrics(),
    batchSize: 500,
    settings: config,
    money: { shop: null, rates: {} },
  });
  // The full pass spreads over ticks (PASS_PER_TICK contacts each): tick until it is done, the clock standing still.
  const passStep = async () =>
    rowsOf<{ step: string }>(await database.db.execute(sql`select value->>'step' as step from runtime_flags where name = ${PASS_FLAG}`))[0]
      ?.step;
  const tickTimes: number[] = [];
  const full = await time('analytics phase: full pass (all its ticks)', async () => {
    do {
      const t0 = performance.now();
      await phase.run(now);
      tickTimes.push((performance.now() - t0) / 1000);
    } while ((await passStep()) !== 'done');
  });
  console.log(
    `  ${tickTimes.length} ticks, longest ${Math.max(...tickTimes).toFixed(2)} s, median ${[...tickTimes].sort((a, b) => a - b)[Math.floor(tickTimes.length / 2)]!.toFixed(2)} s`,
  );
  const [stages] = rowsOf<{ stages: string }>(
    await database.db.execute(
      sql`select string_agg(stage || ' ' || n, ', ' order by stage) as stages from (select stage, count(*) n from customer_metrics group by 1) s`,
    ),
  );
  const [model] = rowsOf<{ value: unknown }>(
    await database.db.execute(sql`select value from runtime_flags where name = 'analytics.model'`),
  );
  console.log(`stages: ${stages!.stages}`);
  console.log(`model: ${JSON.stringify(model?.value).slice(0, 300)}`);
  // The views a marketer opens (GET /v1/analytics/*), right after the pass.
  const rule = { shop: null, rates: {} };
  await time('lifecycle view', () => lifecycleView(database, rule, now));
  await time('retention view (month)', () => retentionView(database, rule, now, { period: 'month' }));
  await time('value view', () => valueView(database, rule));
  await database.db.execute(sql`
    insert into orders (source, order_id, contact_id, total, currency, occurred_at)
    select 'bench-new', 'n' || g, 1 + (g * 997) % ${n}, 50, 'EUR', ${now.toISOString()}::timestamptz from generate_series(1, 1000) g`);
  const inc = await time('analytics phase: incremental tick (1 000 new orders)', () => phase.run(new Date(now.getTime() + 60_000)));
  console.log(
    `full pass / baseline: ${(full.s / baseline.s).toFixed(1)}×   (${Math.round(counts!.contacts / full.s).toLocaleString('en')} contacts/s, longest tick ${Math.max(...tickTimes).toFixed(2)} s); incremental ${inc.s.toFixed(2)} s`,
  );
} finally {
  await database.db.execute(sql.raw(`drop schema if exists ${schema} cascade`));
  await database.close();
}
