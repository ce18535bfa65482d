import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyProject } from '../campaigns/apply';
import type { CliIo } from '../cli/command';
import type { Config } from '../config';
import { compileProject } from '../dsl/compile/index';
import { formatDiagnostic } from '../dsl/diagnostics';
import { createLogger } from '../lib/log';
import { startNode, untilSignal } from './node';
import { openServices, type Services } from './services';

type Io = Omit<CliIo, 'engine'>;

/**
 * Compile CAMPAIGNS_DIR/TEMPLATES_DIR and apply them (APPLY_ON_START, default on), so `npm start`
 * runs the sample campaigns. Errors are printed and the process does not start: running
 * yesterday's campaigns while today's files are broken would surprise everyone.
 */
async function applyOnStart(services: Services, io: Io): Promise<boolean> {
  const { config, log } = services;
  const result = await compileProject({
    campaignsDir: config.paths.campaigns,
    templatesDir: config.paths.templates,
    displayRoot: io.cwd,
    allowedHosts: config.http.linkAllowedHosts,
  });
  for (const w of result.warnings) io.err(`${formatDiagnostic(w)}\n`);
  if (!result.ok) {
    for (const e of result.errors) io.err(`${formatDiagnostic(e)}\n`);
    log.error(`campaigns have ${result.errors.length} error(s); not starting (fix them, or APPLY_ON_START=false)`);
    return false;
  }
  const applied = await applyProject(services.database, result.project, new Date());
  log.info('campaigns applied', { stored: applied.stored, retired: applied.retired, unchanged: applied.plan.unchanged.length });
  return true;
}

/**
 * `almanac serve` (HTTP + scheduler) and `almanac worker` (scheduler only): open the services,
 * apply the campaigns, run until SIGTERM or SIGINT, then stop gracefully. Resolves to the exit code.
 * `serve` on the embedded database also announces itself in the data directory (announceServer),
 * so the CLI's plan, apply, calendar and preview go through its admin API instead of stopping at
 * the data-directory lock.
 */
export async function runServer(config: Config, options: { http: boolean }, io: Io): Promise<number> {
  const log = createLogger(config.logLevel, (line) => io.err(`${line}\n`));
  const dataDir = options.http ? embeddedDataDir(config) : undefined;
  // Random per start: only who can read the data directory's files (mode 0600) can use it.
  const adminToken = dataDir === undefined ? undefined : randomBytes(32).toString('base64url');
  const services = await openServices(config, log, adminToken ? { adminToken } : {});
  if (config.applyOnStart && !(await applyOnStart(services, io))) {
    await services.close();
    return 1;
  }
  const handle = await startNode(services, { http: options.http, scheduler: true });
  let withdraw = () => {};
  if (dataDir !== undefined && adminToken && handle.url) {
    try {
      withdraw = announceServer(dataDir, { pid: process.pid, url: handle.url, token: adminToken });
    } catch (err) {
      // The server runs on; the CLI beside it then meets the data-directory lock (or uses ALMANAC_URL).
      log.warn(`could not write ${join(dataDir, SERVER_FILE)}: the CLI will not find this server by itself`, {
        error: (err as Error).message,
      });
    }
  }
  const signal = await untilSignal();
  log.info('stopping', { signal });
  withdraw(); // first: a CLI command started from now on finds no server and meets the lock (one line) instead
  await handle.stop();
  log.info('stopped');
  return 0;
}

/** The embedded data directory the configuration opens, or undefined (PostgreSQL, or in memory). */
export function embeddedDataDir(config: Config): string | undefined {
  return config.database.kind === 'pglite' && config.database.dataDir !== 'memory' ? config.database.dataDir : undefined;
}

/** `<dataDir>/almanac-server.json`: where a running `almanac serve` says how to reach it. */
export const SERVER_FILE = 'almanac-server.json';

/** What the server file holds: the server's pid, its base URL, and the admin token it accepts besides ADMIN_API_KEYS. */
export interface AnnouncedServer {
  pid: number;
  url: string;
  token: string;
}

/**
 * Write `<dataDir>/almanac-server.json` (mode 0600: the token opens the admin API), atomically
 * (a temporary file renamed over it, so a reader never sees half of it). Returns the function
 * that removes it again; it is also removed on process exit. Either removes it only while it is
 * still this announcement (same token).
 */
export function announceServer(dataDir: string, server: AnnouncedServer): () => void {
  const path = join(dataDir, SERVER_FILE);
  const temporary = `${path}.${process.pid}.tmp`;
  unlinkQuietly(temporary);
  writeFileSync(temporary, `${JSON.stringify(server)}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(temporary, path);
  let withdrawn = false;
  const withdraw = () => {
    if (withdrawn) return;
    withdrawn = true;
    process.off('exit', withdraw);
    if (readServerFile(path)?.token === server.token) unlinkQuietly(path);
  };
  process.on('exit', withdraw);
  return withdraw;
}

/**
 * The server announced in `dataDir` while its process lives (`process.kill(pid, 0)`; EPERM: it
 * exists, owned by another user), else undefined: a file left by a crash or `kill -9` is ignored.
 */
export function announcedServer(dataDir: string): AnnouncedServer | undefined {
  const server = readServerFile(join(dataDir, SERVER_FILE));
  if (!server) return undefined;
  try {
    process.kill(server.pid, 0);
    return server;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? server : undefined;
  }
}

function readServerFile(path: string): AnnouncedServer | undefined {
  let value: Partial<AnnouncedServer>;
  try {
    value = JSON.parse(readFileSync(path, 'utf8')) as Partial<AnnouncedServer>;
  } catch {
    return undefined; // absent, or not ours to read
  }
  const { pid, url, token } = value ?? {};
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0 || typeof url !== 'string' || typeof token !== 'string')
    return undefined;
  return { pid, url, token };
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
