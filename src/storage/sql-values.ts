import { type SQL, sql } from 'drizzle-orm';

/**
 * Bound values for raw `sql` templates that both drivers read the same way. drizzle's
 * postgres.js driver turns off postgres.js's own timestamp serializer (the query builder maps
 * Dates itself), so a Date bound in a raw template breaks there while PGlite accepts it:
 * timestamps always go in as ISO text with an explicit cast.
 */
export const ts = (d: Date | null | undefined): SQL => sql`${d ? d.toISOString() : null}::timestamptz`;

/** A bigint[] parameter (one bound value, however many ids). */
export const idArray = (ids: number[]): SQL => sql`${`{${ids.join(',')}}`}::bigint[]`;

/** postgres.js returns an array of rows, PGlite `{ rows }`: read either. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
