import { dirname, join } from 'node:path';
import { z } from 'zod';
import { AppError } from './errors';
import {
  allowedHosts,
  bool,
  channelCosts,
  csv,
  currencyCode,
  currencyRates,
  ingestSecrets,
  port,
  positiveInt,
  sqlIdentifier,
  topicArns,
  webhookSecret,
  webhookSecrets,
  wholeNumber,
} from './lib/env-values';

/** When contacts merge (MERGE_ON_EMAIL, MERGE_SOURCES): the rules are in src/contacts/resolve.ts. */
export interface MergePolicy {
  onEmail: boolean;
  sources: ReadonlySet<string>;
}

/** Sources trusted to merge contacts by default: our API, Shopify, imports, the CLI and simulate (not forms or other webhooks). */
export const DEFAULT_MERGE_SOURCES = ['api', 'shopify', 'import', 'cli', 'simulate'] as const;

/**
 * Environment → validated configuration, read once at start-up (by src/runtime/ or the CLI) and
 * passed down. Nothing else in Almanac reads `process.env`. A wrong value stops start-up with
 * every offending variable named and what it expects. `.env.example` lists every variable.
 */
const envSchema = z
  .object({
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL')
      .optional(),
    DATABASE_SCHEMA: sqlIdentifier.default('public'),
    DATABASE_POOL_MAX: positiveInt.default(10),
    ALMANAC_DATA_DIR: z.string().min(1).default('./.almanac/db'),
    PORT: port.default(8787),
    HOST: z.string().min(1).default('0.0.0.0'),
    PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).optional(),
    API_KEYS: csv.default([]),
    /** Bearer keys of the admin API /v1/admin/* (the CLI against a running server); never accepted on /v1 ingestion. */
    ADMIN_API_KEYS: csv.default([]),
    /** Hosts every tracked or minted link may point to (and their subdomains), comma-separated; unset: any http(s) host. */
    LINK_ALLOWED_HOSTS: allowedHosts,
    BODY_LIMIT_BYTES: positiveInt.default(1_048_576),
    /** The body limit of the import routes (a whole contact list), instead of BODY_LIMIT_BYTES. */
    IMPORT_MAX_BYTES: positiveInt.default(2 * 1024 ** 3),
    REQUEST_DEADLINE_MS: wholeNumber(1, 600_000).default(10_000),
    SHUTDOWN_GRACE_SECONDS: wholeNumber(1, 3_600).default(10),
    /** Deepest nesting of a JSON body (objects and arrays) before a 400; see src/http/events-input.ts. */
    JSON_MAX_DEPTH: wholeNumber(1, 1000).default(64),
    SHOPIFY_WEBHOOK_SECRET: z
      .string()
      .min(8, { error: "expected the app's API secret key (Shopify signs webhooks with it), at least 8 characters" })
      .optional(),
    INGEST_SECRETS: ingestSecrets.default({}),
    /** Secrets `webhook` steps sign with, `name=whsec_…` pairs: a step names one with `secret: NAME` (src/scheduler/webhooks-phase.ts). */
    WEBHOOK_SECRETS: webhookSecrets.default({}),
    /** The secret of `webhook` steps that name none. */
    WEBHOOK_SECRET: webhookSecret.optional(),
    /** Hosts `webhook` steps may call (and their subdomains), comma-separated; unset: any https host. */
    WEBHOOK_ALLOWED_HOSTS: allowedHosts,
    /** How long one webhook call may take before it counts as a timeout (retried). */
    WEBHOOK_TIMEOUT_MS: wholeNumber(100, 120_000).default(10_000),
    /** Calls of one webhook step before a transiently failing one is given up as `failed`. */
    WEBHOOK_MAX_ATTEMPTS: wholeNumber(1, 50).default(8),
    MAIL_FROM: z
      .string()
      .min(3, { error: 'expected a From address such as "Shop <news@shop.example>"' })
      .default('Almanac <almanac@localhost>'),
    MAIL_REPLY_TO: z.string().min(3, { error: 'expected an address' }).optional(),
    /** The sender's postal address, shown in every marketing mail's footer (CAN-SPAM, and Gmail/Yahoo bulk rules). */
    MAIL_POSTAL_ADDRESS: z.string().max(500, { error: 'expected at most 500 characters' }).default(''),
    /** An address that reads unsubscribe requests, offered as the `mailto:` of List-Unsubscribe; unset → https only. */
    UNSUBSCRIBE_MAILTO: z.email({ error: 'expected an email address such as unsubscribe@shop.example' }).optional(),
    SUPPRESSION_KEY: z.string().min(16, { error: 'expected at least 16 characters of secret' }).default('almanac-development-only-key'),
    LINK_SIGNING_KEY: z
      .string()
      .min(16, { error: 'expected at least 16 characters of secret' })
      .default('almanac-development-only-link-key'),
    SEND_MAX_ATTEMPTS: wholeNumber(1, 50).default(8),
    SEGMENT_PASS_SECONDS: wholeNumber(1).default(300),
    APPLY_ON_START: bool.default(true),
    /** Contacts sharing a normalised email merge (src/contacts/resolve.ts); false: the address stays with its first contact. */
    MERGE_ON_EMAIL: bool.default(true),
    /** Sources trusted to merge contacts (ingest sources, `import`, `cli`); `none`: no merges. */
    MERGE_SOURCES: z
      .string()
      .regex(/^\s*(none|[a-z0-9][a-z0-9_.-]*(\s*,\s*[a-z0-9][a-z0-9_.-]*)*)\s*$/, {
        error: 'expected source names separated by commas, such as api,shopify,import (or none)',
      })
      .default(DEFAULT_MERGE_SOURCES.join(','))
      .transform((v) => (v.trim() === 'none' ? [] : v.split(',').map((x) => x.trim()))),
    /** Click and open tracking of marketing mail (src/tracking/): links become /c/TOKEN redirects, plus an open pixel. */
    TRACKING: z.enum(['on', 'off'], { error: 'expected on or off' }).default('on'),
    /** How soon queued clicks and opens are written (ms; 0: only by the tick). */
    TRACKING_FLUSH_MS: wholeNumber(0, 60_000).default(5000),
    TICK_INTERVAL_SECONDS: wholeNumber(1, 59).default(5),
    TICK_BATCH_SIZE: positiveInt.default(500),
    LEASE_SECONDS: positiveInt.default(60),
    CAMPAIGNS_DIR: z.string().min(1).default('./campaigns'),
    TEMPLATES_DIR: z.string().min(1).default('./templates'),
    LOG_LEVEL: z
      .enum(['debug', 'info', 'warn', 'error', 'silent'], { error: 'expected one of debug, info, warn, error, silent' })
      .default('info'),
    AUTO_MIGRATE: bool.default(true),
    TRANSPORT: z.enum(['outbox', 'ses'], { error: 'expected outbox (store every message) or ses (Amazon SES)' }).default('outbox'),
    SES_REGION: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'expected an AWS region such as eu-west-1 (the region of your SES account)')
      .optional(),
    SES_ENDPOINT: z
      .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL (only to point at a local SES stand-in)' })
      .optional(),
    SES_ACCESS_KEY_ID: z
      .string()
      .regex(/^[A-Z0-9]{16,128}$/, 'expected an AWS access key id such as AKIA…')
      .optional(),
    SES_SECRET_ACCESS_KEY: z.string().min(16, { error: 'expected the secret access key of SES_ACCESS_KEY_ID' }).optional(),
    SES_CONFIGURATION_SET: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected a configuration set name (letters, digits, _ and -)')
      .optional(),
    SES_MAX_SEND_RATE: z.coerce
      .number({ error: "expected messages per second, a number > 0 (your account's maximum send rate)" })
      .positive({ error: "expected messages per second, a number > 0 (your account's maximum send rate)" })
      .default(1),
    SNS_TOPIC_ARNS: topicArns.default([]),
    SNS_CERT_CACHE_DIR: z.string().min(1).optional(),
    SNS_MAX_AGE: wholeNumber(1).optional(),
    SES_TRANSIENT_BOUNCES: wholeNumber(1, 1000).default(3),
    SES_TRANSIENT_BOUNCE_DAYS: wholeNumber(1, 365).default(7),
    /** The complaint-rate guard (src/scheduler/complaint-guard.ts): past this rate marketing dispatch pauses. */
    COMPLAINT_RATE_MAX: z.coerce
      .number({ error: 'expected a fraction from 0 to 1, e.g. 0.003 for 0.3 %' })
      .gt(0, { error: 'expected a fraction from 0 to 1, e.g. 0.003 for 0.3 %' })
      .max(1, { error: 'expected a fraction from 0 to 1, e.g. 0.003 for 0.3 %' })
      .default(0.003),
    COMPLAINT_RATE_WINDOW_DAYS: wholeNumber(1, 90).default(7),
    COMPLAINT_RATE_MIN_SENT: wholeNumber(1).default(1000),
    /** Days a double opt-in confirmation link stays good (src/consent/confirm-token.ts). */
    CONFIRM_TOKEN_DAYS: wholeNumber(1, 90).default(7),
    /** The shop's currency: reports add one total in it (src/attribution/currency.ts); unset → per currency only. */
    SHOP_CURRENCY: currencyCode.optional(),
    /** Fixed rates into SHOP_CURRENCY, `EUR=4.31,USD=3.97` (1 EUR = 4.31 of the shop's currency). */
    CURRENCY_RATES: currencyRates.default({}),
    /** Customer analytics (src/scheduler/analytics-phase.ts): auto = Almanac keeps contacts' lifecycle_stage; manual = the API's. */
    LIFECYCLE_STAGES: z.enum(['auto', 'manual'], { error: 'expected auto or manual' }).default('auto'),
    LIFECYCLE_LOYAL_ORDERS: wholeNumber(2, 1000).default(4),
    LIFECYCLE_LOYAL_REVENUE: z.coerce.number({ error: 'expected an amount ≥ 0' }).min(0, { error: 'expected an amount ≥ 0' }).default(0),
    LIFECYCLE_LOYAL_DAYS: wholeNumber(0, 3650).default(180),
    LIFECYCLE_CHURN_FACTOR: z.coerce
      .number({ error: 'expected a factor > 1, e.g. 2.5' })
      .gt(1, { error: 'expected a factor > 1, e.g. 2.5' })
      .max(100, { error: 'expected a factor > 1, e.g. 2.5' })
      .default(2.5),
    LIFECYCLE_CHURN_DAYS: wholeNumber(1, 3650).default(120),
    LIFECYCLE_LOST_DAYS: wholeNumber(2, 3650).default(365),
    /** How often the whole customer base is scored again (RFM, value, predictions); between, only changed contacts. */
    ANALYTICS_PASS_SECONDS: wholeNumber(60).default(3600),
    /** Above this many customers the retention and value views show the last full pass's figures (`asOf`) instead of reading every order per request. */
    ANALYTICS_LIVE_VIEWS_MAX: wholeNumber(0).default(100_000),
    /** Predicted value and orders look this many days ahead. */
    PREDICTION_HORIZON_DAYS: wholeNumber(1, 3650).default(365),
    /** Customer value = revenue − costs: acquisition per contact (or by `attributes.acquisition_channel`), service per order and per year. */
    ACQUISITION_COST: z.coerce.number({ error: 'expected an amount ≥ 0' }).min(0, { error: 'expected an amount ≥ 0' }).default(0),
    ACQUISITION_COST_BY_CHANNEL: channelCosts.default({}),
    SERVICE_COST_PER_ORDER: z.coerce.number({ error: 'expected an amount ≥ 0' }).min(0, { error: 'expected an amount ≥ 0' }).default(0),
    SERVICE_COST_PER_YEAR: z.coerce.number({ error: 'expected an amount ≥ 0' }).min(0, { error: 'expected an amount ≥ 0' }).default(0),
  })
  .superRefine((e, ctx) => {
    // Rules across variables, each reported on the variable that has to change.
    if (e.TRANSPORT === 'ses' && !e.MAIL_POSTAL_ADDRESS) {
      ctx.addIssue({
        code: 'custom',
        path: ['MAIL_POSTAL_ADDRESS'],
        message: "required when TRANSPORT=ses: the shop's postal address, which every marketing mail must show",
      });
    }
    if (e.TRANSPORT === 'ses' && !e.SES_REGION) {
      ctx.addIssue({
        code: 'custom',
        path: ['SES_REGION'],
        message: 'required when TRANSPORT=ses: the AWS region of your SES account, e.g. eu-west-1',
      });
    }
    if (e.SES_ACCESS_KEY_ID && !e.SES_SECRET_ACCESS_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['SES_SECRET_ACCESS_KEY'],
        message: 'required with SES_ACCESS_KEY_ID (or unset both to use the AWS default credential chain)',
      });
    }
    if (e.SES_SECRET_ACCESS_KEY && !e.SES_ACCESS_KEY_ID) {
      ctx.addIssue({
        code: 'custom',
        path: ['SES_ACCESS_KEY_ID'],
        message: 'required with SES_SECRET_ACCESS_KEY (or unset both to use the AWS default credential chain)',
      });
    }
    if (e.LIFECYCLE_LOST_DAYS <= e.LIFECYCLE_CHURN_DAYS) {
      ctx.addIssue({
        code: 'custom',
        path: ['LIFECYCLE_LOST_DAYS'],
        message: `must be longer than LIFECYCLE_CHURN_DAYS (${e.LIFECYCLE_CHURN_DAYS}): a customer churns before being lost`,
      });
    }
    if (Object.keys(e.CURRENCY_RATES).length > 0 && !e.SHOP_CURRENCY) {
      ctx.addIssue({
        code: 'custom',
        path: ['SHOP_CURRENCY'],
        message: 'required with CURRENCY_RATES: the currency the rates convert into, such as PLN',
      });
    }
  });

