import { dirname, join } from 'node:path';
import { AppError } from './errors';
import { allowedHosts } from './lib/env-values';
import { envSchema, secretVariables } from './config/env-schema';
import type { AnalyticsConfig, Env, MergePolicy, SesConfig, SesFeedbackConfig, WebhookStepsConfig } from './config/sections';

export * from './config/sections';

export interface Config {
  database:
    { kind: 'postgres'; url: string; schema: string; poolMax: number } | { kind: 'pglite'; dataDir: string | 'memory'; schema: string };
  /** `linkSigningKey` signs links in messages (view in browser: src/render/view-token.ts). */
  /** `jsonMaxDepth`: JSON_MAX_DEPTH, the deepest nesting a JSON body may have (400 beyond). */
  http: {
    port: number;
    host: string;
    publicUrl: string;
    bodyLimitBytes: number;
    /** IMPORT_MAX_BYTES: the body limit of the import routes. */
    importMaxBytes: number;
    jsonMaxDepth: number;
    apiKeys: string[];
    /** ADMIN_API_KEYS: bearer keys of /v1/admin/* (plan, apply, calendar, preview from the CLI). */
    adminKeys: string[];
    linkSigningKey: string;
    /** LINK_ALLOWED_HOSTS: hosts tracked and minted links may point to (empty: any). */
    linkAllowedHosts: string[];
    /** REQUEST_DEADLINE_MS: a handler that has not answered by then gets a 503 `deadline_exceeded`. */
    requestDeadlineMs: number;
  };
  /** SHUTDOWN_GRACE_SECONDS: on SIGTERM, how long `serve`/`worker` wait for work in flight before exiting anyway. */
  shutdownGraceSeconds: number;
  scheduler: { tickIntervalSeconds: number; batchSize: number; leaseSeconds: number };
  /** Webhook signing secrets: Shopify's, and a Standard Webhooks secret per ingest source. */
  webhooks: { shopifySecret?: string; ingestSecrets: Record<string, string> };
  /** The campaigns' outbound `webhook` steps (WEBHOOK_*; README "Webhook steps"). */
  webhookSteps: WebhookStepsConfig;
  paths: { campaigns: string; templates: string };
  /** Sending: the From header, the HMAC key of suppressed addresses, provider attempts per send. */
  mail: {
    from: string;
    replyTo?: string;
    suppressionKey: string;
    maxAttempts: number;
    /** MAIL_POSTAL_ADDRESS ('' when unset; required with TRANSPORT=ses). */
    postalAddress: string;
    /** UNSUBSCRIBE_MAILTO: the optional mailto: of List-Unsubscribe. */
    unsubscribeMailto?: string;
    /** CONFIRM_TOKEN_DAYS: how long a double opt-in confirmation link stays good. */
    confirmTokenDays: number;
  };
  /** Where messages go: the outbox (stored, the default) or Amazon SES (src/runtime/transport.ts). */
  transport: { kind: 'outbox' } | SesConfig;
  /** SES bounces, complaints and deliveries over SNS (`POST /webhooks/ses`). */
  sesFeedback: SesFeedbackConfig;
  /** COMPLAINT_RATE_MAX / _MIN_SENT / _WINDOW_DAYS: the complaint-rate guard (src/scheduler/complaint-guard.ts). */
  complaintRate: { maxRate: number; minSent: number; windowDays: number };
  /** Segment triggers: full re-evaluation interval (between, only contacts with new events). */
  segmentPassSeconds: number;
  /** `serve`/`worker`: compile and apply the campaigns folder on start (refusing to start on errors). */
  /** TRACKING: click and open tracking of marketing mail. */
  tracking: boolean;
  /** TRACKING_FLUSH_MS: how soon queued clicks and opens are written (0: only by the tick). */
  trackingFlushMs: number;
  /** SHOP_CURRENCY and CURRENCY_RATES: reports add a total in the shop's currency (src/attribution/currency.ts). */
  currency: { shop: string | null; rates: Record<string, number> };
  /** LIFECYCLE_*, ANALYTICS_PASS_SECONDS, PREDICTION_HORIZON_DAYS and the cost settings (README "Customer analytics"). */
  analytics: AnalyticsConfig;
  applyOnStart: boolean;
  /** MERGE_ON_EMAIL, MERGE_SOURCES: when contacts merge (README "Contacts and identity"). */
  mergePolicy: MergePolicy;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  autoMigrate: boolean;
}

/** Validate `env` (normally `process.env`). Throws `AppError('config_invalid')` naming each bad variable. */
/**
 * LINK_ALLOWED_HOSTS alone: `validate`, `plan` and `apply` check template links against it without
 * needing the rest of the configuration. Invalid → [] here (the full configuration names it).
 */
export function linkAllowedHostsOf(env: Env): string[] {
  const parsed = allowedHosts.safeParse(env.LINK_ALLOWED_HOSTS);
  return parsed.success ? parsed.data : [];
}

