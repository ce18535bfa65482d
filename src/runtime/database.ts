import type { Config } from '../config';
import type { Logger } from '../lib/log';
import { type Database, type DbOptions } from '../storage/db';
import { openDb } from '../storage/open';
import { defaultMigrationsDir, loadMigrations, migrate } from '../storage/migrate';

/** Driver options for the configured database: DATABASE_URL → postgres.js, else the embedded PGlite. */
export function dbOptions(config: Config): DbOptions {
  const d = config.database;
  return d.kind === 'postgres'
    ? { kind: 'postgres', url: d.url, schema: d.schema, poolMax: d.poolMax }
    : { kind: 'pglite', dataDir: d.dataDir, schema: d.schema };
}

/**
 * What this process is, as the data-directory lock names it to a second opener: "the Almanac
 * server" for `almanac serve` (npm start), else `almanac <command>` as bin/almanac.js was run.
 */
export function processOwner(argv: readonly string[] = process.argv): string {
  const [script, command] = argv.slice(1);
  if (!script || !/(^|[/\\])almanac(\.js)?$/.test(script) || !command || command.startsWith('-')) return 'another Almanac process';
  return command === 'serve' ? 'the Almanac server' : `almanac ${command}`;
}

/** Apply every pending migration in migrations/; returns the names applied. */
export function migrateDatabase(database: Database): Promise<string[]> {
  return migrate(database, loadMigrations(defaultMigrationsDir));
}

/**
 * Open the configured database and apply pending migrations (unless `migrate: false`, default
 * AUTO_MIGRATE). A failed migration closes the handle again before the error propagates. An
 * embedded data directory already open in another process is an `AppError` naming that process.
 */
export async function openConfiguredDatabase(
  config: Config,
  options: { migrate?: boolean; log?: Logger; owner?: string } = {},
): Promise<Database> {
  const database = await openDb(dbOptions(config), { owner: options.owner ?? processOwner() });
  try {
    if (options.migrate ?? config.autoMigrate) {
      const applied = await migrateDatabase(database);
      if (applied.length) options.log?.info('migrations applied', { applied });
    }
    return database;
  } catch (err) {
    await database.close();
    throw err;
  }
}

/** Open the configured database (migrated as above), run `fn`, and always close it. */
export async function withConfiguredDatabase<T>(config: Config, fn: (database: Database) => Promise<T>): Promise<T> {
  const database = await openConfiguredDatabase(config);
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

/** A fresh, migrated in-memory PGlite: what `almanac simulate` runs on. */
export async function openMemoryDatabase(): Promise<Database> {
  const database = await openDb({ kind: 'pglite', dataDir: 'memory', schema: 'public' });
  try {
    await migrateDatabase(database);
    return database;
  } catch (err) {
    await database.close();
    throw err;
  }
}
