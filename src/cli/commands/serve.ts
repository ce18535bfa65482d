import { loadConfig } from '../../config';
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
      return io.engine.serve(loadConfig(io.env), { http }, io);
    },
  };
}

export const serveCommand = runtimeCommand(true);
export const workerCommand = runtimeCommand(false);
