import { loadConfig } from '../../config';
import { dbOptions } from '../../runtime/services';
import { openDb } from '../../storage/db';
import { defaultMigrationsDir, loadMigrations, migrate } from '../../storage/migrate';
import { type Command, UsageError } from '../command';

export const migrateCommand: Command = {
  summary: 'apply database migrations (safe to run twice, or from two processes at once)',
  usage: 'almanac migrate\n\nApplies every migration in migrations/ not yet applied to the configured database\n(DATABASE_URL, else the embedded PGlite in ALMANAC_DATA_DIR).',
  async run(args, io) {
    if (args.length > 0) throw new UsageError(`unexpected argument "${args[0]}"`);
    const config = loadConfig(io.env);
    const database = await openDb(dbOptions(config));
    try {
      const applied = await migrate(database, loadMigrations(defaultMigrationsDir));
      io.out(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'database is up to date\n');
      return 0;
    } finally {
      await database.close();
    }
  },
};
