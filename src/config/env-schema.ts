import { z } from 'zod';
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
} from '../lib/env-values';
import { DEFAULT_MERGE_SOURCES } from './sections';

/**
 * Environment → validated configuration, read once at start-up (by src/runtime/ or the CLI) and
 * passed down. Nothing else in Almanac reads `process.env`. A wrong value stops start-up with
 * every offending variable named and what it expects. `.env.example` lists every variable.
 */
export const envSchema = z
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

/** Named in start-up errors, never echoed. */
export const secretVariables = new Set([
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