const secretVariables = new Set([
  'API_KEYS',
  'ADMIN_API_KEYS',
  'LINK_SIGNING_KEY',
  'SHOPIFY_WEBHOOK_SECRET',
  'INGEST_SECRETS',
  'WEBHOOK_SECRETS',
  'WEBHOOK_SECRET',
  'SUPPRESSION_KEY',
  'SES_SECRET_ACCESS_KEY',
]);

export type Env = Record<string, string | undefined>;

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

export interface WebhookStepsConfig {
  /** WEBHOOK_SECRETS: `secret: NAME` → `whsec_…`. */
  secrets: Record<string, string>;
  /** WEBHOOK_SECRET: the secret of steps that name none. */
  defaultSecret?: string;
  /** WEBHOOK_ALLOWED_HOSTS (empty: any https host). */
  allowedHosts: string[];
  timeoutMs: number;
  maxAttempts: number;
}

/**
 * What the compiler checks `webhook` steps against (src/dsl/compile/webhook.ts): the allowed
 * hosts, and — only when the environment configures any webhook secret — the names it knows, so
 * `validate` run where no secrets are set does not refuse a project over them.
 */
export interface WebhookCompileRules {
  allowedHosts: readonly string[];
  secrets?: { names: readonly string[]; hasDefault: boolean };
}

