import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { type DataDirLock, lockDataDir } from './data-dir-lock';
import type { Database, Db, DbOptions } from './db';
import * as schema from './schema/index';

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** A value in COPY's text format: backslash, tab, newline and carriage return escaped. */
const copyText = (v: string) => v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');

/**
 * Open the configured database. Nothing is migrated here: see `migrate()`. A PGlite data
 * directory has one owner: it is locked (./data-dir-lock.ts) for as long as the handle is open,
 * and a second opener gets an `AppError` naming the holder, as `owner` describes this process.
 */
export async function openDb(options: DbOptions, opener: { owner?: string } = {}): Promise<Database> {
  const searchPath = quoteIdent(options.schema);
  if (options.kind === 'postgres') {
    const client = postgres(options.url, {
      max: options.poolMax ?? 10,
      connect_timeout: options.connectTimeoutSeconds ?? 5,
      onnotice: () => {},
      connection: { search_path: searchPath, application_name: 'almanac' },
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
  let pglite: PGlite;
  let lock: DataDirLock | undefined;
  if (options.kind === 'pglite-shared') {
    pglite = options.pglite;
  } else if (options.dataDir === 'memory') {
    pglite = await PGlite.create();
  } else {
    lock = lockDataDir(options.dataDir, opener.owner ?? 'another Almanac process');
    try {
      pglite = await PGlite.create(options.dataDir);
    } catch (err) {
      lock.release();
      throw err;
    }
  }
  try {
    // PGlite is one connection, so search_path set once holds for every query on this handle.
    await pglite.exec(`create schema if not exists ${searchPath}; set search_path to ${searchPath}`);
  } catch (err) {
    if (options.kind !== 'pglite-shared') await pglite.close().catch(() => {});
    lock?.release();
    throw err;
  }
  const db = drizzlePglite(pglite, { schema }) as unknown as Db;
  const owned = options.kind !== 'pglite-shared';
  return {
    db,
    kind: 'pglite',
    schema: options.schema,
    ping: (timeoutMs = 2000) =>
      withTimeout(
        db.execute(sql`select 1`).then(() => undefined),
        timeoutMs,
      ),
    close: async () => {
      try {
        if (owned && !pglite.closed) await pglite.close();
      } finally {
        lock?.release();
      }
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`database did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
