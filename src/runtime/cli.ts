import type { CliEngine, CliIo } from '../cli/command';
import { main as runCommand } from '../cli/main';
import { createRenderer } from '../render/renderer';
import { openConfiguredDatabase, withConfiguredDatabase, migrateDatabase } from './database';
import { runServer } from './serve';
import { runSimulation } from './simulation';

/** The runtime side of the CLI: every command's database, server, simulation and renderer come from here. */
export function createCliEngine(): CliEngine {
  return {
    withDatabase: withConfiguredDatabase,
    async migrate(config) {
      const database = await openConfiguredDatabase(config, { migrate: false });
      try {
        return await migrateDatabase(database);
      } finally {
        await database.close();
      }
    },
    serve: runServer,
    simulate: runSimulation,
    renderer: (templatesDir) => createRenderer({ templatesDir }),
  };
}

const processIo = (): Omit<CliIo, 'engine'> => ({
  env: process.env,
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  cwd: process.cwd(),
});

/** `almanac …` (bin/almanac.js): run the CLI with `argv` (without node and script); resolves to the exit code. */
export function main(argv: string[], io: Omit<CliIo, 'engine'> & { engine?: CliEngine } = processIo()): Promise<number> {
  return runCommand(argv, { ...io, engine: io.engine ?? createCliEngine() });
}
