import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../errors';
import type { Metrics } from '../metrics';
import type { Database } from '../storage/db';
import { notFound, onError } from './on-error';
import { opsRoutes } from './ops';

export interface AppDeps {
  database: Database;
  metrics: Metrics;
  bodyLimitBytes: number;
  log: (msg: string, err?: unknown) => void;
}

/**
 * The Hono app shared by Node (src/runtime/node.ts) and Workers (src/runtime/worker.ts).
 * One route file per area is mounted here; later issues add theirs.
 */
export function createApp(deps: AppDeps) {
  const app = new Hono();
  app.use(
    '*',
    bodyLimit({
      maxSize: deps.bodyLimitBytes,
      onError: () => {
        throw new AppError('payload_too_large', `request body is larger than ${deps.bodyLimitBytes} bytes`, {
          details: { limitBytes: deps.bodyLimitBytes },
        });
      },
    }),
  );
  app.use('*', async (c, next) => {
    await next();
    deps.metrics.inc('almanac_http_requests_total', 'HTTP requests answered', { status: String(c.res.status) });
  });
  app.route('/', opsRoutes(deps));
  app.notFound(notFound);
  app.onError(onError(deps.log));
  return app;
}

export type App = ReturnType<typeof createApp>;
