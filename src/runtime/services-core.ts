import { type Config, webhookRulesOfConfig } from '../config';
import type { AppDeps, App } from '../http/app-core';
import { Metrics } from '../metrics';
import type { Logger } from '../lib/log';
import type { Renderer, TemplateSource } from '../render/types';
import type { Database } from '../storage/db';
import { buildEngine } from './engine';
import type { TransportWiring } from './transport';
import { fetchWebhookCaller } from '../sending/webhook-fetch';
import type { SesFeedbackDeps } from '../http/webhooks-ses';
import { createTrackingRecorder } from '../tracking/recorder';

/**
 * All wiring in one place: the metrics registry, the scheduler's `tick` with its phases, and the
 * HTTP app, built from validated config over an open database and the adapters the runtime chose
 * (`RuntimeParts`). Node (./services.ts: PGlite or postgres.js, template files, the SNS
 * certificate cache on disk, the admin API) and Workers (./worker.ts: postgres.js only, no file
 * system) both come through here, so every entry point runs the same engine. This file imports
 * no adapter itself: what is reachable from it is what the Worker bundle carries.
 */
export interface Services {
  config: Config;
  database: Database;
  metrics: Metrics;
  log: Logger;
  tick: ReturnType<typeof buildEngine>;
  app: App;
  close(): Promise<void>;
}

/** The adapters a runtime brings: everything that differs between Node and Workers. */
export interface RuntimeParts {
  database: Database;
  /** The configured transport (./transport.ts). */
  sending: TransportWiring;
  /** What dispatch, view-in-browser and previews render with: the applied templates (src/render/stored-templates.ts). */
  renderer: Renderer | TemplateSource;
  sesFeedback: SesFeedbackDeps;
  /** The HTTP app's builder: Node's has the admin API and the import (src/http/app.ts), the Worker's not. */
  app: (deps: AppDeps) => App;
  /** The HTTP app's request clock (receipt times); tests pass a virtual one. Default: wall time. */
  now?: () => Date;
  /** `almanac serve`'s local admin token (announced in the data directory): accepted on /v1/admin besides ADMIN_API_KEYS. */
  adminToken?: string;
  /** Close the database with the services (default); false when the caller owns it. */
  ownsDatabase?: boolean;
}

export function buildServices(config: Config, log: Logger, parts: RuntimeParts): Services {
  const { database, sending, renderer } = parts;
  const metrics = new Metrics();
  metrics.onCollect(() => {
    const mem = process.memoryUsage();
    metrics.set('process_resident_memory_bytes', 'Resident memory size in bytes', mem.rss);
    metrics.set('process_heap_used_bytes', 'V8 heap in use, in bytes', mem.heapUsed);
    metrics.set('process_uptime_seconds', 'Seconds since the process started', process.uptime());
  });
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
  const app = parts.app({
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
    adminKeys: [...config.http.adminKeys, ...(parts.adminToken ? [parts.adminToken] : [])],
    ...(config.webhooks.shopifySecret === undefined ? {} : { shopifySecret: config.webhooks.shopifySecret }),
    ingestSecrets: config.webhooks.ingestSecrets,
    sesFeedback: parts.sesFeedback,
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
    ...(parts.now ? { now: parts.now } : {}),
  });
  const close = async () => {
    await recorder.flush();
    sending.close();
    if (parts.ownsDatabase !== false) await database.close();
  };
  return { config, database, metrics, log, tick, app, close };
}
