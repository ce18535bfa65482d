import { sql } from 'drizzle-orm';
import type { Database } from './db';
import { rowsOf } from './sql-values';

/**
 * Which of `expected` the database has not applied (in order): all of them when it was never
 * migrated. One read of `almanac_migrations`; nothing is written.
 */
export async function missingMigrations(database: Database, expected: readonly string[]): Promise<string[]> {
  const exists = rowsOf<{ ok: boolean }>(await database.db.execute(sql`select to_regclass('almanac_migrations') is not null as ok`));
  if (!exists[0]?.ok) return [...expected];
  const applied = new Set(rowsOf<{ tag: string }>(await database.db.execute(sql`select tag from almanac_migrations`)).map((r) => r.tag));
  return expected.filter((t) => !applied.has(t));
}
