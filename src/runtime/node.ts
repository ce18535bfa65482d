import { type ServerType, serve } from '@hono/node-server';
import { startLoop } from '../scheduler/loop';
import type { Services } from './services';

export interface NodeHandle {
  /** Base URL of the HTTP server, when one was started. */
  url?: string;
  /**
   * Stop claiming, let the current tick finish, close the server and the database — within
   * SHUTDOWN_GRACE_SECONDS: past it, the server's connections are cut and the process exits (1).
   */
  stop(): Promise<void>;
}

/**
 * The Node runtime: the Hono app on @hono/node-server and/or the scheduler loop under
 * node-cron. `almanac serve` (npm start) runs both; `almanac worker` only the loop.
 */
export async function startNode(
  services: Services,
  options: { http: boolean; scheduler: boolean; exit?: (code: number) => void },
): Promise<NodeHandle> {
  const { config, log } = services;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let server: ServerType | undefined;
  let url: string | undefined;
  if (options.http) {
    server = await new Promise<ServerType>((resolve, reject) => {
      const s = serve({ fetch: services.app.fetch, port: config.http.port, hostname: config.http.host }, () => resolve(s));
      s.once('error', reject);
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.http.port;
    url = `http://${reachableHost(config.http.host)}:${port}`;
    log.info('http listening', { url });
  }
  const loop = options.scheduler
    ? startLoop({
        tick: services.tick,
        clock: () => new Date(),
        intervalSeconds: config.scheduler.tickIntervalSeconds,
        onError: (err) => log.error('tick failed', err),
      })
    : undefined;
  if (loop) {
    log.info('scheduler started', { everySeconds: config.scheduler.tickIntervalSeconds });
    loop.kick();
  }
  return {
    ...(url ? { url } : {}),
    async stop() {
      const orderly = (async () => {
        await loop?.stop();
        if (server) {
          const s = server;
          const closed = new Promise<void>((resolve) => s.close(() => resolve()));
          if ('closeIdleConnections' in s) s.closeIdleConnections(); // keep-alive sockets need not hold us up
          await closed;
        }
        await services.close();
      })();
      const graceSeconds = config.shutdownGraceSeconds ?? 10;
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<'expired'>((resolve) => {
        timer = setTimeout(() => resolve('expired'), graceSeconds * 1000);
      });
      try {
        if ((await Promise.race([orderly.then(() => 'stopped' as const), expired])) === 'stopped') return;
      } finally {
        clearTimeout(timer);
      }
      log.warn('shutdown grace exceeded: closing the server and exiting with work still in flight', { graceSeconds });
      orderly.catch(() => {});
      if (server && 'closeAllConnections' in server) server.closeAllConnections();
      exit(1);
    },
  };
}

/** How a local client reaches a server bound to `host`: a wildcard → loopback; an IPv6 address in brackets. */
function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Resolve once SIGTERM or SIGINT arrives, naming which — or, with `watchParent`, once the
 * parent process is gone. That is for `npx almanac serve|worker`: npx forwards SIGTERM to the
 * `sh -c` it runs the command in, and Debian's sh (dash) dies without passing it on, so without
 * this the node process would run on, orphaned, holding the data directory. Default: watch
 * when npm launched us (`npm_lifecycle_event` is set: `npx`, `start`, …), whose wrappers never
 * mean to outlive us; not otherwise, so `nohup almanac worker &` survives its shell.
 */
export function untilSignal(options: { watchParent?: boolean; pollMs?: number } = {}): Promise<NodeJS.Signals | 'parent exited'> {
  const watchParent = options.watchParent ?? process.env.npm_lifecycle_event !== undefined;
  return new Promise((resolve) => {
    const parent = process.ppid;
    let timer: NodeJS.Timeout | undefined;
    const done = (why: NodeJS.Signals | 'parent exited') => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      clearInterval(timer);
      resolve(why);
    };
    const on = (signal: NodeJS.Signals) => done(signal);
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
    if (watchParent && parent > 1) {
      // process.ppid is read afresh each time; an orphan is re-parented (to init or a subreaper).
      timer = setInterval(() => {
        if (process.ppid !== parent) done('parent exited');
      }, options.pollMs ?? 1000);
      timer.unref();
    }
  });
}
