import { analyticsViews } from '../reports/analytics';
import { periodOf } from './analytics';
import type { CurrencyRule } from '../attribution/currency';
import { type LinkMinting, linkInput } from './links';
import { mintCampaignLink } from '../tracking/campaign-links';
import { markForRecompute } from '../storage/attribution';
import { rebuildReportRollups } from '../storage/engagement';
import { requestedReport } from './reports';
import { INSTANT_EXPECTED, parseInstant } from '../lib/instant';
import { Hono } from 'hono';
import type { Context } from 'hono';
import { applyReport } from '../campaigns/admin';
import { planWithForecast } from '../forecast/plan-report';
import { forecastOption } from './admin-plan';
import { eraseContact } from '../consent/erase';
import { mergeIdOf, unmergeContacts } from '../contacts/unmerge';
import type { MergePolicy } from '../contacts/resolve';
import { importHandler } from './contacts-import';
import { exportContact } from '../consent/export';
import type { WebhookRules } from '../dsl/compile/step-context';
import { contactTimeline } from '../reports/contact-timeline';
import { noContact } from './contact-timeline';
import { compileSources } from '../dsl/compile/index';
import { formatDiagnostic } from '../dsl/diagnostics';
import type { Project } from '../dsl/plan';
import { AppError } from '../errors';
import { calendarView, hasAppliedCalendar } from '../forecast/calendar-view';
import { Pace } from '../forecast/pace';
import { loadPreviewSubject } from '../render/preview-source';
import { hasOddCharacters } from './events-input';
import type { Database } from '../storage/db';
import { rangeParams } from './calendar';
import { checkedContactId, unknownContact } from './contacts';
import { parseJson } from './events-input';
import { isTemplatePath, TEMPLATE_PATH_RULE } from '../render/template-files';
import { apiKey } from './middleware/api-key/index';
import { dispatchStatus, resumeDispatch } from '../storage/dispatch-pause';
import { deadline } from './middleware/deadline/index';

/** The deadline of the read-only admin routes (plan, calendar, preview) when REQUEST_DEADLINE_MS is shorter. */
export const ADMIN_READ_DEADLINE_MS = 300_000;

export interface AdminRoutesDeps {
  database: Database;
  /**
   * Accepted bearer keys: ADMIN_API_KEYS, plus the token `almanac serve` announces in its
   * embedded data directory (src/runtime/serve.ts). Never the ingestion API_KEYS: a key that may
   * post events must not be able to change the campaigns. None → every admin request is a 401.
   */
  adminKeys: readonly string[];
  /** Clock of `apply` (version times) and the calendar's default `now`. */
  now: () => Date;
  /** REQUEST_DEADLINE_MS; the read-only admin routes get at least ADMIN_READ_DEADLINE_MS. */
  requestDeadlineMs: number;
  jsonMaxDepth?: number;
  /** SUPPRESSION_KEY, for the contact export and erase routes; absent → they answer 500 `config_invalid`. */
  suppressionKey?: string;
  /** PUBLIC_URL, LINK_SIGNING_KEY, LINK_ALLOWED_HOSTS: `almanac link create` through the server. Absent → 503. */
  minting?: LinkMinting;
  /** SHOP_CURRENCY and CURRENCY_RATES, for `almanac report` through the server. */
  money: CurrencyRule;
  /** MERGE_ON_EMAIL, MERGE_SOURCES: `almanac import` through the server merges as imports do. */
  mergePolicy?: MergePolicy;
  /** IMPORT_MAX_BYTES. */
  importMaxBytes?: number;
  /** WEBHOOK_ALLOWED_HOSTS and the webhook secret names of this server: `webhook` steps are compiled against them. */
  webhookRules?: WebhookRules;
}

