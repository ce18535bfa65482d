import { sql } from 'drizzle-orm';
import { campaignReport } from '../../src/reports/campaign';
import type { Database } from '../../src/storage/db';
import { rowsOf } from '../../src/storage/sql-values';
import type { BenchCase, CaseContext } from '../lib/case';
import { migratedSchema } from '../lib/pg';
import { median, percentile } from '../lib/stats';
import { writePlans } from './report-plans';
import { CAMPAIGN, seedReport } from './report-seed';

const SCHEMA = 'bench_report';
/** Reports taken per repeat: their median is the figure, their p95 the check. */
const TAKES = 5;
/** Last-click attribution the naive way: per order, the contact's latest human click within 5 days before it, per campaign. */
const NAIVE = `
  select s.campaign, o.currency, count(*) as orders, sum(greatest(o.total - o.refunded, 0)) as revenue
  from orders o
  cross join lateral (
    select k.send_id from clicks k
    where k.contact_id = o.contact_id and not k.is_bot and k.send_id is not null
      and k.clicked_at <= o.occurred_at and k.clicked_at >= o.occurred_at - interval '5 days'
    order by k.clicked_at desc, k.send_id desc limit 1
  ) last
  join sends s on s.id = last.send_id
  group by 1, 2 order by 1, 2`;

/** The seeded data set, kept across repeats (seeding 1M orders takes minutes): one size at a time. */
let seeded: { orders: number; database: Database; drop(): Promise<void> } | undefined;

/**
 * Case 9: one campaign's whole report (`campaignReport`, src/reports/campaign.ts: counts, funnel,
 * revenue under five models, holdout lift, daily series) over N orders with 5N clicks, 2N opens,
 * N sends, N runs and 0.2N contacts (bench/cases/report-seed.ts), taken 5 times a repeat, against
 * the naive LATERAL last-click query alone on the same data. The data is seeded once per size and
 * kept for every repeat, dropped at teardown. BENCH_PLANS=1 writes each statement's plan to a file.
 */
export const report: BenchCase = {
  id: 'report',
  title: 'Campaign report (N orders, 5N clicks)',
  baseline: 'naive LATERAL last-click query alone',
  unit: 's',
  better: 'lower',
  target: { ratio: 10, text: '≥ 10× naive at 1M orders × 5M clicks; p95 ≤ 1 s' },
  sizes: { quick: [10_000], full: [1_000_000] },
  needsPostgres: true,
  async run(ctx, orders) {
    const database = await dataSet(ctx, orders);
    let t0 = performance.now();
    const naive = rowsOf<{ orders: string }>(await database.db.execute(sql.raw(NAIVE)));
    const baseline = (performance.now() - t0) / 1000;
    if (naive.length === 0) throw new Error('report: the naive query credited no order (seeding went wrong)');
    const takes: number[] = [];
    for (let i = 0; i < TAKES; i++) {
      t0 = performance.now();
      const r = await campaignReport(database, CAMPAIGN);
      takes.push((performance.now() - t0) / 1000);
      if (r.sends.total === 0 || r.clicks.human === 0) throw new Error(`report: no sends or clicks in ${JSON.stringify(r.sends)}`);
    }
    return { almanac: median(takes), baseline, checks: [{ name: `p95 of ${TAKES}`, value: percentile(takes, 95), unit: 's', max: 1 }] };
  },
  async teardown() {
    await seeded?.drop();
    seeded = undefined;
  },
};

async function dataSet(ctx: CaseContext, orders: number): Promise<Database> {
  if (seeded?.orders === orders) return seeded.database;
  await report.teardown!();
  const fresh = await migratedSchema(ctx.databaseUrl!, SCHEMA, 2);
  seeded = { orders, ...fresh };
  const scale = orders / 1_000_000;
  const t0 = performance.now();
  const { holdout } = await seedReport(fresh.database, scale, async (label, fn) => {
    const t = performance.now();
    await fn();
    ctx.log(`  report seed ${label}: ${((performance.now() - t) / 1000).toFixed(2)} s`);
  });
  const rows = rowsOf<{ relname: string; n: number }>(
    await fresh.database.db.execute(sql`select relname, reltuples::bigint::float8 as n from pg_class
      where relnamespace = ${SCHEMA}::regnamespace and relkind = 'r' and reltuples > 0 order by reltuples desc limit 8`),
  );
  ctx.log(
    `  report seeded at scale ${scale} in ${((performance.now() - t0) / 1000).toFixed(1)} s (about ${rows.map((r) => `${r.relname} ${r.n.toLocaleString('en')}`).join(', ')})`,
  );
  if (process.env.BENCH_PLANS === '1') ctx.log(`  report plans: ${await writePlans(fresh.database, CAMPAIGN, holdout, NAIVE)}`);
  return fresh.database;
}
