import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchCase } from '../lib/case';
import { load, startServer } from '../lib/http';
import { freshSchema } from '../lib/pg';

const KEY = 'bench-key';
const PER_REQUEST = 1000;
/** 1000 events of ~200 bytes, each id fresh per request (autocannon's `[<id>]`) and per position. */
const BODY = JSON.stringify({
  events: Array.from({ length: PER_REQUEST }, (_, k) => ({
    id: `ev-[<id>]-${k}`,
    type: 'product.viewed',
    occurred_at: '2026-11-23T10:00:00Z',
    contact: { id: `c-[<id>]-${k}`, email: `c-[<id>]-${k}@example.com` },
    properties: { product_id: 'mug-1', title: 'Stoneware mug', price: 32, currency: 'EUR' },
  })),
});

/**
 * Case 2: `POST /v1/events/batch`, 1000 events per request, 8 connections, on `almanac serve`
 * (stored, deduplicated, contacts upserted), against pgbench from the PostgreSQL install: 32
 * clients each doing single-row INSERTs into a table of the same shape.
 */
export const batch: BenchCase = {
  id: 'batch',
  title: 'Batch ingest (1000 events per request)',
  baseline: 'pgbench, 32 clients, single-row INSERT',
  unit: 'events/s',
  better: 'higher',
  target: { ratio: 3, text: '≥ 3× pgbench' },
  sizes: { quick: [8], full: [8] },
  needsPostgres: true,
  async run(ctx, connections) {
    const seconds = ctx.quick ? 3 : 10;
    const url = ctx.databaseUrl!;
    const almanacDb = await freshSchema(url, 'bench_batch');
    const naiveDb = await freshSchema(url, 'bench_batch_naive');
    await naiveDb.sql`create table naive_events (dedupe_key text primary key, type text not null, contact jsonb not null,
      properties jsonb not null, occurred_at timestamptz not null, received_at timestamptz not null default now())`;
    const dir = mkdtempSync(join(tmpdir(), 'almanac-bench-pgbench-'));
    try {
      const script = join(dir, 'insert.sql');
      writeFileSync(
        script,
        `INSERT INTO bench_batch_naive.naive_events (dedupe_key, type, contact, properties, occurred_at)
         VALUES (md5(random()::text || clock_timestamp()::text), 'product.viewed', '{"id":"c","email":"c@example.com"}',
                 '{"product_id":"mug-1","title":"Stoneware mug","price":32,"currency":"EUR"}', now()) ON CONFLICT DO NOTHING;\n`,
      );
      const out = execFileSync('pgbench', ['-n', '-c', '32', '-j', '2', '-T', String(seconds), '-f', script, url], { encoding: 'utf8' });
      const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1]);
      if (!Number.isFinite(tps)) throw new Error(`pgbench printed no tps:\n${out}`);
      const server = await startServer(process.execPath, ['bin/almanac.js', 'serve'], {
        DATABASE_URL: url,
        DATABASE_SCHEMA: 'bench_batch',
        API_KEYS: KEY,
      });
      let r;
      try {
        r = await load(`${server.url}/v1/events/batch`, {
          connections,
          seconds,
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
          body: BODY,
        });
      } finally {
        await server.stop();
      }
      if (r.errors || r.non2xx) throw new Error(`batch: ${r.errors} errors and ${r.non2xx} non-2xx answers under load`);
      const [{ n }] = await almanacDb.sql<[{ n: number }]>`select count(*)::int as n from events`;
      const acknowledged = Math.round(r.rps * seconds) * PER_REQUEST;
      if (n < acknowledged) throw new Error(`batch: ${acknowledged} events acknowledged but only ${n} stored`);
      return { almanac: r.rps * PER_REQUEST, baseline: tps };
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await almanacDb.drop();
      await naiveDb.drop();
    }
  },
};
