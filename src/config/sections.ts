import { allowedHosts, webhookSecret, webhookSecrets } from '../lib/env-values';

/** One part of the configuration each (the whole is `Config` in src/config.ts). */

export type Env = Record<string, string | undefined>;

/** When contacts merge (MERGE_ON_EMAIL, MERGE_SOURCES): the rules are in src/contacts/resolve.ts. */
export interface MergePolicy {
  onEmail: boolean;
  sources: ReadonlySet<string>;
}

/** Sources trusted to merge contacts by default: our API, Shopify, imports, the CLI and simulate (not forms or other webhooks). */
export const DEFAULT_MERGE_SOURCES = ['api', 'shopify', 'import', 'cli', 'simulate'] as const;

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