/**
 * The admin API the CLI uses against a running server (src/cli/admin-remote.ts), so that `almanac
 * plan|apply|calendar|preview` work while the server owns the embedded database. JSON in and out;
 * errors in the one shape `{ error: { code, message, details } }`.
 *
 * - `POST /v1/admin/plan` `{ files: [{ path, text }], templates: [names], templateFiles?: [{ path, text }] }`
 *   → `{ text, json, markdown }`:
 *   what `almanac plan` / `plan --json` / `--format markdown` print. The server compiles the files
 *   itself (compileSources): it never stores a plan a client built. Compile errors → 400 with the
 *   diagnostics in `details.errors`. With `forecast: { days?, from?, now? }` (./admin-plan.ts) it
 *   is `plan --forecast`: the next days' sends before → after and the warnings.
 * - `POST /v1/admin/apply` (same body) → `{ text, json }` as `almanac apply` prints.
 * - `GET /v1/admin/calendar?from=&to=[&now=ISO]` → `{ applied: false }`, or `{ applied: true, view }`.
 * - `GET /v1/admin/preview-subject/:id[?trigger=TYPE]` → the contact (external id or email),
 *   its newest event of TYPE and its recommendations (src/render/preview-source.ts); 404 when absent.
 *
 * - `GET /v1/admin/contacts/:id/export` → what `almanac contact export ID` prints (src/consent/export.ts).
 * - `GET /v1/admin/contacts/:id/timeline` → what `almanac contact show ID` prints (src/reports/contact-timeline.ts).
 * - `DELETE /v1/admin/contacts/:id` → the erasure report of `almanac contact erase ID --yes`
 *   (source `cli`); `GET /v1/admin/contacts/:id/erasure` → the same counts, nothing changed (what
 *   `erase` without `--yes` shows). Unknown id → 404 naming it in `details.contact`.
 *
 * - `GET /v1/admin/status` → the dispatch pauses in force; `POST /v1/admin/resume` clears them
 *   all and answers what it cleared (`almanac status`, `almanac resume`).
 *
 * Deadlines: the ordinary REQUEST_DEADLINE_MS (10 s) is for the public API. Apply has none: it is
 * one transaction, and a 503 sent while it may still commit would tell the operator it failed when
 * it did not (or make them run it twice); it runs to its end and answers what it did. The
 * read-only routes change nothing, so cutting them is safe, but they are what a CLI run used to
 * do with no deadline at all (a year of calendar forecast, a plan counting many runs): they get
 * ADMIN_READ_DEADLINE_MS, or REQUEST_DEADLINE_MS when that is longer.
 */
