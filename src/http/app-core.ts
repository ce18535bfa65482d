import type { MergePolicy } from '../contacts/resolve';
import { analyticsRoutes } from './analytics';
import { type CurrencyRule, NO_SHOP_CURRENCY } from '../attribution/currency';
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../errors';
import type { adminRoutes } from './admin';
import type { WebhookRules } from '../dsl/compile/step-context';
import type { Metrics } from '../metrics';
import type { Database } from '../storage/db';
import { answerWrongMethods } from './method-not-allowed';
import { notFound, onError } from './on-error';
import { opsRoutes } from './ops';
import { calendarRoutes } from './calendar';
import { contactRoutes } from './contacts';
import type { contactImportRoutes } from './contacts-import';
import { exceptAdmin, isAdminPath, isImportPath } from './node-only-paths';
import { contactTimelineRoutes } from './contact-timeline';
import { consentRoutes } from './consent';
import { orderRoutes } from './orders';
import { eventRoutes } from './events';
import { DEFAULT_REQUEST_DEADLINE_MS, deadline } from './middleware/deadline/index';
import { outboxRoutes } from './outbox';
import { reportRoutes } from './reports';
import { ingestWebhookRoutes } from './webhooks-ingest';
import { shopifyWebhookRoutes } from './webhooks-shopify';
import { type SesFeedbackDeps, sesWebhookRoutes } from './webhooks-ses';
import { templatePreviewRoutes } from './templates-preview';
import { unsubscribeRoutes } from './unsubscribe';
import { preferenceRoutes } from './preferences';
import { confirmRoutes } from './confirm';
import { trackingRoutes } from './tracking';
import { linkRoutes } from './links';
import type { TrackingRecorder } from '../tracking/recorder';
import { type MessageRouteDeps, viewInBrowserRoutes } from './view-in-browser';

export interface AppDeps {
  database: Database;
  metrics: Metrics;
  bodyLimitBytes: number;
  log: (msg: string, err?: unknown) => void;
  /** Bearer keys for /v1 (API_KEYS); none → /v1 answers 401 telling the operator to set them. */
  apiKeys?: readonly string[];
  /**
   * Bearer keys for the admin API `/v1/admin/*` (ADMIN_API_KEYS, plus the local token `almanac
   * serve` announces in its embedded data directory): what the CLI's plan, apply, calendar and
   * preview use against a running server. Never the ingestion `apiKeys`. None → 401 saying to set it.
   */
  adminKeys?: readonly string[];
  /** Shopify's webhook secret (SHOPIFY_WEBHOOK_SECRET); unset → /webhooks/shopify answers 401. */
  shopifySecret?: string;
  /** Standard Webhooks secrets per ingest source (INGEST_SECRETS). */
  ingestSecrets?: Readonly<Record<string, string>>;
  /** SES feedback over SNS (SNS_TOPIC_ARNS, the certificate and HTTP ports); absent → /webhooks/ses answers 401. */
  sesFeedback?: SesFeedbackDeps;
  /**
   * Rendering for `GET /v/:token` (view in browser) and `GET /v1/templates/:name/preview`: the
   * renderer over TEMPLATES_DIR, LINK_SIGNING_KEY, PUBLIC_URL and the sender. Absent: not mounted.
   */
  messages?: Omit<MessageRouteDeps, 'database'>;
  /** LINK_ALLOWED_HOSTS: hosts minted campaign links may point to (with `messages`: `POST /v1/links`). */
  linkAllowedHosts?: readonly string[];
  /** SHOP_CURRENCY and CURRENCY_RATES, for reports (src/attribution/currency.ts); absent → per currency only. */
  currency?: CurrencyRule;
  /** Click and open recording (src/tracking/recorder.ts): with `messages`, mounts `/c/:token` and `/o/:token`. */
  tracking?: TrackingRecorder;
  /** Milliseconds a handler has to answer before a 503 `deadline_exceeded` (REQUEST_DEADLINE_MS); default 10 s. */
  requestDeadlineMs?: number;
  /** Deepest nesting a JSON body may have (JSON_MAX_DEPTH); default 64. */
  jsonMaxDepth?: number;
  /** IMPORT_MAX_BYTES: the body limit of the import routes (instead of BODY_LIMIT_BYTES). */
  importMaxBytes?: number;
  /** The request clock (receipt time, webhook timestamp window); tests inject a fixed one. */
  now?: () => Date;
  /**
   * SUPPRESSION_KEY: GDPR export and erase (`/v1/contacts/:id`, the admin routes) find and write
   * the address's suppression by its HMAC, and ingestion lifts an erasure's suppression on a fresh
   * consent. Absent (some tests): export and erase answer 500 `config_invalid`, nothing is lifted.
   */
  suppressionKey?: string;
  /** MERGE_ON_EMAIL, MERGE_SOURCES (src/contacts/resolve.ts); absent: the defaults. */
  mergePolicy?: MergePolicy;
  /** WEBHOOK_ALLOWED_HOSTS and the webhook secret names: the admin API's plan and apply check `webhook` steps against them. */
  webhookRules?: WebhookRules;
}

