/**
 * Broadcast fan-out at scale: how long the `broadcasts` tick phase takes to start one newsletter
 * occurrence for N contacts (default 1 000 000) on a real PostgreSQL, against a baseline run
 * beside it on the same data: a bare `insert into runs … select from contacts` with no audience,
 * zones or dedupe. The ratio is the figure to watch; absolute seconds depend on the machine.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:fanout [-- 200000]
 *
 * Uses a schema of its own (bench_fanout) and drops it at the end.
 */
import { sql } from 'drizzle-orm';
import { applyProject } from '../src/campaigns/apply';
import { compileSources } from '../src/dsl/compile/index';
import { Metrics } from '../src/metrics';
import { createBroadcastsPhase } from '../src/scheduler/broadcasts-phase';
import { createPlanCache } from '../src/campaigns/plan-cache';
import { openDb } from '../src/storage/open';
import { defaultMigrationsDir, loadMigrations, migrate } from '../src/storage/migrate';
import { rowsOf } from '../src/storage/sql-values';
import { time as timed } from './support';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('bench:fanout needs DATABASE_URL (a real PostgreSQL), e.g. postgres://postgres@127.0.0.1:5432/test');
  process.exit(2);
}
const n = Number(process.argv[2] ?? 1_000_000);
const schema = 'bench_fanout';
const zones = ['Europe/Warsaw', 'Europe/Berlin', 'Europe/London', 'America/New_York', 'Asia/Kolkata'];

const database = await openDb({ kind: 'postgres', url, schema, poolMax: 2 });
const time = <T>(label: string, fn: () => Promise<T>) => timed(label, fn, 44);
try {
  await database.db.execute(sql.raw(`drop schema if exists ${schema} cascade`));
  await migrate(database, loadMigrations(defaultMigrationsDir));
  await time(`seed ${n.toLocaleString('en')} contacts with consent`, async () => {
    const zoneList = `{${zones.join(',')}}`;
    await database.db.execute(sql`
      insert into contacts (external_id, email, timezone)
      select 'c' || g, 'c' || g || '@example.com', (${zoneList}::text[])[1 + g % ${zones.length}]
      from generate_series(1, ${n}) g`);
    await database.db.execute(sql`
      insert into consent_records (contact_id, purpose, granted, source, occurred_at)
      select id, 'email.marketing', true, 'bench', '2026-01-01T00:00:00Z' from contacts where id % 10 <> 0`);
    await database.db.execute(sql`analyze`);
  });
  const campaign = `campaign: newsletter
purpose: email.marketing
trigger:
  schedule: { rrule: "FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0", timezone: contact }
audience:
  all: [ { consent: email.marketing }, { attribute: email, exists: true } ]
steps:
  - send: newsletter
`;
  const compiled = compileSources(
    [
      { path: 'campaigns/newsletter.yaml', text: campaign },
      { path: 'campaigns/calendar.yaml', text: 'timezone: Europe/Warsaw\n' },
    ],
    ['newsletter'],
  );
  if (!compiled.ok) throw new Error('bench campaign does not compile');
  await applyProject(database, compiled.project, new Date('2026-11-23T00:00:00Z'));

  const baseline = await time('baseline: bare insert…select of runs', async () => {
    await database.db
      .transaction(async (tx) => {
        await tx.execute(sql`
        insert into runs (campaign_version_id, campaign, contact_id, entry_key, state, status, next_wake_at, started_at)
        select 1, 'baseline', id, 'x', '{}'::jsonb, 'active', now(), now() from contacts`);
        tx.rollback();
      })
      .catch(() => undefined);
  });
  const phase = createBroadcastsPhase({ database, plans: createPlanCache(), metrics: new Metrics(), batchSize: 500 });
  // Tuesday 24 Nov 2026: tick at 10:00 in each zone, as a live engine would (04:30Z Kolkata,
  // 09:00Z Warsaw and Berlin, 10:00Z London, 15:00Z New York).
  const ticks = ['2026-11-24T04:30:00Z', '2026-11-24T09:00:00Z', '2026-11-24T10:00:00Z', '2026-11-24T15:00:00Z'];
  const fanout = await time('broadcasts phase: one occurrence, 5 zones', async () => {
    let started = 0;
    for (const t of ticks) started += await phase.run(new Date(t));
    return started;
  });
  const [row] = rowsOf<{ runs: number }>(
    await database.db.execute(sql`select count(*)::int as runs from runs where campaign = 'newsletter'`),
  );
  console.log(
    `runs started: ${row?.runs.toLocaleString('en')} (${fanout.out.toLocaleString('en')} reported; contacts without consent excluded)`,
  );
  console.log(
    `fan-out / baseline: ${(fanout.s / baseline.s).toFixed(2)}×   (${Math.round((row?.runs ?? 0) / fanout.s).toLocaleString('en')} runs/s)`,
  );
} finally {
  await database.db.execute(sql.raw(`drop schema if exists ${schema} cascade`));
  await database.close();
}
