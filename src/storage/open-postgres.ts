import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import type { Database, Db, DbOptions } from './db';
import { withTimeout } from './ping-timeout';
import * as schema from './schema/index';

export const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** A value in COPY's text format: backslash, tab, newline and carriage return escaped. */
const copyText = (v: string) => v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');

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
    connection: { search_path: quoteIdent(options.schema), application_name: 'almanac' },
  });
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
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
