import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { type DataDirLock, lockDataDir } from './data-dir-lock';
import type { Database, Db, DbOptions } from './db';
import { openPostgres, quoteIdent } from './open-postgres';
import { withTimeout } from './ping-timeout';
import * as schema from './schema/index';

/**
 * The embedded database's settings: one connection, data that fits a shop's laptop, so a small
 * buffer cache (PostgreSQL's 128 MB default is most of an idle server's memory: 16 MB takes the
 * idle `almanac serve` from ~400 to ~280 MB; pages outside it come from the OS file cache).
 */
const PGLITE_CONF = ['shared_buffers = 16MB'];

/**
 * Open the configured database. Nothing is migrated here: see `migrate()`. A PGlite data
 * directory has one owner: it is locked (./data-dir-lock.ts) for as long as the handle is open,
 * and a second opener gets an `AppError` naming the holder, as `owner` describes this process.
 */
export async function openDb(options: DbOptions, opener: { owner?: string } = {}): Promise<Database> {
  const searchPath = quoteIdent(options.schema);
  if (options.kind === 'postgres') return openPostgres(options);
  let pglite: PGlite;
  let lock: DataDirLock | undefined;
  if (options.kind === 'pglite-shared') {
    pglite = options.pglite;
  } else if (options.dataDir === 'memory') {
    pglite = await PGlite.create({ postgresqlconf: PGLITE_CONF });
  } else {
    lock = lockDataDir(options.dataDir, opener.owner ?? 'another Almanac process');
    try {
      pglite = await PGlite.create(options.dataDir, { postgresqlconf: PGLITE_CONF });
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
