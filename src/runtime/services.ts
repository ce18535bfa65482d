import { type Config, webhookRulesOfConfig } from '../config';
import { createApp } from '../http/app';
import { Metrics } from '../metrics';
import type { Logger } from '../lib/log';
import { createRenderer } from '../render/renderer';
import type { Database } from '../storage/db';
import { openConfiguredDatabase } from './database';
import { buildEngine } from './engine';
import { createTransport } from './transport';
import { fetchWebhookCaller } from '../sending/webhook-fetch';
import { sesFeedbackDeps } from './ses-feedback';
import { createTrackingRecorder } from '../tracking/recorder';

/**
 * All wiring in one place: the database, the metrics registry, the scheduler's `tick` with its
 * phases, and the HTTP app, built from validated config. Node, Workers, the CLI and tests all
 * come through here, so every entry point runs the same engine.
 */
export interface Services {
  config: Config;
  database: Database;
  metrics: Metrics;
  log: Logger;
  tick: ReturnType<typeof buildEngine>;
  app: ReturnType<typeof createApp>;
  close(): Promise<void>;
}

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
    const metrics = new Metrics();
    metrics.onCollect(() => {
      const mem = process.memoryUsage();
      metrics.set('process_resident_memory_bytes', 'Resident memory size in bytes', mem.rss);
      metrics.set('process_heap_used_bytes', 'V8 heap in use, in bytes', mem.heapUsed);
      metrics.set('process_uptime_seconds', 'Seconds since the process started', process.uptime());
    });
    const sending = createTransport(config, database);
    // One renderer (templates compiled once) for sending, view-in-browser and previews.
    const renderer = createRenderer({ templatesDir: config.paths.templates });
    const links = { publicUrl: config.http.publicUrl, signingKey: config.http.linkSigningKey, allowedHosts: config.http.linkAllowedHosts };
    const recorder = createTrackingRecorder({ database, ipKey: links.signingKey, metrics, log, flushDelayMs: config.trackingFlushMs });
    const tick = buildEngine({
      recorder,
      database,
      metrics,
      log,
      batchSize: config.scheduler.batchSize,
      segmentPassMs: config.segmentPassSeconds * 1000,
      analytics: config.analytics,
      money: config.currency,
      onRunError: (runId, err) => log.error(`run ${runId ?? '(new)'} failed`, err),
      dispatch: {
        transport: sending.transport,
        ...(sending.rateLimiter ? { rateLimiter: sending.rateLimiter } : {}),
        renderer,
        links,
        postalAddress: config.mail.postalAddress,
        confirmTokenDays: config.mail.confirmTokenDays,
        tracking: config.tracking,
        ...(config.mail.unsubscribeMailto ? { unsubscribeMailto: config.mail.unsubscribeMailto } : {}),
        from: config.mail.from,
        ...(config.mail.replyTo ? { replyTo: config.mail.replyTo } : {}),
        suppressionKey: config.mail.suppressionKey,
        maxAttempts: config.mail.maxAttempts,
        leaseMs: config.scheduler.leaseSeconds * 1000,
        complaintGuard: config.complaintRate,
      },
      webhooks: {
        caller: fetchWebhookCaller(),
        secretFor: (name) => {
          const w = config.webhookSteps;
          return name === null ? w.defaultSecret : Object.hasOwn(w.secrets, name) ? w.secrets[name] : undefined;
        },
        allowedHosts: config.webhookSteps.allowedHosts,
        timeoutMs: config.webhookSteps.timeoutMs,
        maxAttempts: config.webhookSteps.maxAttempts,
        leaseMs: config.scheduler.leaseSeconds * 1000,
      },
    });
    const app = createApp({
      database,
      metrics,
      bodyLimitBytes: config.http.bodyLimitBytes,
      importMaxBytes: config.http.importMaxBytes,
      requestDeadlineMs: config.http.requestDeadlineMs,
      jsonMaxDepth: config.http.jsonMaxDepth,
      log: (msg, err) => log.error(msg, err),
      apiKeys: config.http.apiKeys,
      suppressionKey: config.mail.suppressionKey,
      mergePolicy: config.mergePolicy,
      adminKeys: [...config.http.adminKeys, ...(options.adminToken ? [options.adminToken] : [])],
      ...(config.webhooks.shopifySecret === undefined ? {} : { shopifySecret: config.webhooks.shopifySecret }),
      ingestSecrets: config.webhooks.ingestSecrets,
      sesFeedback: sesFeedbackDeps(config),
      tracking: recorder,
      linkAllowedHosts: config.http.linkAllowedHosts,
      webhookRules: webhookRulesOfConfig(config.webhookSteps),
      currency: config.currency,
      messages: {
        renderer,
        linkSigningKey: links.signingKey,
        publicUrl: links.publicUrl,
        postalAddress: config.mail.postalAddress,
        confirmTokenDays: config.mail.confirmTokenDays,
        from: config.mail.from,
        ...(config.mail.replyTo ? { replyTo: config.mail.replyTo } : {}),
      },
      ...(options.now ? { now: options.now } : {}),
    });
    const close = async () => {
      await recorder.flush();
      sending.close();
      await database.close();
    };
    return { config, database, metrics, log, tick, app, close };
  } catch (err) {
    if (!options.database) await database.close();
    throw err;
  }
}
