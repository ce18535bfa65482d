import { loadConfig } from '../config';
import { createLogger } from '../lib/log';
import { openServices } from './services';

/**
 * Cloudflare Workers entry (wrangler.toml `main`): the same Hono app and the same `tick` as
 * Node. Bindings arrive as `env`; DATABASE_URL (a Hyperdrive connection string) is required.
 * With Hyperdrive pooling connections, a postgres.js client per invocation is the recommended
 * pattern, so nothing is cached across requests. Migrations are not run here: run
 * `almanac migrate` against the database before deploying. It is type-checked; no test runs it
 * on workerd yet (README "Known gaps").
 */
interface WorkerEnv {
  [name: string]: unknown;
  HYPERDRIVE?: { connectionString: string };
}
interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

function envStrings(env: WorkerEnv): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') out[k] = v;
  if (env.HYPERDRIVE) out.DATABASE_URL = env.HYPERDRIVE.connectionString;
  return out;
}

async function servicesFor(env: WorkerEnv) {
  const config = loadConfig(envStrings(env));
  if (config.database.kind !== 'postgres') throw new Error('Workers need DATABASE_URL or a HYPERDRIVE binding');
  return openServices(
    config,
    createLogger(config.logLevel, (l) => console.log(l)),
    { migrate: false },
  );
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
    const services = await servicesFor(env);
    try {
      return await services.app.fetch(request);
    } finally {
      ctx.waitUntil(services.close());
    }
  },
  async scheduled(controller: { scheduledTime: number }, env: WorkerEnv, ctx: ExecutionContext): Promise<void> {
    const services = await servicesFor(env);
    ctx.waitUntil(services.tick(new Date(controller.scheduledTime)).finally(() => services.close()));
  },
};