export function webhookRulesOfConfig(w: WebhookStepsConfig): WebhookCompileRules {
  return { allowedHosts: w.allowedHosts, secrets: { names: Object.keys(w.secrets), hasDefault: w.defaultSecret !== undefined } };
}

/** WEBHOOK_ALLOWED_HOSTS, WEBHOOK_SECRETS and WEBHOOK_SECRET alone, for `validate`, `plan` and `apply` (invalid values read as unset). */
export function webhookRulesOf(env: Env): WebhookCompileRules {
  const hosts = allowedHosts.safeParse(env.WEBHOOK_ALLOWED_HOSTS || undefined);
  const secrets = webhookSecrets.safeParse(env.WEBHOOK_SECRETS ?? '');
  const names = secrets.success ? Object.keys(secrets.data) : [];
  const hasDefault = !!env.WEBHOOK_SECRET && webhookSecret.safeParse(env.WEBHOOK_SECRET).success;
  return {
    allowedHosts: hosts.success ? hosts.data : [],
    ...(names.length || hasDefault ? { secrets: { names, hasDefault } } : {}),
  };
}

export interface AnalyticsConfig {
  /** auto: the analytics phase writes contacts' lifecycle_stage; manual: it never does (the API's stays). */
  ownStage: boolean;
  rules: {
    loyalMinOrders: number;
    loyalMinRevenue: number;
    loyalMinDays: number;
    /** Churning after `churnFactor` × the customer's mean gap between orders (3+ orders)… */
    churnFactor: number;
    /** …or after this many days without an order when there is too little history (1–2 orders). */
    churnDays: number;
    lostDays: number;
  };
  passSeconds: number;
  /** ANALYTICS_LIVE_VIEWS_MAX: customers up to which the views are computed per request. */
  liveViewsMax: number;
  horizonDays: number;
  costs: {
    acquisitionPerContact: number;
    acquisitionByChannel: Record<string, number>;
    servicePerOrder: number;
    servicePerContactPerYear: number;
  };
}

export interface SesConfig {
  kind: 'ses';
  region: string;
  /** Only to point at a stand-in such as aws-ses-v2-local; unset → the region's SES endpoint. */
  endpoint?: string;
  /** Unset → the AWS SDK's default credential chain (environment, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  configurationSet?: string;
  /** The account's maximum send rate, messages per second, shared by every dispatcher. */
  maxSendRate: number;
}

export interface SesFeedbackConfig {
  /** SNS_TOPIC_ARNS: the only topics accepted; empty → `/webhooks/ses` refuses everything. */
  topicArns: string[];
  /** SNS_CERT_CACHE_DIR: signing certificates, one `<sha256 of the URL>.pem` each (default `sns-certs` beside ALMANAC_DATA_DIR). */
  certCacheDir: string;
  /** SNS_MAX_AGE: seconds; older messages are refused. Unset → no limit. */
  maxAgeSeconds?: number;
  /** SES_TRANSIENT_BOUNCES within SES_TRANSIENT_BOUNCE_DAYS suppress the address. */
  transientBounceLimit: number;
  transientBounceDays: number;
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
