import { Logger, makeWorkerUtils, run as runWorker } from 'graphile-worker';
import postgres from 'postgres';
import type { BenchCase } from '../lib/case';
import { stepDueRuns } from '../lib/due-runs';
import { freshSchema } from '../lib/pg';

/**
 * Case 3: N due runs claimed → stepped → committed by the runs phase (each moves from its first
 * `wait` to the second: a state change, a new wake time, in batches under SKIP LOCKED), against
 * graphile-worker 0.17.3 running N no-op jobs with its batching on (local queue, batched
 * completion; the baseline), and a raw `DELETE … SKIP LOCKED` claim loop (checked as a second
 * target). Seeding (events → runs) is not timed.
 */
export const scheduler: BenchCase = {
  id: 'scheduler',
  title: 'Scheduler: due runs stepped',
  baseline: 'graphile-worker, no-op jobs, batched',
  unit: 'runs/s',
  better: 'higher',
  target: { ratio: 1, text: '≥ 1.0× graphile-worker, ≥ 0.5× raw claim loop' },
  sizes: { quick: [2000], full: [5000, 50000, 500000] },
  needsPostgres: true,
  async run(ctx, n) {
    const url = ctx.databaseUrl!;
    const almanac = await stepDueRuns(url, 'bench_scheduler', n);
    const graphile = await graphileJobs(url, n);
    const raw = await rawClaim(url, n);
    return { almanac, baseline: graphile, checks: [{ name: 'vs raw claim loop', value: almanac / raw, unit: '×', min: 0.5 }] };
  },
};

async function graphileJobs(url: string, n: number): Promise<number> {
  const schema = 'bench_graphile';
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop schema if exists ${schema} cascade`);
  const utils = await makeWorkerUtils({ connectionString: url, schema });
  try {
    await utils.migrate();
    for (let i = 0; i < n; i += 10_000)
      await utils.addJobs(Array.from({ length: Math.min(10_000, n - i) }, (_, k) => ({ identifier: 'noop', payload: { i: i + k } })));
    let done = 0;
    let finish: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    const t0 = performance.now();
    const runner = await runWorker({
      connectionString: url,
      schema,
      concurrency: 10,
      noHandleSignals: true,
      pollInterval: 100,
      logger: quietLogger,
      taskList: {
        noop: async () => {
          if (++done === n) finish();
        },
      },
      preset: { worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0 } },
    } as never);
    await finished;
    await runner.stop();
    const s = (performance.now() - t0) / 1000;
    return n / s;
  } finally {
    await utils.release();
    await admin.unsafe(`drop schema if exists ${schema} cascade`);
    await admin.end();
  }
}

async function rawClaim(url: string, n: number): Promise<number> {
  const db = await freshSchema(url, 'bench_raw_claim');
  try {
    await db.sql`create table q (id bigserial primary key, run_at timestamptz not null default now(), payload jsonb not null default '{}')`;
    await db.sql`insert into q (payload) select jsonb_build_object('i', g) from generate_series(1, ${n}) g`;
    await db.sql`analyze q`;
    const t0 = performance.now();
    let left = n;
    while (left > 0) {
      const r =
        await db.sql`delete from q where id in (select id from q where run_at <= now() order by id limit 500 for update skip locked) returning id`;
      if (r.length === 0) break;
      left -= r.length;
    }
    return n / ((performance.now() - t0) / 1000);
  } finally {
    await db.drop();
  }
}

const quietLogger = new Logger(() => () => {});
