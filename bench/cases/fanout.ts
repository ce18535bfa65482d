import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { applyProject } from '../../src/campaigns/apply';
import { createPlanCache } from '../../src/campaigns/plan-cache';
import { compileSources } from '../../src/dsl/compile/index';
import { Metrics } from '../../src/metrics';
import { createBroadcastsPhase } from '../../src/scheduler/broadcasts-phase';
import { rowsOf } from '../../src/storage/sql-values';
import type { BenchCase } from '../lib/case';
import { migratedSchema } from '../lib/pg';

const SCHEMA = 'bench_fanout';
const ZONES = ['Europe/Warsaw', 'Europe/Berlin', 'Europe/London', 'America/New_York', 'Asia/Kolkata'];
const CAMPAIGN = `campaign: newsletter
purpose: email.marketing
trigger:
  schedule: { rrule: "FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0", timezone: contact }
audience:
  all: [ { consent: email.marketing }, { attribute: email, exists: true } ]
steps:
  - send: newsletter
`;
// Tuesday 24 Nov 2026, 10:00 in each zone, as a live engine ticks.
const TICKS = ['2026-11-24T04:30:00Z', '2026-11-24T09:00:00Z', '2026-11-24T10:00:00Z', '2026-11-24T15:00:00Z'];
/** The N+1 baseline is measured on this many contacts at most and its rate extrapolated (it takes minutes at 1M). */
const NAIVE_SAMPLE = 10_000;

/**
 * Case 5: one newsletter occurrence started for N contacts (90 % with consent, five zones) by the
 * broadcasts phase, against an N+1 implementation — per contact, read its consent, then insert
 * its run — measured on up to 10 000 contacts and extrapolated as a rate. Also checked: the
 * seconds at this size (≤ 30 s at 1M) and, for reference, a bare `insert … select` of the runs.
 */
export const fanout: BenchCase = {
  id: 'fanout',
  title: 'Broadcast fan-out',
  baseline: 'N+1: per contact, read consent, insert run (on ≤ 10k, extrapolated)',
  unit: 'runs/s',
  better: 'higher',
  target: { ratio: 20, text: '≥ 20× N+1; ≤ 30 s at 1M' },
  sizes: { quick: [10_000], full: [10_000, 100_000, 1_000_000] },
  needsPostgres: true,
  async run(ctx, n) {
    const url = ctx.databaseUrl!;
    const fresh = await migratedSchema(url, SCHEMA, 2);
    const { database } = fresh;
    const raw = postgres(url, { max: 1, onnotice: () => {}, connection: { search_path: SCHEMA } });
    try {
      const zoneList = `{${ZONES.join(',')}}`;
      await database.db.execute(sql`
        insert into contacts (external_id, email, timezone)
        select 'c' || g, 'c' || g || '@example.com', (${zoneList}::text[])[1 + g % ${ZONES.length}] from generate_series(1, ${n}) g`);
      await database.db.execute(sql`
        insert into consent_records (contact_id, purpose, granted, source, occurred_at)
        select id, 'email.marketing', true, 'bench', '2026-01-01T00:00:00Z' from contacts where id % 10 <> 0`);
      await database.db.execute(sql`analyze`);
      const compiled = compileSources(
        [
          { path: 'campaigns/newsletter.yaml', text: CAMPAIGN },
          { path: 'campaigns/calendar.yaml', text: 'timezone: Europe/Warsaw\n' },
        ],
        ['newsletter'],
      );
      if (!compiled.ok) throw new Error('the fan-out campaign does not compile');
      await applyProject(database, compiled.project, new Date('2026-11-23T00:00:00Z'));

      // The N+1 baseline, rolled back: it must not leave runs for the real phase to collide with.
      const sample = Math.min(n, NAIVE_SAMPLE);
      let t0 = performance.now();
      await raw
        .begin(async (tx) => {
          const ids = await tx<Array<{ id: string }>>`select id from contacts order by id limit ${sample}`;
          for (const { id } of ids) {
            const [c] = await tx<Array<{ granted: boolean }>>`
              select granted from consent_records where contact_id = ${id} and purpose = 'email.marketing' order by occurred_at desc limit 1`;
            if (c?.granted)
              await tx`insert into runs (campaign_version_id, campaign, contact_id, entry_key, state, status, next_wake_at, started_at)
                values (1, 'naive', ${id}, 'x', '{}'::jsonb, 'active', now(), now())`;
          }
          throw new Error('rollback');
        })
        .catch((err: Error) => {
          if (err.message !== 'rollback') throw err;
        });
      const naive = sample / ((performance.now() - t0) / 1000);

      t0 = performance.now();
      await raw
        .begin(async (tx) => {
          await tx`insert into runs (campaign_version_id, campaign, contact_id, entry_key, state, status, next_wake_at, started_at)
            select 1, 'bare', id, 'x', '{}'::jsonb, 'active', now(), now() from contacts`;
          throw new Error('rollback');
        })
        .catch((err: Error) => {
          if (err.message !== 'rollback') throw err;
        });
      const bare = (performance.now() - t0) / 1000;

      const phase = createBroadcastsPhase({ database, plans: createPlanCache(), metrics: new Metrics(), batchSize: 500 });
      t0 = performance.now();
      for (const t of TICKS) await phase.run(new Date(t));
      const seconds = (performance.now() - t0) / 1000;
      const [row] = rowsOf<{ runs: number }>(
        await database.db.execute(sql`select count(*)::int as runs from runs where campaign = 'newsletter'`),
      );
      const expected = n - Math.floor(n / 10);
      if (row?.runs !== expected) throw new Error(`fan-out: ${row?.runs} runs started, ${expected} expected`);
      return {
        almanac: n / seconds,
        baseline: naive,
        checks: [
          { name: 'seconds', value: seconds, unit: 's', ...(n >= 1_000_000 ? { max: 30 } : {}) },
          { name: 'time vs bare insert…select', value: seconds / bare, unit: '×' },
        ],
      };
    } finally {
      await raw.end();
      await fresh.drop();
    }
  },
};
