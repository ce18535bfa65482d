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
  const result = await compileProject({ campaignsDir: config.paths.campaigns, templatesDir: config.paths.templates, displayRoot: io.cwd });
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
 */
export async function runServer(config: Config, options: { http: boolean }, io: Io): Promise<number> {
  const log = createLogger(config.logLevel, (line) => io.err(`${line}\n`));
  const services = await openServices(config, log);
  if (config.applyOnStart && !(await applyOnStart(services, io))) {
    await services.close();
    return 1;
  }
  const handle = await startNode(services, { http: options.http, scheduler: true });
  const signal = await untilSignal();
  log.info('stopping', { signal });
  await handle.stop();
  log.info('stopped');
  return 0;
}
