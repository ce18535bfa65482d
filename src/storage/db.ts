import type { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from './schema/index';

// The database handle types every storage function takes; `openDb` (./open.ts) makes one.

export type Schema = typeof schema;
/** One drizzle handle type for both drivers: code above storage never knows which it has. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle, or the database itself: every storage function accepts either. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0] | Db;

export interface Database {
  readonly db: Db;
  readonly kind: 'postgres' | 'pglite';
  /** The PostgreSQL schema holding Almanac's tables (search_path of every connection). */
  readonly schema: string;
  /** Round trip to the server; rejects when it cannot be reached within `timeoutMs`. */
  ping(timeoutMs?: number): Promise<void>;
  /**
   * PostgreSQL only: load rows into a table with `COPY … FROM STDIN` (text format; null is SQL
   * NULL), on a connection of its own, outside any transaction. Absent on PGlite.
   */
  copyRows?(table: string, columns: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | null>>): Promise<void>;
  close(): Promise<void>;
}

export type DbOptions =
  | { kind: 'postgres'; url: string; schema: string; poolMax?: number; connectTimeoutSeconds?: number }
  | { kind: 'pglite'; dataDir: string | 'memory'; schema: string }
  /** An already open PGlite (tests share one per worker); `close()` leaves it open. */
  | { kind: 'pglite-shared'; pglite: PGlite; schema: string };
