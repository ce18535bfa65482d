import { execFileSync } from 'node:child_process';
import type { BenchCase } from '../lib/case';
import { load, startServer } from '../lib/http';
import { freshSchema } from '../lib/pg';

const KEY = 'bench-key';

/**
 * Case 8: `GET /c/:token`, a signed tracked link (made with `POST /v1/links`) on `almanac serve`
 * with the sample campaigns applied, against a no-op Hono 302 and a Hono 302 that INSERTs the
 * click before answering. 32 connections over loopback. The clicks must be recorded afterwards.
 */
export const click: BenchCase = {
  id: 'click',
  title: 'Click redirect (32 connections)',
  baseline: 'no-op Hono 302',
  unit: 'req/s',
  better: 'higher',
  target: { ratio: 0.7, text: '≥ 0.7× no-op, ≥ 3× sync insert, p99 < 10 ms' },
  sizes: { quick: [32], full: [32] },
  needsPostgres: true,
  async run(ctx, connections) {
    const seconds = ctx.quick ? 3 : 10;
    const url = ctx.databaseUrl!;
    const almanacDb = await freshSchema(url, 'bench_click');
    const naiveDb = await freshSchema(url, 'bench_click_naive');
    await naiveDb.sql`create table naive_clicks (id bigserial primary key, link text not null, ip text, user_agent text, at timestamptz not null default now())`;
    const env = {
      DATABASE_URL: url,
      DATABASE_SCHEMA: 'bench_click',
      API_KEYS: KEY,
      LINK_SIGNING_KEY: 'bench-link-signing-key-0123456789',
      TZ: 'UTC',
    };
    execFileSync(process.execPath, ['bin/almanac.js', 'apply'], { env: { ...process.env, ...env }, stdio: 'ignore' });
    try {
      const noop = await measure('npx', ['tsx', 'bench/servers/baselines.ts', 'redirect'], {}, '/c/1', connections, seconds);
      const insert = await measure(
        'npx',
        ['tsx', 'bench/servers/baselines.ts', 'redirect-insert'],
        { DATABASE_URL: url, BENCH_SCHEMA: 'bench_click_naive' },
        '/c/1',
        connections,
        seconds,
      );
      const server = await startServer(process.execPath, ['bin/almanac.js', 'serve'], { ...env, PUBLIC_URL: 'http://127.0.0.1' });
      let almanac;
      try {
        const res = await fetch(`${server.url}/v1/links`, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ campaign: 'abandoned-cart', network: 'sms', to: 'https://shop.example/products/mug' }),
        });
        if (res.status !== 201) throw new Error(`POST /v1/links answered ${res.status}: ${await res.text()}`);
        const path = new URL(((await res.json()) as { url: string }).url).pathname;
        almanac = await load(`${server.url}${path}`, { connections, seconds, headers: { 'user-agent': 'Mozilla/5.0 Firefox/133.0' } });
      } finally {
        await server.stop(); // flushes the buffered clicks
      }
      const [{ n }] = await almanacDb.sql<[{ n: number }]>`select count(*)::int as n from clicks`;
      if (n === 0) throw new Error('click: no click was recorded');
      return {
        almanac: almanac.rps,
        baseline: noop.rps,
        checks: [
          { name: 'vs sync insert', value: almanac.rps / insert.rps, unit: '×', min: 3 },
          { name: 'p99', value: almanac.p99, unit: 'ms', max: 10 },
        ],
      };
    } finally {
      await almanacDb.drop();
      await naiveDb.drop();
    }
  },
};

async function measure(command: string, args: string[], env: Record<string, string>, path: string, connections: number, seconds: number) {
  const server = await startServer(command, args, env);
  try {
    return await load(`${server.url}${path}`, { connections, seconds });
  } finally {
    await server.stop();
  }
}
