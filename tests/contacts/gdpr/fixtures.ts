import { sql } from 'drizzle-orm';
import type { Database } from '../../../src/storage/db';
import { query } from '../../helpers/engine';

/** Every table of the test schema (the migrations' own bookkeeping aside). */
export async function tables(database: Database): Promise<string[]> {
  const rows = await query<{ table_name: string }>(
    database,
    sql`select table_name from information_schema.tables
        where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name <> 'almanac_migrations'
        order by table_name`,
  );
  return rows.map((r) => r.table_name);
}

/** A fingerprint of every row of every table: equal before and after means nothing was written. */
export async function digest(database: Database): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of await tables(database)) {
    const [row] = await query<{ n: string | number; h: string | null }>(
      database,
      sql`select count(*) as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as h from ${sql.raw(`"${table}"`)} t`,
    );
    out[table] = `${row!.n}:${row!.h}`;
  }
  return out;
}

/** `table: count` of rows whose text (every column, jsonb included) contains `needle`, case-insensitively. */
export async function rowsMentioning(database: Database, needle: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of await tables(database)) {
    const [row] = await query<{ n: string | number }>(
      database,
      sql`select count(*) as n from ${sql.raw(`"${table}"`)} t where position(${needle.toLowerCase()} in lower(t::text)) > 0`,
    );
    if (Number(row!.n) > 0) out[table] = Number(row!.n);
  }
  return out;
}