/**
 * The two route groups that need Node: the admin API (`almanac plan/apply` through a running
 * server compile campaigns here) and the contact import (a streamed list). src/http/app.ts passes
 * them; the Worker does not, and there those paths answer 501 `node_only` saying what to run.
 */
export interface NodeOnlyRoutes {
  admin: typeof adminRoutes;
  contactImport: typeof contactImportRoutes;
}

/**
 * The Hono app shared by Node (src/runtime/node.ts, through ./app.ts with the Node-only routes)
 * and Workers (src/runtime/worker.ts, without them). One route file per area, each mounted here.
 * This file imports no route group that needs the file system, so the Worker bundle stays lean.
 */
export function buildApp(deps: AppDeps, nodeOnly?: NodeOnlyRoutes) {
  const app = new Hono();
  // First, so every answer is counted — a 413 from the body limit and a 503 from the deadline too.
  app.use('*', async (c, next) => {
    await next();
    deps.metrics.inc('almanac_http_requests_total', 'HTTP requests answered', { status: String(c.res.status) });
  });
  // The import routes stream a whole contact list: their own limit (IMPORT_MAX_BYTES), no deadline.
  const exceptImport =
    (middleware: MiddlewareHandler): MiddlewareHandler =>
    (c, next) =>
      isImportPath(c.req.path) ? next() : middleware(c, next);
  const tooLarge = (): never => {
    throw new AppError('payload_too_large', `request body is larger than ${deps.bodyLimitBytes} bytes`, {
      details: { limitBytes: deps.bodyLimitBytes },
    });
  };
  const streamedLimit = bodyLimit({ maxSize: deps.bodyLimitBytes, onError: tooLarge });
  // A body with a Content-Length (and no Transfer-Encoding) is judged by the header, as Hono's
  // bodyLimit does, but without touching `c.req.raw.body`: on Node that builds a full web Request
  // with a stream and an AbortSignal per request, a tenth of an event's cost under load. Node's
  // HTTP parser never delivers more bytes than Content-Length. Other bodies go through bodyLimit.
  app.use(
    '*',
    exceptImport((c, next) => {
      if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
      const length = c.req.header('content-length');
      if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
        return Number.parseInt(length, 10) > deps.bodyLimitBytes ? tooLarge() : next();
      }
      return streamedLimit(c, next);
    }),
  );
  // The admin API sets its own deadlines (none for apply: see ./admin.ts for why).
  app.use('*', exceptImport(exceptAdmin(deadline({ ms: deps.requestDeadlineMs ?? DEFAULT_REQUEST_DEADLINE_MS }))));
  app.route('/', opsRoutes(deps));
  const now = deps.now ?? (() => new Date());
  const apiKeys = deps.apiKeys ?? [];
  const json = deps.jsonMaxDepth === undefined ? {} : { jsonMaxDepth: deps.jsonMaxDepth };
  const importLimit = deps.importMaxBytes === undefined ? {} : { maxBytes: deps.importMaxBytes };
  const key = {
    ...(deps.suppressionKey !== undefined && { suppressionKey: deps.suppressionKey }),
    ...(deps.mergePolicy && { mergePolicy: deps.mergePolicy }),
  };
  const minting = deps.messages
    ? { publicUrl: deps.messages.publicUrl, signingKey: deps.messages.linkSigningKey, allowedHosts: deps.linkAllowedHosts ?? [] }
    : undefined;
  app.route('/', eventRoutes({ database: deps.database, apiKeys, now, ...json, ...key }));
  if (nodeOnly) app.route('/', nodeOnly.contactImport({ database: deps.database, apiKeys, now, ...key, ...importLimit }));
  else app.use('*', nodeOnlyAnswer);
  app.route('/', contactRoutes({ database: deps.database, apiKeys, now, ...json, ...key }));
  app.route('/', contactTimelineRoutes({ database: deps.database, apiKeys, ...key }));
  app.route('/', consentRoutes({ database: deps.database, apiKeys, now, ...json, ...key }));
  app.route('/', orderRoutes({ database: deps.database, apiKeys, now, ...json, ...key }));
  app.route('/', calendarRoutes({ database: deps.database, apiKeys, now }));
  app.route('/', outboxRoutes({ database: deps.database, apiKeys }));
  const money = deps.currency ?? NO_SHOP_CURRENCY;
  app.route('/', reportRoutes({ database: deps.database, apiKeys, money }));
  app.route('/', analyticsRoutes({ database: deps.database, apiKeys, money, now }));
  app.route('/', shopifyWebhookRoutes({ database: deps.database, shopifySecret: deps.shopifySecret, now, ...json, ...key }));
  app.route('/', ingestWebhookRoutes({ database: deps.database, ingestSecrets: deps.ingestSecrets ?? {}, now, ...json, ...key }));
  app.route('/', sesWebhookRoutes({ database: deps.database, ses: deps.sesFeedback, now, ...json }));
  if (deps.messages) {
    app.route('/', viewInBrowserRoutes({ ...deps.messages, database: deps.database }));
    app.route('/', templatePreviewRoutes({ ...deps.messages, database: deps.database, apiKeys }));
    app.route(
      '/',
      unsubscribeRoutes({ database: deps.database, linkSigningKey: deps.messages.linkSigningKey, metrics: deps.metrics, now }),
    );
    app.route('/', preferenceRoutes({ database: deps.database, linkSigningKey: deps.messages.linkSigningKey, now }));
    app.route('/', linkRoutes({ database: deps.database, apiKeys, minting: minting!, ...json }));
    if (deps.tracking)
      app.route(
        '/',
        trackingRoutes({ database: deps.database, linkSigningKey: deps.messages.linkSigningKey, recorder: deps.tracking, now }),
      );
    app.route(
      '/',
      confirmRoutes({ database: deps.database, linkSigningKey: deps.messages.linkSigningKey, metrics: deps.metrics, now, ...key }),
    );
  }
  if (nodeOnly)
    app.route(
      '/',
      nodeOnly.admin({
        ...(minting ? { minting } : {}),
        database: deps.database,
        money,
        adminKeys: deps.adminKeys ?? [],
        now,
        requestDeadlineMs: deps.requestDeadlineMs ?? DEFAULT_REQUEST_DEADLINE_MS,
        ...key,
        ...(deps.importMaxBytes === undefined ? {} : { importMaxBytes: deps.importMaxBytes }),
        ...(deps.jsonMaxDepth === undefined ? {} : { jsonMaxDepth: deps.jsonMaxDepth }),
        ...(deps.webhookRules ? { webhookRules: deps.webhookRules } : {}),
      }),
    );
  answerWrongMethods(app);
  app.notFound(notFound);
  app.onError(onError(deps.log));
  return app;
}

export type App = ReturnType<typeof buildApp>;

/** Without the Node-only routes (on Workers): the admin API and the import answer 501 naming what to run instead. */
const nodeOnlyAnswer: MiddlewareHandler = async (c, next) => {
  const path = c.req.path;
  if (isImportPath(path))
    throw new AppError(
      'node_only',
      'contact import runs on the Node server or CLI (almanac contacts import FILE with DATABASE_URL), not on Workers',
      {
        details: { path },
      },
    );
  if (isAdminPath(path))
    throw new AppError(
      'node_only',
      'the admin API runs on the Node server; on Workers run the CLI from Node with DATABASE_URL (almanac plan, almanac apply)',
      {
        details: { path },
      },
    );
  await next();
};
