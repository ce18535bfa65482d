import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyProject } from '../campaigns/apply';
import type { CliIo } from '../cli/command';
import { type Config, webhookRulesOfConfig } from '../config';
import { compileProject } from '../dsl/compile/index';
import { formatDiagnostic } from '../dsl/diagnostics';
import { createLogger } from '../lib/log';
import { announceServer, embeddedDataDir, SERVER_FILE } from './announce';
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
    webhooks: webhookRulesOfConfig(config.webhookSteps),
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
export async function runServer(given: Config, options: { http: boolean }, io: Io): Promise<number> {
  const log = createLogger(given.logLevel, (line) => io.err(`${line}\n`));
  const dataDir = options.http ? embeddedDataDir(given) : undefined;
  // First run on the embedded database without API_KEYS: a local key, so the pages open at once.
  const localKey =
    dataDir !== undefined && given.http.apiKeys.length === 0 && io.env.NODE_ENV !== 'production' ? localApiKey(dataDir) : undefined;
  const config = localKey ? { ...given, http: { ...given.http, apiKeys: [localKey] } } : given;
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
  if (handle.url) io.err(firstRunBanner(handle.url, localKey, dataDir));
  const signal = await untilSignal();
  log.info('stopping', { signal });
  withdraw(); // first: a CLI command started from now on finds no server and meets the lock (one line) instead
  await handle.stop();
  log.info('stopped');
  return 0;
}

/** `<dataDir>/almanac-local-api-key`: the API key `serve` generates once for an embedded database without API_KEYS. */
export const LOCAL_KEY_FILE = 'almanac-local-api-key';

/**
 * The local API key of this data directory: made once (random, mode 0600) and read again on every
 * start, so links printed yesterday still open. Only for the embedded database outside production:
 * with DATABASE_URL or NODE_ENV=production a missing API_KEYS stays an error (every /v1 request a 401).
 */
export function localApiKey(dataDir: string): string {
  const path = join(dataDir, LOCAL_KEY_FILE);
  try {
    const key = readFileSync(path, 'utf8').trim();
    if (/^[A-Za-z0-9_-]{32,}$/.test(key)) return key;
  } catch {
    // none yet
  }
  const key = `local-${randomBytes(24).toString('base64url')}`;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path, `${key}\n`, { mode: 0o600 });
  return key;
}

/** What `npm start` prints once it listens: the pages a person opens, with a key that works. */
export function firstRunBanner(url: string, localKey: string | undefined, dataDir: string | undefined): string {
  const key = localKey ? `?key=${encodeURIComponent(localKey)}` : '?key=<one of API_KEYS>';
  const pages = [
    ['calendar', `${url}/calendar${key}`],
    ['contacts', `${url}/contacts${key}`],
    ['reports', `${url}/reports${key}`],
    ['analytics', `${url}/analytics${key}`],
    ['health', `${url}/healthz`],
  ];
  return (
    `\nAlmanac is running at ${url}\n` +
    pages.map(([name, link]) => `  ${name!.padEnd(10)} ${link}\n`).join('') +
    (localKey
      ? `  API key    ${localKey} (generated for this data directory, in ${join(dataDir!, LOCAL_KEY_FILE)}; set API_KEYS to use your own)\n`
      : '') +
    '\n'
  );
}
