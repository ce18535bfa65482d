import { getTableColumns, type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';

/** One element of a PostgreSQL array literal: NULL, or the text quoted (backslash and double quote escaped). */
const element = (v: unknown): string => (v === null || v === undefined ? 'NULL' : `"${String(v).replace(/[\\"]/g, (c) => `\\${c}`)}"`);

/**
 * `insert into TABLE (cols) select * from unnest($1::type[], $2::type[], …)`: many rows as ONE
 * parameter per column. The statement's text is the same for 1 row or 1 000, so it is prepared
 * once per connection (src/storage/open-postgres.ts), and building it costs a string join per
 * column instead of drizzle's per-value query building — the hot inserts (events, clicks, opens)
 * spent more time there than in the database. Values go through each column's own
 * `mapToDriverValue` (the JSON of a jsonb, the ISO text of a timestamp), exactly as drizzle's
 * `insert().values()` would send them; an undefined value is NULL (list only columns you give).
 * Rows are inserted in the order given. Append `on conflict …` / `returning …` to the result.
 */
export function unnestInsert<T extends PgTable>(
  table: T,
  keys: ReadonlyArray<keyof T['$inferInsert'] & string>,
  rows: ReadonlyArray<object>,
): SQL {
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const arrays = keys.map((key) => {
    const column = columns[key]!;
    const literal = `{${rows
      .map((r) => {
        const v = (r as Record<string, unknown>)[key];
        return element(v === undefined || v === null ? null : column.mapToDriverValue(v));
      })
      .join(',')}}`;
    return sql`${literal}::${sql.raw(column.getSQLType())}[]`;
  });
  const names = keys.map((key) => sql.identifier(columns[key]!.name));
  return sql`insert into ${table} (${sql.join(names, sql`, `)}) select * from unnest(${sql.join(arrays, sql`, `)})`;
}
