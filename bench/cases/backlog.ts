import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import type { BenchCase } from '../lib/case';
import { stepDueRuns } from '../lib/due-runs';

const SCHEMA = 'bench_backlog';
/** Runs not due, per due run: 1M beside 50 000 due runs. */
const BACKLOG = 20;

/**
 * Case 4: the scheduler's runs phase on N due runs (as case 3: each stepped from its first `wait`
 * to the second) with a backlog of 20 × N active runs in the table that are not due (next wake a
 * year ahead), against the same N due runs on an otherwise empty runs table (the baseline). Also
 * checked: the empty table again while a second connection holds a transaction open for the
 * whole measurement (`begin; select txid_current()`, rolled back after), which keeps vacuum and
 * index hints from removing the stepped runs' old row versions. Both as rates ≥ 0.8 of the empty
 * table's. The backlog is one `insert … select`, not timed.
 */
export const backlog: BenchCase = {
  id: 'backlog',
  title: `Scheduler with a backlog (${BACKLOG}× N runs not due) and a long transaction`,
  baseline: 'the same due runs on an empty runs table',
  unit: 'runs/s',
  better: 'higher',
  target: { ratio: 0.8, text: '≤ 20 % slower with the backlog (1M at 50k) and with a long transaction' },
  sizes: { quick: [2000], full: [50000] },
  needsPostgres: true,
  async run(ctx, n) {
    const url = ctx.databaseUrl!;
    const empty = await stepDueRuns(url, SCHEMA, n);
    const withBacklog = await stepDueRuns(url, SCHEMA, n, {
      async seed(database) {
        await database.db.execute(sql`
          insert into runs (campaign_version_id, campaign, contact_id, entry_key, correlation_key, state, status, next_wake_at, started_at, updated_at)
          select r.campaign_version_id, r.campaign, r.contact_id, 'backlog:' || g, r.correlation_key, r.state, 'active',
                 timestamptz '2027-11-23T10:00:00Z' + ((r.id * ${BACKLOG} + g) % 2592000) * interval '1 second', r.started_at, r.updated_at
          from runs r cross join generate_series(1, ${BACKLOG}) g`);
      },
    });
    const withLongTx = await stepDueRuns(url, SCHEMA, n, { hold: () => longTransaction(url) });
    return {
      almanac: withBacklog,
      baseline: empty,
      checks: [{ name: 'long open transaction vs empty', value: withLongTx / empty, unit: '×', min: 0.8 }],
    };
  },
};

/** A second connection with a transaction open (an xid taken) until the returned closer rolls it back. */
async function longTransaction(url: string): Promise<() => Promise<void>> {
  const other = postgres(url, { max: 1, onnotice: () => {} });
  const conn = await other.reserve();
  await conn`begin`;
  await conn`select txid_current()`;
  return async () => {
    await conn`rollback`;
    conn.release();
    await other.end();
  };
}