export function loadConfig(env: Env): Config {
  // Empty strings count as unset, as in most .env tooling.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '(environment)');
      // Secrets are named but never echoed: start-up errors end up in logs.
      const got = secretVariables.has(name) ? undefined : present[name];
      return { variable: name, expected: issue.message, ...(got === undefined ? {} : { got }) };
    });
    const lines = problems.map((p) => `  ${p.variable}: ${p.expected}${'got' in p ? ` (got ${JSON.stringify(p.got)})` : ''}`);
    throw new AppError('config_invalid', `invalid configuration:\n${lines.join('\n')}`, { details: problems });
  }
  const e = parsed.data;
  return {
    database: e.DATABASE_URL
      ? { kind: 'postgres', url: e.DATABASE_URL, schema: e.DATABASE_SCHEMA, poolMax: e.DATABASE_POOL_MAX }
      : { kind: 'pglite', dataDir: e.ALMANAC_DATA_DIR, schema: e.DATABASE_SCHEMA },
    http: {
      port: e.PORT,
      host: e.HOST,
      publicUrl: e.PUBLIC_URL ?? `http://localhost:${e.PORT}`,
      bodyLimitBytes: e.BODY_LIMIT_BYTES,
      importMaxBytes: e.IMPORT_MAX_BYTES,
      jsonMaxDepth: e.JSON_MAX_DEPTH,
      apiKeys: e.API_KEYS,
      adminKeys: e.ADMIN_API_KEYS,
      linkSigningKey: e.LINK_SIGNING_KEY,
      linkAllowedHosts: e.LINK_ALLOWED_HOSTS,
      requestDeadlineMs: e.REQUEST_DEADLINE_MS,
    },
    shutdownGraceSeconds: e.SHUTDOWN_GRACE_SECONDS,
    scheduler: { tickIntervalSeconds: e.TICK_INTERVAL_SECONDS, batchSize: e.TICK_BATCH_SIZE, leaseSeconds: e.LEASE_SECONDS },
    webhooks: {
      ...(e.SHOPIFY_WEBHOOK_SECRET === undefined ? {} : { shopifySecret: e.SHOPIFY_WEBHOOK_SECRET }),
      ingestSecrets: e.INGEST_SECRETS,
    },
    webhookSteps: {
      secrets: e.WEBHOOK_SECRETS,
      ...(e.WEBHOOK_SECRET === undefined ? {} : { defaultSecret: e.WEBHOOK_SECRET }),
      allowedHosts: e.WEBHOOK_ALLOWED_HOSTS,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
    },
    paths: { campaigns: e.CAMPAIGNS_DIR, templates: e.TEMPLATES_DIR },
    mail: {
      from: e.MAIL_FROM,
      ...(e.MAIL_REPLY_TO === undefined ? {} : { replyTo: e.MAIL_REPLY_TO }),
      suppressionKey: e.SUPPRESSION_KEY,
      maxAttempts: e.SEND_MAX_ATTEMPTS,
      postalAddress: e.MAIL_POSTAL_ADDRESS,
      confirmTokenDays: e.CONFIRM_TOKEN_DAYS,
      ...(e.UNSUBSCRIBE_MAILTO === undefined ? {} : { unsubscribeMailto: e.UNSUBSCRIBE_MAILTO }),
    },
    transport:
      e.TRANSPORT === 'ses'
        ? {
            kind: 'ses',
            region: e.SES_REGION as string,
            ...(e.SES_ENDPOINT === undefined ? {} : { endpoint: e.SES_ENDPOINT }),
            ...(e.SES_ACCESS_KEY_ID && e.SES_SECRET_ACCESS_KEY
              ? { credentials: { accessKeyId: e.SES_ACCESS_KEY_ID, secretAccessKey: e.SES_SECRET_ACCESS_KEY } }
              : {}),
            ...(e.SES_CONFIGURATION_SET === undefined ? {} : { configurationSet: e.SES_CONFIGURATION_SET }),
            maxSendRate: e.SES_MAX_SEND_RATE,
          }
        : { kind: 'outbox' },
    sesFeedback: {
      topicArns: e.SNS_TOPIC_ARNS,
      // A local directory even with DATABASE_URL: certificates are per host, not shared state.
      certCacheDir: e.SNS_CERT_CACHE_DIR ?? join(dirname(e.ALMANAC_DATA_DIR), 'sns-certs'),
      ...(e.SNS_MAX_AGE === undefined ? {} : { maxAgeSeconds: e.SNS_MAX_AGE }),
      transientBounceLimit: e.SES_TRANSIENT_BOUNCES,
      transientBounceDays: e.SES_TRANSIENT_BOUNCE_DAYS,
    },
    complaintRate: { maxRate: e.COMPLAINT_RATE_MAX, minSent: e.COMPLAINT_RATE_MIN_SENT, windowDays: e.COMPLAINT_RATE_WINDOW_DAYS },
    segmentPassSeconds: e.SEGMENT_PASS_SECONDS,
    applyOnStart: e.APPLY_ON_START,
    mergePolicy: { onEmail: e.MERGE_ON_EMAIL, sources: new Set(e.MERGE_SOURCES) },
    tracking: e.TRACKING === 'on',
    trackingFlushMs: e.TRACKING_FLUSH_MS,
    currency: { shop: e.SHOP_CURRENCY ?? null, rates: e.CURRENCY_RATES },
    analytics: {
      ownStage: e.LIFECYCLE_STAGES === 'auto',
      rules: {
        loyalMinOrders: e.LIFECYCLE_LOYAL_ORDERS,
        loyalMinRevenue: e.LIFECYCLE_LOYAL_REVENUE,
        loyalMinDays: e.LIFECYCLE_LOYAL_DAYS,
        churnFactor: e.LIFECYCLE_CHURN_FACTOR,
        churnDays: e.LIFECYCLE_CHURN_DAYS,
        lostDays: e.LIFECYCLE_LOST_DAYS,
      },
      passSeconds: e.ANALYTICS_PASS_SECONDS,
      liveViewsMax: e.ANALYTICS_LIVE_VIEWS_MAX,
      horizonDays: e.PREDICTION_HORIZON_DAYS,
      costs: {
        acquisitionPerContact: e.ACQUISITION_COST,
        acquisitionByChannel: e.ACQUISITION_COST_BY_CHANNEL,
        servicePerOrder: e.SERVICE_COST_PER_ORDER,
        servicePerContactPerYear: e.SERVICE_COST_PER_YEAR,
      },
    },
    logLevel: e.LOG_LEVEL,
    autoMigrate: e.AUTO_MIGRATE,
  };
}
