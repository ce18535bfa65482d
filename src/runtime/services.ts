import type { Config } from '../config';
import { createApp } from '../http/app';
import type { Logger } from '../lib/log';
import { createRenderer } from '../render/renderer-files';
import { storedTemplates } from '../render/stored-templates';
import { cachedSnsCertificates } from '../sending/sns-certificates';
import { fetchSnsHttp } from '../sending/sns-fetch';
import type { Database } from '../storage/db';
import { openConfiguredDatabase } from './database';
import { sesFeedbackDeps } from './ses-feedback';
import { buildServices, type Services } from './services-core';
import { createTransport } from './transport';

export type { Services } from './services-core';

/**
 * The engine on Node: the configured database (PGlite or postgres.js, migrated unless told not
 * to), templates from TEMPLATES_DIR, the SNS certificate cache in SNS_CERT_CACHE_DIR and the
 * whole HTTP app (admin API and import included), wired by ./services-core.ts as on Workers.
 * `npm start`, `almanac worker`, the CLI and the tests come through here.
 */
export async function openServices(
  config: Config,
  log: Logger,
  options: {
    database?: Database;
    migrate?: boolean;
    /** The HTTP app's request clock (receipt times); tests pass a virtual one. Default: wall time. */
    now?: () => Date;
    /** `almanac serve`'s local admin token (announced in the data directory): accepted on /v1/admin besides ADMIN_API_KEYS. */
    adminToken?: string;
  } = {},
): Promise<Services> {
  const database =
    options.database ??
    (await openConfiguredDatabase(config, { log, ...(options.migrate === undefined ? {} : { migrate: options.migrate }) }));
  try {
    const http = fetchSnsHttp();
    return buildServices(config, log, {
      database,
      sending: createTransport(config, database),
      // Sending, view-in-browser and previews render what apply stored (reloaded after each apply);
      // the templates folder until a template was ever applied.
      renderer: storedTemplates(database, { fallback: createRenderer({ templatesDir: config.paths.templates }) }),
      sesFeedback: sesFeedbackDeps(config, { http, certificates: cachedSnsCertificates({ dir: config.sesFeedback.certCacheDir, http }) }),
      app: createApp,
      ...(options.now ? { now: options.now } : {}),
      ...(options.adminToken ? { adminToken: options.adminToken } : {}),
    });
  } catch (err) {
    if (!options.database) await database.close();
    throw err;
  }
}