export function adminRoutes(deps: AdminRoutesDeps) {
  const app = new Hono();
  const auth = apiKey({ keys: deps.adminKeys, variable: 'ADMIN_API_KEYS', area: 'the admin API (/v1/admin, what the CLI uses)' });
  const read = deadline({ ms: Math.max(deps.requestDeadlineMs, ADMIN_READ_DEADLINE_MS) });
  const json = async (c: Context) => parseJson(await c.req.text(), deps.jsonMaxDepth === undefined ? {} : { maxDepth: deps.jsonMaxDepth });
  const body = async (c: Context) => compiled(sourcesFrom(await json(c)), deps.webhookRules);

  app.post('/v1/admin/plan', auth, read, async (c) => {
    const value = await json(c);
    const forecast = forecastOption(value, deps.now);
    const signal = c.get('deadline')?.();
    return c.json(
      await planWithForecast(deps.database, compiled(sourcesFrom(value), deps.webhookRules), forecast, {
        pace: new Pace(signal ? { signal } : {}),
      }),
    );
  });
  app.post('/v1/admin/apply', auth, async (c) => c.json(await applyReport(deps.database, await body(c), deps.now())));
  app.get('/v1/admin/calendar', auth, read, async (c) => {
    const range = rangeParams(c.req.query('from'), c.req.query('to'));
    const now = instant(c.req.query('now')) ?? deps.now();
    if (!(await hasAppliedCalendar(deps.database))) return c.json({ applied: false });
    const signal = c.get('deadline')?.();
    const view = await calendarView(deps.database, range, now, { pace: new Pace(signal ? { signal } : {}) });
    return c.json({ applied: true, view });
  });
  app.get('/v1/admin/preview-subject/:id', auth, read, async (c) => {
    const id = c.req.param('id');
    for (const [field, value] of [
      ['id', id],
      ['trigger', c.req.query('trigger')],
    ] as const) {
      if (value !== undefined && (value.length > 320 || hasOddCharacters(value)))
        throw new AppError('bad_request', `${field} must be at most 320 characters, without NUL or lone surrogates`, {
          details: { field },
        });
    }
    const subject = await loadPreviewSubject(deps.database.db, id, c.req.query('trigger') || undefined);
    if (!subject) throw new AppError('not_found', `no contact with external id or email "${id}"`, { details: { contact: id } });
    // Plain JSON data (numbers, strings, jsonb attributes and properties): the CLI gets exactly what a local read gives.
    return c.json(subject);
  });
  const suppressionKey = () => {
    if (!deps.suppressionKey) throw new AppError('config_invalid', 'SUPPRESSION_KEY is not configured: GDPR export and erase need it');
    return deps.suppressionKey;
  };
  app.get('/v1/admin/contacts/:id/export', auth, read, async (c) => {
    const id = checkedContactId(c.req.param('id'));
    const data = await exportContact(deps.database, id, { suppressionKey: suppressionKey() });
    if (!data) throw unknownContact(id);
    return c.json(data);
  });
  app.get('/v1/admin/contacts/:id/timeline', auth, read, async (c) => {
    const id = checkedContactId(c.req.param('id'));
    const t = await contactTimeline(deps.database, id, deps.suppressionKey === undefined ? {} : { suppressionKey: deps.suppressionKey });
    if (!t) throw noContact(id);
    return c.json(t);
  });
  const erase = (dryRun: boolean) => async (c: Context) => {
    const id = checkedContactId(c.req.param('id') ?? '');
    const report = await eraseContact(deps.database, id, { suppressionKey: suppressionKey(), source: 'cli', now: deps.now(), dryRun });
    if (!report) throw unknownContact(id);
    return c.json(report);
  };
  app.get('/v1/admin/contacts/:id/erasure', auth, read, erase(true));
  // Like apply: one transaction that runs to its end, never cut by a deadline while it may commit.
  app.delete('/v1/admin/contacts/:id', auth, erase(false));
  // `almanac import` through the server: the file streamed in, progress and problems streamed out (src/http/contacts-import.ts).
  app.post(
    '/v1/admin/contacts/import',
    auth,
    importHandler({
      database: deps.database,
      now: deps.now,
      ...(deps.mergePolicy && { mergePolicy: deps.mergePolicy }),
      ...(deps.suppressionKey && { suppressionKey: deps.suppressionKey }),
      ...(deps.importMaxBytes !== undefined && { maxBytes: deps.importMaxBytes }),
    }),
  );
  app.post('/v1/admin/contact-merges/:id/revert', auth, async (c) =>
    c.json(await unmergeContacts(deps.database, mergeIdOf(c.req.param('id')), { by: 'cli', now: deps.now() })),
  );
  app.get('/v1/admin/status', auth, read, async (c) => c.json(await dispatchStatus(deps.database.db)));
  app.get('/v1/admin/reports/:campaign', auth, async (c) => c.json(await requestedReport(deps.database, deps.money, c)));
  app.get('/v1/admin/analytics', auth, read, async (c) => {
    const period = periodOf(c.req.query('period'));
    return c.json(await analyticsViews(deps.database, deps.money, instant(c.req.query('now')) ?? deps.now(), period ? { period } : {}));
  });
  app.post('/v1/admin/links', auth, async (c) => {
    if (!deps.minting) throw new AppError('unavailable', 'this server cannot mint links (no PUBLIC_URL / LINK_SIGNING_KEY wiring)');
    return c.json(await mintCampaignLink(deps.database, await linkInput(await c.req.text(), deps.jsonMaxDepth), deps.minting), 201);
  });
  app.post('/v1/admin/attribution/recompute', auth, async (c) => {
    const text = await c.req.text();
    const parsed: unknown =
      text.trim() === '' ? {} : parseJson(text, deps.jsonMaxDepth === undefined ? {} : { maxDepth: deps.jsonMaxDepth });
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new AppError('validation_failed', '(body): expected an object { since?, campaign? }', { details: { field: '(body)' } });
    const b = parsed as Record<string, unknown>;
    const since = typeof b.since === 'string' ? parseInstant(b.since) : undefined;
    if (b.since !== undefined && !since)
      throw new AppError('validation_failed', `since: expected ${INSTANT_EXPECTED}`, { details: { field: 'since' } });
    if (b.campaign !== undefined && typeof b.campaign !== 'string')
      throw new AppError('validation_failed', 'campaign: expected a campaign id', { details: { field: 'campaign' } });
    const orders = await deps.database.db.transaction(async (tx) => {
      // The engagement and entry rollups are rebuilt now, from raw rows; credits at the next ticks.
      await rebuildReportRollups(tx, typeof b.campaign === 'string' ? b.campaign : undefined);
      return markForRecompute(tx, { ...(since ? { since } : {}), ...(typeof b.campaign === 'string' ? { campaign: b.campaign } : {}) });
    });
    return c.json({ orders });
  });
  app.post('/v1/admin/resume', auth, async (c) => c.json(await resumeDispatch(deps.database.db, deps.now())));
  return app;
}

