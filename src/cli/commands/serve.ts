import { loadConfig } from '../../config';
import { createLogger } from '../../runtime/log';
import { startNode, untilSignal } from '../../runtime/node';
import { openServices } from '../../runtime/services';
import { type Command, UsageError } from '../command';

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
