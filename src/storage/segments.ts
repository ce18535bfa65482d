import { type SQL, sql } from 'drizzle-orm';
import type { Tx } from './db';
import { rowsOf, ts } from './sql-values';

/**
 * Restrict a segment pass to contacts with events processed after `since` (the incremental
 * pass run every tick), or none (the full pass).
 */
export type PassScope = { since: Date } | undefined;

const scoped = (scope: PassScope, column: ReturnType<typeof sql.raw>) =>
  scope ? sql`and ${column} in (select contact_id from events where processed_at > ${ts(scope.since)} and contact_id is not null)` : sql``;

/**
 * Add contacts now matching `matches` (a boolean over contacts `c`, built by the caller with
 * `toSql` from ./conditions/sql) to the segment; returns who entered (one statement).
 */
export async function enterSegment(tx: Tx, segment: string, matches: SQL, now: Date, scope: PassScope): Promise<number[]> {
  const rows = rowsOf<{ contact_id: string | number }>(
    await tx.execute(sql`
      insert into segment_memberships (segment, contact_id, entered_at)
      select ${segment}, c.id, ${ts(now)} from contacts c
      where c.erased_at is null and ${matches} ${scoped(scope, sql.raw('c.id'))}
        and not exists (select 1 from segment_memberships m where m.segment = ${segment} and m.contact_id = c.id)
      on conflict do nothing
      returning contact_id`),
  );
  return rows.map((r) => Number(r.contact_id)).sort((a, b) => a - b);
}

/** Remove members no longer matching `matches` (as for `enterSegment`); returns who left (one statement). */
export async function leaveSegment(tx: Tx, segment: string, matches: SQL, now: Date, scope: PassScope): Promise<number[]> {
  const rows = rowsOf<{ contact_id: string | number }>(
    await tx.execute(sql`
      delete from segment_memberships m
      where m.segment = ${segment} ${scoped(scope, sql.raw('m.contact_id'))}
        and not exists (select 1 from contacts c where c.id = m.contact_id and c.erased_at is null and ${matches})
      returning contact_id`),
  );
  return rows.map((r) => Number(r.contact_id)).sort((a, b) => a - b);
}
