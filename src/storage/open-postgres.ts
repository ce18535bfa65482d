import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import type { Database, Db, DbOptions } from './db';
import { withTimeout } from './ping-timeout';
import * as schema from './schema/index';

export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** A value in COPY's text format: backslash, tab, newline and carriage return escaped. */
const copyText = (v: string) => v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');

/** Statements with at most this many parameters are prepared (named, parsed and planned once per connection). */
const PREPARE_MAX_PARAMS = 64;

/**
 * The postgres.js client as drizzle gets it, with its small statements prepared. drizzle sends
 * every query unprepared, and postgres.js then describes each one before executing it: two round
 * trips and a parse and plan on the server, per statement, on the hottest paths (each ingest
 * commit runs ~8 of them). Prepared, a repeated statement is one round trip (planned per execution: see plan_cache_mode below).
 * Only statements of ≤ PREPARE_MAX_PARAMS parameters: a multi-row insert's text changes with its
 * row count, and caching every size of a 9 000-parameter statement would hold a large plan per
 * size on every connection. postgres.js recycles connections (max_lifetime), and with them the cache.
 */
function preparingSmall<T extends postgres.Sql>(sql: T): T {
  return new Proxy(sql, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (key === 'unsafe')
        return (query: string, params?: unknown[], options?: { prepare?: boolean }) =>
          target.unsafe(query, params as never, {
            ...options,
            prepare: options?.prepare || (params?.length ?? 0) <= PREPARE_MAX_PARAMS,
          });
      if (key === 'begin' || key === 'savepoint')
        return (...args: unknown[]) => {
          const fn = args.pop() as (tx: postgres.Sql) => unknown;
          return (value as (...a: unknown[]) => unknown).call(target, ...args, (tx: postgres.Sql) => fn(preparingSmall(tx)));
        };
      return value;
    },
  });
}

/**
 * PostgreSQL through postgres.js (the server's pool on Node; on Workers a client per invocation,
 * over Hyperdrive or straight to DATABASE_URL through `cloudflare:sockets`). Imports nothing
 * Node-only, so the Worker bundle can carry it without PGlite (./open-pglite.ts).
 */
export function openPostgres(options: Extract<DbOptions, { kind: 'postgres' }>): Database {
  const client = postgres(options.url, {
    max: options.poolMax ?? 10,
    connect_timeout: options.connectTimeoutSeconds ?? 5,
    onnotice: () => {},
    // Prepared statements (preparingSmall) are planned afresh for their values at every execution,
    // as unprepared ones were: after five runs PostgreSQL may switch a statement to a generic plan
    // that ignores the values, and for a range over ids (a broadcast's page `id > $8 and id <= $9`)
    // it picked a plan that took minutes per page at 1M contacts. Parsing is still saved, and the
    // round trip that describes the statement.
    connection: { search_path: quoteIdent(options.schema), application_name: 'almanac', plan_cache_mode: 'force_custom_plan' },
  });
  const db = drizzlePostgres(preparingSmall(client), { schema }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    schema: options.schema,
    ping: (timeoutMs = 2000) =>
      withTimeout(
        client`select 1`.then(() => undefined),
        timeoutMs,
      ),
    close: () => client.end({ timeout: 5 }),
    copyRows: async (table, columns, rows) => {
      const writable = await client`copy ${client(table)} (${client(columns as string[])}) from stdin`.writable();
      const text = rows.map((r) => r.map((v) => (v === null ? '\\N' : copyText(v))).join('\t')).join('\n');
      await new Promise<void>((resolve, reject) => {
        writable.on('error', reject);
        writable.on('finish', resolve);
        writable.end(rows.length ? `${text}\n` : '');
      });
    },
  };
}
