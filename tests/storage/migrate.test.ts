import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { isUniqueViolation } from '../../src/storage/errors';
import { defaultMigrationsDir, loadMigrations, migrate } from '../../src/storage/migrate';
import { rowsOf } from '../../src/storage/sql-values';
import { backend, dropSchema, newSchemaName, openTestDb } from '../helpers/db';

const migrations = loadMigrations(defaultMigrationsDir);
const designTables = [
  'attributions',
  'campaign_versions',
  'clicks',
  'consent_records',
  'contacts',
  'events',
  'links',
  'opens',
  'orders',
  'runs',
  'sends',
  'suppressions',
  'webhook_receipts',
];

describe(`migrations on ${backend}`, () => {
  it('apply once, then a second run applies nothing and fails nothing', async () => {
    const schema = newSchemaName('migrate_twice');
    const database = await openTestDb(schema);
    try {
      expect(await migrate(database, migrations)).toEqual(migrations.map((m) => m.tag));
      expect(await migrate(database, migrations)).toEqual([]);
      const tables = rowsOf<{ table_name: string }>(
        await database.db.execute(sql`select table_name from information_schema.tables where table_schema = ${schema} order by table_name`),
      ).map((r) => r.table_name);
      expect(tables).toEqual(expect.arrayContaining([...designTables, 'almanac_migrations']));
    } finally {
      await database.close();
      await dropSchema(schema);
    }
  });

  it('two migrators started at once both succeed and apply each migration exactly once', async () => {
    const schema = newSchemaName('migrate_race');
    const a = await openTestDb(schema);
    const b = await openTestDb(schema);
    try {
      const [ra, rb] = await Promise.all([migrate(a, migrations), migrate(b, migrations)]);
      // One of them did the work, the other waited on the advisory lock and found nothing to do.
      expect([...ra, ...rb].sort()).toEqual(migrations.map((m) => m.tag).sort());
      const recorded = rowsOf<{ n: number }>(await a.db.execute(sql`select count(*)::int as n from almanac_migrations`));
      expect(recorded[0]?.n).toBe(migrations.length);
    } finally {
      await a.close();
      await b.close();
      await dropSchema(schema);
    }
  });

  it('enforces the exactly-once constraint on sends (one row per run and step)', async () => {
    const schema = newSchemaName('migrate_constraints');
    const database = await openTestDb(schema);
    try {
      await migrate(database, migrations);
      const { db } = database;
      await db.execute(sql`insert into contacts (external_id, email) values ('c1', 'a@example.com')`);
      await db.execute(sql`insert into campaign_versions (campaign, version, content_hash, source, plan)
                           values ('cart', 1, 'h', 'campaigns/cart.yaml', '{}')`);
      await db.execute(sql`insert into runs (campaign_version_id, campaign, contact_id, entry_key, state, started_at)
                           values (1, 'cart', 1, 'evt_1', '{}', now())`);
      const insertSend = sql`insert into sends (run_id, step_key, contact_id, campaign, campaign_version_id, template, purpose, priority)
                             values (1, 'steps.1', 1, 'cart', 1, 'cart-reminder', 'email.marketing', 80)`;
      await db.execute(insertSend);
      const second = await db.execute(insertSend).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(isUniqueViolation(second, 'sends_run_step_key')).toBe(true);
    } finally {
      await database.close();
      await dropSchema(schema);
    }
  });
});
