import type { BenchCase } from '../lib/case';
import { load, startServer } from '../lib/http';
import { freshSchema } from '../lib/pg';

const KEY = 'bench-key';
/** About 200 bytes, a fresh id per request (autocannon's `[<id>]`). */
const BODY = JSON.stringify({
  id: 'ev-[<id>]',
  type: 'product.viewed',
  occurred_at: '2026-11-23T10:00:00Z',
  contact: { id: 'c-[<id>]', email: 'c-[<id>]@example.com' },
  properties: { product_id: 'mug-1', title: 'Stoneware mug', price: 32, currency: 'EUR' },
});
const HEADERS = { 'content-type': 'application/json', authorization: `Bearer ${KEY}` };

/**
 * Case 1: `POST /v1/events`, one event per request, 32 connections, over loopback — `almanac
 * serve` as a user runs it (default settings, its scheduler ticking) against a Hono route doing
 * one autocommit INSERT per request, and the same route without a database (the HTTP ceiling).
 * Every acknowledged event must be in the table afterwards. The size is how many events (and
 * their contacts) both tables hold before the load starts: growth at ×1, ×10, ×100 stored rows.
 */
export const ingest: BenchCase = {
  id: 'ingest',
  title: 'Event ingest over HTTP (32 connections; size: events already stored)',
  baseline: 'Hono + one INSERT per request',
  unit: 'req/s',
  better: 'higher',
  target: { ratio: 3, text: '≥ 3× naive, ≥ 0.5× ceiling, p99 < 50 ms' },
  sizes: { quick: [1000], full: [10_000, 100_000, 1_000_000] },
  needsPostgres: true,
  async run(ctx, stored) {
    const connections = 32;
    const seconds = ctx.quick ? 3 : 10;
    const url = ctx.databaseUrl!;
    const almanacDb = await freshSchema(url, 'bench_ingest');
    const naiveDb = await freshSchema(url, 'bench_ingest_naive');
    await naiveDb.sql`create table naive_events (dedupe_key text primary key, type text not null, contact jsonb not null,
      properties jsonb not null, occurred_at timestamptz not null, received_at timestamptz not null default now())`;
    await naiveDb.sql`insert into naive_events (dedupe_key, type, contact, properties, occurred_at)
      select 'old-' || g, 'product.viewed', jsonb_build_object('id', 'old-' || g), '{"product_id":"mug-1"}'::jsonb, now() from generate_series(1, ${stored}) g`;
    await naiveDb.sql`analyze naive_events`;
    try {
      const ceiling = await measure(['bench/servers/baselines.ts', 'ceiling'], {}, connections, seconds);
      const naive = await measure(
        ['bench/servers/baselines.ts', 'naive'],
        { DATABASE_URL: url, BENCH_SCHEMA: 'bench_ingest_naive' },
        connections,
        seconds,
      );
      const almanac = await measure(
        ['bin/almanac.js', 'serve'],
        { DATABASE_URL: url, DATABASE_SCHEMA: 'bench_ingest', API_KEYS: KEY },
        connections,
        seconds,
        'node',
        // Once serve has migrated its schema: the stored events, processed (the scheduler has nothing to catch up on).
        async () => {
          await almanacDb.sql`insert into contacts (external_id, email) select 'old-' || g, 'old-' || g || '@example.com' from generate_series(1, ${stored}) g`;
          await almanacDb.sql`insert into events (dedupe_key, type, contact_id, properties, occurred_at, received_at, source, processed_at)
            select 'old-' || id, 'product.viewed', id, '{"product_id":"mug-1"}'::jsonb, now(), now(), 'api', now() from contacts`;
          await almanacDb.sql`analyze`;
        },
      );
      const [{ n }] = await almanacDb.sql<[{ n: number }]>`select (count(*) - ${stored})::int as n from events`;
      if (n < almanac.ok) throw new Error(`ingest: ${almanac.ok} events acknowledged but only ${n} stored`);
      return {
        almanac: almanac.rps,
        baseline: naive.rps,
        checks: [
          { name: 'vs ceiling', value: almanac.rps / ceiling.rps, unit: '×', min: 0.5 },
          { name: 'p99', value: almanac.p99, unit: 'ms', max: 50 },
          { name: 'naive p99', value: naive.p99, unit: 'ms' },
        ],
      };
    } finally {
      await almanacDb.drop();
      await naiveDb.drop();
    }
  },
};

async function measure(
  args: string[],
  env: Record<string, string>,
  connections: number,
  seconds: number,
  command = 'tsx',
  beforeLoad?: () => Promise<void>,
) {
  const server = await startServer(command === 'tsx' ? 'npx' : process.execPath, command === 'tsx' ? ['tsx', ...args] : args, env);
  try {
    await beforeLoad?.();
    const r = await load(`${server.url}/v1/events`, { connections, seconds, method: 'POST', headers: HEADERS, body: BODY });
    if (r.errors || r.non2xx) throw new Error(`${args.join(' ')}: ${r.errors} errors and ${r.non2xx} non-2xx answers under load`);
    return { ...r, ok: Math.round(r.rps * seconds) };
  } finally {
    await server.stop();
  }
}
