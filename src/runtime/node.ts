import { type ServerType, serve } from '@hono/node-server';
import { startLoop } from '../scheduler/loop';
import type { Services } from './services';

export interface NodeHandle {
  /** Base URL of the HTTP server, when one was started. */
  url?: string;
  /** Stop claiming, let the current tick finish, close the server and the database. */
  stop(): Promise<void>;
}

/**
 * The Node runtime: the Hono app on @hono/node-server and/or the scheduler loop under
 * node-cron. `almanac serve` (npm start) runs both; `almanac worker` only the loop.
 */
export async function startNode(services: Services, options: { http: boolean; scheduler: boolean }): Promise<NodeHandle> {
  const { config, log } = services;
  let server: ServerType | undefined;
  let url: string | undefined;
  if (options.http) {
    server = await new Promise<ServerType>((resolve, reject) => {
      const s = serve({ fetch: services.app.fetch, port: config.http.port, hostname: config.http.host }, () => resolve(s));
      s.once('error', reject);
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.http.port;
    url = `http://${config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host}:${port}`;
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
      await loop?.stop();
      if (server) {
        const s = server;
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
      await services.close();
    },
  };
}

/** Resolve once SIGTERM or SIGINT arrives, naming which. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      resolve(signal);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}
