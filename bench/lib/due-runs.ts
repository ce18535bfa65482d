import { sql } from 'drizzle-orm';
import { applyProject } from '../../src/campaigns/apply';
import { createPlanCache } from '../../src/campaigns/plan-cache';
import { compileSources } from '../../src/dsl/compile/index';
import { Metrics } from '../../src/metrics';
import { createEventsPhase } from '../../src/scheduler/events-phase';
import { createRunsPhase } from '../../src/scheduler/runs-phase';
import type { Database } from '../../src/storage/db';
import { rowsOf } from '../../src/storage/sql-values';
import { migratedSchema } from './pg';

/** The clock of the seeded runs: their events happen at T0, the runs phase steps them two minutes later. */
export const T0 = new Date('2026-11-23T10:00:00Z');
const CAMPAIGN = `campaign: bench-ping
purpose: email.marketing
trigger:
  event: bench.ping
re_entry: always
steps:
  - wait: 1m
  - wait: 1d
`;

export interface DueRunsOptions {
  /** Extra rows after the due runs are seeded (not timed; `analyze` follows). */
  seed?(database: Database): Promise<void>;
  /** Opened just before the timed part, closed right after it (a long transaction): returns its closer. */
  hold?(): Promise<() => Promise<void>>;
}

/**
 * The runs phase on N due runs, in a fresh schema of Almanac's: N contacts each send one
 * `bench.ping`, the events phase starts their runs (each sleeping in its first `wait: 1m`), then,
 * timed, the runs phase steps every one of them to the second `wait` (a state change and a new wake
 * time, in batches under SKIP LOCKED) until none is due. Seeding is not timed. Returns runs/s.
 * Used by the scheduler case (case 3) and the backlog case (case 4).
 */
export async function stepDueRuns(url: string, schema: string, n: number, options: DueRunsOptions = {}): Promise<number> {
  const fresh = await migratedSchema(url, schema);
  const { database } = fresh;
  try {
    const compiled = compileSources([{ path: 'campaigns/bench-ping.yaml', text: CAMPAIGN }], []);
    if (!compiled.ok) throw new Error(`bench campaign: ${JSON.stringify(compiled.errors)}`);
    await applyProject(database, compiled.project, T0);
    await database.db.execute(
      sql`insert into contacts (external_id, email) select 'c' || g, 'c' || g || '@example.com' from generate_series(1, ${n}) g`,
    );
    await database.db.execute(sql`
      insert into events (dedupe_key, type, contact_id, properties, occurred_at, received_at, source)
      select 'e' || id, 'bench.ping', id, '{}'::jsonb, ${T0.toISOString()}::timestamptz, ${T0.toISOString()}::timestamptz, 'bench' from contacts`);
    const deps = { database, plans: createPlanCache(), metrics: new Metrics(), batchSize: 500, maxBatches: 1_000_000 };
    const events = createEventsPhase(deps);
    while ((await events.run(T0)) > 0);
    const started = count(await database.db.execute(sql`select count(*)::int as n from runs where status = 'active'`));
    if (started !== n) throw new Error(`due runs: ${started} runs started of ${n}`);
    await options.seed?.(database);
    await database.db.execute(sql`analyze`);
    const runs = createRunsPhase(deps);
    const later = new Date(T0.getTime() + 120_000);
    const release = await options.hold?.();
    let s: number;
    let stepped = 0;
    try {
      const t0 = performance.now();
      for (let k; (k = await runs.run(later)) > 0;) stepped += k;
      s = (performance.now() - t0) / 1000;
    } finally {
      await release?.();
    }
    // The runs stepped: those whose wake time moved past `later` but not into a seeded backlog far beyond it.
    const moved = count(
      await database.db.execute(sql`select count(*)::int as n from runs where next_wake_at > ${later.toISOString()}::timestamptz
        and next_wake_at < ${new Date(later.getTime() + 7 * 86_400_000).toISOString()}::timestamptz`),
    );
    if (moved !== n) throw new Error(`due runs: ${moved} of ${n} runs reached their second wait (phase reported ${stepped})`);
    return n / s;
  } finally {
    await fresh.drop();
  }
}

export const count = (r: unknown) => rowsOf<{ n: number }>(r)[0]!.n;
