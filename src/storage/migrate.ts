import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { rowsOf } from './sql-values';
import type { Database } from './db';

export interface Migration {
  tag: string;
  sql: string;
}

/** Read drizzle-kit's output (`migrations/meta/_journal.json` + one .sql per entry) in order. */
export function loadMigrations(dir: string): Migration[] {
  const journal = JSON.parse(readFileSync(join(dir, 'meta', '_journal.json'), 'utf8')) as {
    entries: Array<{ idx: number; tag: string }>;
  };
  return [...journal.entries]
    .sort((a, b) => a.idx - b.idx)
    .map((e) => ({ tag: e.tag, sql: readFileSync(join(dir, `${e.tag}.sql`), 'utf8') }));
}

/**
 * Where the committed migrations live, relative to this file (works from any cwd). Bundled for
 * workerd, `import.meta.url` is not a file URL, so this must not throw at import time: the
 * Worker never reads migrations (they run from Node), and gets an empty path.
 */
export const defaultMigrationsDir = migrationsDirNextToSource();

function migrationsDirNextToSource(): string {
  try {
    return new URL('../../migrations/', import.meta.url).pathname;
  } catch {
    return '';
  }
}

/**
 * Apply every migration not yet applied, in one transaction. Safe to run twice (applied tags are
 * recorded in `almanac_migrations`) and from several processes at once: the transaction first
 * takes an advisory lock keyed by the schema, so a second migrator waits and then finds nothing
 * to do. drizzle-kit writes `"public".` into foreign keys; we drop that qualifier so the same SQL
 * lands in whichever schema `search_path` names (an operator's DATABASE_SCHEMA, a test's own).
 * Returns the tags it applied.
 */
export async function migrate(database: Database, migrations: Migration[]): Promise<string[]> {
  const lockKey = createHash('sha256').update(`almanac.migrate.${database.schema}`).digest().readBigInt64BE(0);
  return database.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${lockKey.toString()}::bigint)`);
    await tx.execute(sql.raw(`create schema if not exists "${database.schema}"`));
    await tx.execute(sql`create table if not exists almanac_migrations (
      tag text primary key, hash text not null, applied_at timestamptz not null default now())`);
    const applied = await tx.execute(sql`select tag from almanac_migrations`);
    const done = new Set(rowsOf<{ tag: string }>(applied).map((r) => r.tag));
    const newlyApplied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.tag)) continue;
      for (const statement of m.sql.split('--> statement-breakpoint')) {
        const text = statement.replaceAll('"public".', '').trim();
        if (text) await tx.execute(sql.raw(text));
      }
      const hash = createHash('sha256').update(m.sql).digest('hex');
      await tx.execute(sql`insert into almanac_migrations (tag, hash) values (${m.tag}, ${hash})`);
      newlyApplied.push(m.tag);
    }
    return newlyApplied;
  });
}
