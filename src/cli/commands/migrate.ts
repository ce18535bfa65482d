import { loadConfig } from '../../config';
import { type Command, UsageError } from '../command';

export const migrateCommand: Command = {
  summary: 'apply database migrations (safe to run twice, or from two processes at once)',
  usage:
    'almanac migrate\n\nApplies every migration in migrations/ not yet applied to the configured database\n(DATABASE_URL, else the embedded PGlite in ALMANAC_DATA_DIR).',
  async run(args, io) {
    if (args.length > 0) throw new UsageError(`unexpected argument "${args[0]}"`);
    const applied = await io.engine.migrate(loadConfig(io.env));
    io.out(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'database is up to date\n');
    return 0;
  },
};
