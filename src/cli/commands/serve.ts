import { loadConfig } from '../../config';
import { createLogger } from '../../runtime/log';
import { startNode, untilSignal } from '../../runtime/node';
import { openServices } from '../../runtime/services';
import { applyProject } from '../../campaigns/apply';
import { compileProject } from '../../dsl/compile/index';
import { formatDiagnostic } from '../../dsl/diagnostics';
import type { Services } from '../../runtime/services';
import { type CliIo, type Command, UsageError } from '../command';

/**
 * Compile CAMPAIGNS_DIR/TEMPLATES_DIR and apply them (APPLY_ON_START, default on), so `npm start`
 * runs the sample campaigns. Errors are printed and the process does not start: running
 * yesterday's campaigns while today's files are broken would surprise everyone.
 */
async function applyOnStart(services: Services, io: CliIo): Promise<boolean> {
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

/** `serve` and `worker` differ only in whether the HTTP server runs. */
function runtimeCommand(http: boolean): Command {
  const name = http ? 'serve' : 'worker';
  return {
    summary: http
      ? 'run the HTTP server and the scheduler (what `npm start` runs)'
      : 'run the scheduler only; start as many as you like (SKIP LOCKED shares the work)',
    usage: `almanac ${name}\n\n${
      http ? 'Serves HTTP on HOST:PORT (default 0.0.0.0:8787) and ticks' : 'Ticks'
    } the scheduler every TICK_INTERVAL_SECONDS.\nMigrations apply on start unless AUTO_MIGRATE=false. SIGTERM or SIGINT stops gracefully.`,
    async run(args, io) {
      if (args.length > 0) throw new UsageError(`unexpected argument "${args[0]}"`);
      const config = loadConfig(io.env);
      const log = createLogger(config.logLevel, (line) => io.err(`${line}\n`));
      const services = await openServices(config, log);
      if (config.applyOnStart && !(await applyOnStart(services, io))) {
        await services.close();
        return 1;
      }
      const handle = await startNode(services, { http, scheduler: true });
      const signal = await untilSignal();
      log.info('stopping', { signal });
      await handle.stop();
      log.info('stopped');
      return 0;
    },
  };
}

export const serveCommand = runtimeCommand(true);
export const workerCommand = runtimeCommand(false);
