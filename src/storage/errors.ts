/**
 * drizzle wraps driver errors (DrizzleQueryError) with the PostgreSQL error as `cause`;
 * postgres.js and PGlite both expose SQLSTATE as `code` and the constraint's name.
 */
interface PgErrorLike {
  code?: string;
  constraint?: string;
  constraint_name?: string;
}

export function pgError(err: unknown): PgErrorLike | undefined {
  let e: unknown = err;
  for (let depth = 0; e && depth < 4; depth++) {
    const candidate = e as PgErrorLike & { cause?: unknown };
    if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code)) return candidate;
    e = candidate.cause;
  }
  return undefined;
}

/** True for a unique violation (23505), of `constraint` when one is named. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const pg = pgError(err);
  if (pg?.code !== '23505') return false;
  return constraint === undefined || (pg.constraint ?? pg.constraint_name) === constraint;
}
