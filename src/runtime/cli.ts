import type { AdminApi } from '../cli/admin';
import { createLocalAdmin } from '../cli/admin-local';
import { createRemoteAdmin } from '../cli/admin-remote';
import type { CliEngine, CliIo } from '../cli/command';
import { main as runCommand } from '../cli/main';
import type { Config, Env } from '../config';
import { AppError } from '../errors';
import { createRenderer } from '../render/renderer-files';
import { announcedServer, embeddedDataDir } from './announce';

/**
 * The configured database for the length of `fn`. The database, the server and the simulation
 * are imported when a command first needs them, so `almanac validate` or `--help` does not load
 * the SES client, PGlite or the HTTP server (bin/almanac.js runs a bundle split at these imports).
 */
const withConfiguredDatabase: CliEngine['withDatabase'] = async (config, fn) =>
  (await import('./database')).withConfiguredDatabase(config, fn);

/** The runtime side of the CLI: every command's database, server, simulation and renderer come from here. */
export function createCliEngine(): CliEngine {
  return {
    withDatabase: withConfiguredDatabase,
    async migrate(config) {
      const { openConfiguredDatabase, migrateDatabase } = await import('./database');
      const database = await openConfiguredDatabase(config, { migrate: false });
      try {
        return await migrateDatabase(database);
      } finally {
        await database.close();
      }
    },
    serve: async (config, options, io) => (await import('./serve')).runServer(config, options, io),
    simulate: async (request) => (await import('./simulation')).runSimulation(request),
    admin: (config, env) => chooseAdmin(config, env),
    renderer: (templatesDir) => createRenderer({ templatesDir }),
    now: () => new Date(),
  };
}

/**
 * Where plan, apply, calendar and preview do their work, in this order:
 * 1. ALMANAC_URL set → that server's admin API, with ALMANAC_API_KEY (one of its ADMIN_API_KEYS).
 * 2. The embedded database (no DATABASE_URL) and a live `almanac serve` announced in its data
 *    directory (<dataDir>/almanac-server.json, src/runtime/serve.ts) → that server, with the token
 *    it wrote there: the embedded database has one owner, and while the server runs it is it.
 * 3. Else this process opens the configured database (a worker holding the embedded directory
 *    still stops it with the data-directory lock's one line).
 */
export function chooseAdmin(config: Config, env: Env): AdminApi {
  const url = env.ALMANAC_URL?.trim();
  if (url) {
    if (!/^https?:\/\/[^/\s]+/.test(url) || !URL.canParse(url)) {
      throw new AppError(
        'config_invalid',
        `ALMANAC_URL: expected the server's base URL, http:// or https://, e.g. http://127.0.0.1:8787 (got ${JSON.stringify(url.slice(0, 80))})`,
      );
    }
    const key = env.ALMANAC_API_KEY?.trim();
    if (!key) throw new AppError('config_invalid', `ALMANAC_API_KEY: required with ALMANAC_URL (one of the server's ADMIN_API_KEYS)`);
    return createRemoteAdmin({ url, key });
  }
  const dataDir = embeddedDataDir(config);
  const server = dataDir === undefined ? undefined : announcedServer(dataDir);
  if (server) return createRemoteAdmin({ url: server.url, key: server.token });
  return createLocalAdmin(config, withConfiguredDatabase);
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
