import { type Config, loadConfig } from '../config';
import { AppError, errorBody } from '../errors';
import { buildApp } from '../http/app-core';
import { createLogger, type Logger } from '../lib/log';
import type { SnsCertificates } from '../sending/feedback/ports';
import { memorySnsCertificates } from '../sending/sns-certificates-memory';
import { fetchSnsHttp } from '../sending/sns-fetch';
import { expectedMigrationTags } from '../storage/migration-journal';
import { missingMigrations } from '../storage/migration-state';
import { openPostgres } from '../storage/open-postgres';
import { sesFeedbackDeps } from './ses-feedback';
import { buildServices, type Services } from './services-core';
import { createTransport } from './transport';
import { workerTemplates } from './worker-templates';
import { type StoredTemplatesCache, storedTemplates } from '../render/stored-templates';

/**
 * Cloudflare Workers entry (wrangler.toml `main`): the same Hono app (without the Node-only admin
 * API and import, src/http/app-core.ts) and the same `tick` as Node, over postgres.js only.
 *
 * - Configuration: the Worker's string bindings (vars and secrets) through the same zod schema
 *   as Node (src/config.ts), parsed once per isolate — again only if the bindings change. A
 *   `HYPERDRIVE` binding's connection string is DATABASE_URL. Invalid or missing bindings: every
 *   request answers 500 `config_invalid` naming them (`details[].variable`), `scheduled` does
 *   nothing, and the problem is logged once per isolate, not per request.
 * - Database: a postgres.js client per invocation (Workers forbid sharing a socket between
 *   requests; Hyperdrive pools the real connections), DATABASE_POOL_MAX connections at most.
 *   Migrations run from Node (`almanac migrate`) before a deploy; the first invocation of an
 *   isolate checks that none is missing and otherwise answers 503 naming them.
 * - Cron (`scheduled`): one `tick(controller.scheduledTime)`, bounded as on Node: each batched
 *   phase takes at most 20 batches of TICK_BATCH_SIZE (README "Cloudflare Workers" states the
 *   limits this is designed for), and one dispatch batch.
 * - Templates: what `apply` stored (template_files), compiled once per isolate and reloaded when
 *   a later apply changes them (src/render/stored-templates.ts).
 */
interface WorkerEnv {
  [name: string]: unknown;
  HYPERDRIVE?: unknown;
}
interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

type Ready = {
  ok: true;
  config: Config;
  log: Logger;
  certificates: SnsCertificates;
  /** The applied templates, compiled once per isolate and stamp (src/render/stored-templates.ts). */
  templates: StoredTemplatesCache;
  migrations?: Promise<string[]>;
};
type Isolate = { key: string; state: Ready | { ok: false; error: AppError } };

/** The string bindings, and DATABASE_URL from Hyperdrive; a HYPERDRIVE without a connection string is a config error. */
function bindings(env: WorkerEnv): Record<string, string | undefined> | AppError {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') out[k] = v;
  if (env.HYPERDRIVE !== undefined) {
    const cs = (env.HYPERDRIVE as { connectionString?: unknown } | null)?.connectionString;
    if (typeof cs !== 'string' || cs === '')
      return configError([
        { variable: 'HYPERDRIVE', expected: 'a Hyperdrive binding ([[hyperdrive]] in wrangler.toml) with a connectionString' },
      ]);
    out.DATABASE_URL = cs;
  }
  return out;
}

const configError = (problems: Array<{ variable: string; expected: string }>) =>
  new AppError('config_invalid', `invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.expected}`).join('\n')}`, {
    details: problems,
  });

function prepare(env: WorkerEnv): Isolate['state'] {
  const strings = bindings(env);
  if (strings instanceof AppError) return { ok: false, error: strings };
  // Every problem at once: the schema's, and the database the Worker cannot do without.
  const database = strings.DATABASE_URL
    ? []
    : [{ variable: 'DATABASE_URL', expected: 'required on Workers (or a HYPERDRIVE binding): the embedded database is Node-only' }];
  let config: Config;
  try {
    config = loadConfig(strings);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const details = Array.isArray(err.details) ? (err.details as Array<{ variable: string; expected: string }>) : [];
    return { ok: false, error: database.length && details.length ? configError([...details, ...database]) : err };
  }
  if (database.length || config.database.kind !== 'postgres') return { ok: false, error: configError(database) };
  const log = createLogger(config.logLevel, (line) => console.log(line));
  return { ok: true, config, log, certificates: memorySnsCertificates({ http: fetchSnsHttp() }), templates: {} };
}

/** One Worker: its per-isolate state (the parsed config, the SNS certificates) lives in this closure. */
export function createWorker() {
  let isolate: Isolate | undefined;

  function ready(env: WorkerEnv): Isolate['state'] {
    const strings = bindings(env);
    const key = strings instanceof AppError ? 'HYPERDRIVE' : JSON.stringify(Object.entries(strings).sort());
    if (isolate?.key !== key) {
      isolate = { key, state: prepare(env) };
      if (!isolate.state.ok) console.error(`almanac: not serving: ${isolate.state.error.message}`);
    }
    return isolate.state;
  }

  function open(r: Ready): Services {
    const { config, log } = r;
    const d = config.database as Extract<Config['database'], { kind: 'postgres' }>;
    const database = openPostgres({ kind: 'postgres', url: d.url, schema: d.schema, poolMax: Math.min(d.poolMax, 5) });
    const http = fetchSnsHttp();
    return buildServices({ ...config, trackingFlushMs: 0 }, log, {
      database,
      sending: createTransport(config, database),
      // workerd forbids code generation (Handlebars.compile): templates are interpreted.
      renderer: storedTemplates(database, { fallback: workerTemplates(), cache: r.templates, engine: 'interpret' }),
      sesFeedback: sesFeedbackDeps(config, { http, certificates: r.certificates }),
      app: (deps) => buildApp(deps),
    });
  }

  /** Once per isolate (retried after a failure): the schema this build expects is there. */
  async function migrationsBehind(r: Ready, services: Services): Promise<AppError | undefined> {
    r.migrations ??= missingMigrations(services.database, expectedMigrationTags);
    const missing = await r.migrations.catch((err: unknown) => {
      r.migrations = undefined;
      throw err;
    });
    if (missing.length === 0) return undefined;
    r.migrations = undefined;
    return new AppError('unavailable', `the database is missing migrations: run almanac migrate from Node (DATABASE_URL) first`, {
      details: { missing },
    });
  }

  return {
    async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
      const r = ready(env);
      if (!r.ok) return Response.json(errorBody(r.error), { status: r.error.status });
      const services = open(r);
      try {
        const behind = await migrationsBehind(r, services).catch(() => undefined);
        if (behind) return Response.json(errorBody(behind), { status: behind.status });
        return await services.app.fetch(request);
      } finally {
        ctx.waitUntil(services.close());
      }
    },
    async scheduled(controller: { scheduledTime: number }, env: WorkerEnv): Promise<void> {
      const r = ready(env);
      if (!r.ok) return; // logged once by ready()
      const services = open(r);
      try {
        const behind = await migrationsBehind(r, services);
        if (behind) {
          r.log.error(behind.message, behind);
          return;
        }
        await services.tick(new Date(controller.scheduledTime));
      } catch (err) {
        r.log.error('scheduled tick failed', err);
      } finally {
        await services.close();
      }
    },
  };
}

export default createWorker();
