import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database } from './db';
import { rowsOf } from './sql-values';

/** One checked row of an import file, staged: its order in the file, its contact key, the row as JSON. */
export interface StagedRow {
  ord: number;
  key: string;
  data: string;
}

/**
 * The staging table of one import (`import_staging_<unix ms>_<random>`, UNLOGGED on PostgreSQL):
 * the checked rows of the whole file land here first — by `COPY … FROM STDIN` on PostgreSQL,
 * batched inserts on PGlite — so the file is never held in memory, duplicates are found across
 * the whole file by the database (not a set of keys in memory), and the rows are then written
 * a page of contact keys at a time. `drop()` removes it; one left by a crashed import is dropped
 * by the next import once a day old.
 */
export interface ImportStaging {
  append(rows: readonly StagedRow[]): Promise<void>;
  /** After the last append: index the keys; how many distinct keys there are. */
  seal(): Promise<number>;
  /** The next `limit` keys after `after`, each with its rows' data in file order. */
  page(after: string | null, limit: number): Promise<Array<{ key: string; rows: string[] }>>;
  drop(): Promise<void>;
}

const STALE_MS = 86_400_000;

export async function openImportStaging(database: Database, now: Date): Promise<ImportStaging> {
  const { db } = database;
  // Leftovers of crashed imports (a day old) go first.
  const stale = rowsOf<{ name: string }>(
    await db.execute(sql`
      select tablename as name from pg_tables
      where schemaname = current_schema() and tablename like 'import_staging_%'`),
  ).filter((t) => Number(/^import_staging_(\d+)_/.exec(t.name)?.[1] ?? now.getTime()) < now.getTime() - STALE_MS);
  for (const t of stale) await db.execute(sql`drop table if exists ${sql.identifier(t.name)}`);

  const name = `import_staging_${now.getTime()}_${randomBytes(4).toString('hex')}`;
  const table = sql.identifier(name);
  await db.execute(
    database.kind === 'postgres'
      ? sql`create unlogged table ${table} (ord bigint not null, key text not null, data jsonb not null)`
      : sql`create table ${table} (ord bigint not null, key text not null, data jsonb not null)`,
  );
  return {
    async append(rows) {
      if (rows.length === 0) return;
      if (database.copyRows) {
        await database.copyRows(
          name,
          ['ord', 'key', 'data'],
          rows.map((r) => [String(r.ord), r.key, r.data]),
        );
        return;
      }
      await db.execute(sql`
        insert into ${table} (ord, key, data)
        select ord, key, data from jsonb_to_recordset(${JSON.stringify(rows.map((r) => ({ ord: r.ord, key: r.key, data: JSON.parse(r.data) })))}::jsonb)
          as i(ord bigint, key text, data jsonb)`);
    },
    async seal() {
      await db.execute(sql`create index on ${table} (key, ord)`);
      await db.execute(sql`analyze ${table}`);
      const [row] = rowsOf<{ n: number | string }>(await db.execute(sql`select count(distinct key) as n from ${table}`));
      return Number(row?.n ?? 0);
    },
    async page(after, limit) {
      const rows = rowsOf<{ key: string; rows: unknown[] | string }>(
        await db.execute(sql`
          select s.key, jsonb_agg(s.data order by s.ord)::text as rows from ${table} s
          where s.key in (select distinct key from ${table} where ${after === null ? sql`true` : sql`key > ${after}`} order by key limit ${limit})
          group by s.key order by s.key`),
      );
      return rows.map((r) => ({ key: r.key, rows: (JSON.parse(String(r.rows)) as unknown[]).map((d) => JSON.stringify(d)) }));
    },
    async drop() {
      await db.execute(sql`drop table if exists ${table}`);
    },
  };
}