interface Sources {
  files: Array<{ path: string; text: string }>;
  templates: string[];
  templateFiles?: Array<{ path: string; text: string }>;
}

const badField = (field: string, message: string) => new AppError('bad_request', `${field}: ${message}`, { details: { field } });

/** `{ files: [{ path, text }], templates: [names] }`, checked, naming the first field that is wrong. */
function sourcesFrom(value: unknown): Sources {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badField('body', 'expected a JSON object { "files": [{ "path", "text" }], "templates": [names] }');
  }
  const { files, templates, templateFiles } = value as Record<string, unknown>;
  if (!Array.isArray(files)) throw badField('files', 'expected an array of { "path", "text" } (the campaign files)');
  const checked = files.map((f: unknown, i) => {
    const file = (typeof f === 'object' && f !== null ? f : {}) as Record<string, unknown>;
    if (typeof file.path !== 'string' || file.path === '') throw badField(`files[${i}].path`, 'expected the file path, a non-empty string');
    if (typeof file.text !== 'string') throw badField(`files[${i}].text`, 'expected the file content, a string');
    return { path: file.path, text: file.text };
  });
  if (!Array.isArray(templates) || !templates.every((t) => typeof t === 'string')) {
    throw badField('templates', 'expected an array of template names (strings)');
  }
  if (templateFiles === undefined) return { files: checked, templates: templates as string[] };
  if (!Array.isArray(templateFiles)) throw badField('templateFiles', 'expected an array of { "path", "text" } (the template files)');
  const templateChecked = templateFiles.map((f: unknown, i) => {
    const file = (typeof f === 'object' && f !== null ? f : {}) as Record<string, unknown>;
    if (typeof file.path !== 'string' || !isTemplatePath(file.path))
      throw badField(`templateFiles[${i}].path`, `expected a path under templates/ like "welcome/html.hbs" (${TEMPLATE_PATH_RULE})`);
    if (typeof file.text !== 'string') throw badField(`templateFiles[${i}].text`, 'expected the file content, a string');
    return { path: file.path, text: file.text };
  });
  return { files: checked, templates: templates as string[], templateFiles: templateChecked };
}

/** The server's own compile of what it was sent. */
function compiled(sources: Sources, webhooks: WebhookRules | undefined): Project {
  const result = compileSources(sources.files, sources.templates, {
    ...(webhooks ? { webhooks } : {}),
    ...(sources.templateFiles ? { templateFiles: sources.templateFiles } : {}),
  });
  if (result.ok) return result.project;
  throw new AppError(
    'validation_failed',
    `the campaigns do not compile (${result.errors.length} error(s); nothing was changed):\n${result.errors.map(formatDiagnostic).join('\n')}`,
    { details: { errors: result.errors.map((d) => ({ ...d, text: formatDiagnostic(d) })) } },
  );
}

/** `?now=` (src/lib/instant.ts), or undefined when absent; anything else is a 400. */
function instant(value: string | undefined): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const d = parseInstant(value);
  if (!d)
    throw new AppError('bad_request', `now: expected ${INSTANT_EXPECTED} (got "${value.slice(0, 40)}")`, { details: { parameter: 'now' } });
  return d;
}
