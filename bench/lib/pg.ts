import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import type { Database } from '../../src/storage/db';
import { defaultMigrationsDir, loadMigrations, migrate } from '../../src/storage/migrate';
import { openDb } from '../../src/storage/open';

/** A schema of its own on DATABASE_URL's server, dropped and created afresh; `sql` runs in it. */
export async function freshSchema(url: string, schema: string) {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop schema if exists ${schema} cascade; create schema ${schema}`);
  await admin.end();
  const sql = postgres(url, { max: 4, onnotice: () => {}, connection: { search_path: schema } });
  return {
    sql,
    async drop() {
      await sql.unsafe(`drop schema if exists ${schema} cascade`);
      await sql.end();
    },
  };
}

/** Almanac's own database in a fresh schema (dropped, created, migrated); `drop` removes it and closes the pool. */
export async function migratedSchema(url: string, schema: string, poolMax = 4): Promise<{ database: Database; drop(): Promise<void> }> {
  const database = await openDb({ kind: 'postgres', url, schema, poolMax });
  await database.db.execute(sql.raw(`drop schema if exists ${schema} cascade; create schema ${schema}`));
  await migrate(database, loadMigrations(defaultMigrationsDir));
  return {
    database,
    async drop() {
      await database.db.execute(sql.raw(`drop schema if exists ${schema} cascade`));
      await database.close();
    },
  };
}
