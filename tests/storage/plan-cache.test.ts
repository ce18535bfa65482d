import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/storage/sql-values';
import { backend, useTestDatabase } from '../helpers/db';

const t = useTestDatabase('storage_plan_cache');

/**
 * Statements of ≤ 64 parameters are prepared on PostgreSQL (src/storage/open-postgres.ts). After
 * five executions PostgreSQL may replace a prepared statement's plan with a generic one that ignores
 * the values; for a broadcast's page of contacts (`id > $8 and id <= $9`) that plan took minutes
 * per page at 1M contacts (the fan-out bench stalled). Every execution must plan for its values.
 */
describe.skipIf(backend !== 'postgres')('prepared statements on PostgreSQL', () => {
  it('are planned for their values at every execution (plan_cache_mode = force_custom_plan), in and out of transactions', async () => {
    const mode = async (db: typeof t.database.db) =>
      rowsOf<{ m: string }>(await db.execute(sql`select current_setting('plan_cache_mode') as m`))[0]!.m;
    for (let i = 0; i < 7; i++) expect(await mode(t.database.db)).toBe('force_custom_plan');
    expect(await t.database.db.transaction((tx) => mode(tx as never))).toBe('force_custom_plan');
  });
});
