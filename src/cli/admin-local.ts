import type { MergePolicy } from '../contacts/resolve';
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { analyticsViews } from '../reports/analytics';
import { importContacts } from '../events/import/run';
import { mintCampaignLink } from '../tracking/campaign-links';
import { markForRecompute } from '../storage/attribution';
import { rebuildReportRollups } from '../storage/engagement';
import { campaignReport } from '../reports/campaign';
import { applyReport } from '../campaigns/admin';
import { planWithForecast } from '../forecast/plan-report';
import type { Config } from '../config';
import { eraseContact } from '../consent/erase';
import { unmergeContacts } from '../contacts/unmerge';
import { exportContact } from '../consent/export';
import { contactTimeline } from '../reports/contact-timeline';
import { compileSources } from '../dsl/compile/index';
import { formatDiagnostic } from '../dsl/diagnostics';
import type { Project } from '../dsl/plan';
import { AppError } from '../errors';
import { calendarView, hasAppliedCalendar } from '../forecast/calendar-view';
import { loadPreviewSubject } from '../render/preview-source';
import { dispatchStatus, resumeDispatch } from '../storage/dispatch-pause';
import type { AdminApi, ContactImportRequest, ProjectSources } from './admin';
import type { CliEngine } from './command';

/**
 * The admin API on the configured database, opened by this process for each call (DATABASE_URL,
 * else the embedded PGlite; the data-directory lock stops it with one line when another process
 * owns that). The sources are compiled again here exactly as the server does, so both adapters
 * run the same code from the same input.
 */
export function createLocalAdmin(config: Config, withDatabase: CliEngine['withDatabase']): AdminApi {
  return {
    plan: (sources, options) => withDatabase(config, (database) => planWithForecast(database, compiled(sources), options?.forecast)),
    apply: (sources) => withDatabase(config, (database) => applyReport(database, compiled(sources), new Date())),
    calendar: (range, now) =>
      withDatabase(config, async (database) =>
        (await hasAppliedCalendar(database)) ? { applied: true, view: await calendarView(database, range, now) } : { applied: false },
      ),
    previewSubject: (idOrEmail, triggerType) => withDatabase(config, ({ db }) => loadPreviewSubject(db, idOrEmail, triggerType)),
    exportContact: (externalId) =>
      withDatabase(config, (database) => exportContact(database, externalId, { suppressionKey: config.mail.suppressionKey })),
    contactTimeline: (ref) =>
      withDatabase(config, (database) => contactTimeline(database, ref, { suppressionKey: config.mail.suppressionKey })),
    eraseContact: (externalId, { dryRun }) =>
      withDatabase(config, (database) =>
        eraseContact(database, externalId, { suppressionKey: config.mail.suppressionKey, source: 'cli', now: new Date(), dryRun }),
      ),
    status: () => withDatabase(config, ({ db }) => dispatchStatus(db)),
    resume: () => withDatabase(config, ({ db }) => resumeDispatch(db, new Date())),
    createLink: (input) =>
      withDatabase(config, (database) =>
        mintCampaignLink(database, input, {
          publicUrl: config.http.publicUrl,
          signingKey: config.http.linkSigningKey,
          allowedHosts: config.http.linkAllowedHosts,
        }),
      ),
    analytics: (period, now) =>
      withDatabase(config, (database) => analyticsViews(database, config.currency, now, period ? { period } : {})),
    report: (campaign, range) => withDatabase(config, (database) => campaignReport(database, campaign, range, config.currency)),
    recomputeAttribution: (options) =>
      withDatabase(config, async ({ db }) => ({
        orders: await db.transaction(async (tx) => {
          // The engagement and entry rollups are rebuilt now, from raw rows; credits at the next ticks.
          await rebuildReportRollups(tx, options.campaign);
          return markForRecompute(tx, options);
        }),
      })),
    unmerge: (mergeId) => withDatabase(config, (database) => unmergeContacts(database, mergeId, { by: 'cli', now: new Date() })),
    importContacts: (request) =>
      withDatabase(config, (database) =>
        importFile(database, request, { mergePolicy: config.mergePolicy, suppressionKey: config.mail.suppressionKey }),
      ),
  };
}

/** The file is read line by line (node:readline over a read stream): never held whole. */
async function importFile(
  database: Parameters<typeof importContacts>[0],
  request: ContactImportRequest,
  identity: { mergePolicy: MergePolicy; suppressionKey: string },
) {
  let totalBytes: number;
  try {
    totalBytes = statSync(request.path).size;
  } catch (err) {
    throw new AppError('bad_request', `cannot read ${request.path}: ${(err as Error).message}`);
  }
  const input = createReadStream(request.path);
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    return await importContacts(database, lines, {
      format: request.format,
      ...(request.map && { map: request.map }),
      dryRun: request.dryRun,
      trigger: request.trigger,
      now: new Date(),
      ...identity,
      onProblem: request.onProblem,
      onProgress: (rows) => request.onProgress?.({ rows, bytes: input.bytesRead, totalBytes }),
      onWrite: (written, of) => request.onWrite?.({ written, of }),
    });
  } finally {
    lines.close();
    input.destroy();
  }
}

function compiled(sources: ProjectSources): Project {
  const result = compileSources(sources.files, sources.templates, sources.templateFiles ? { templateFiles: sources.templateFiles } : {});
  if (result.ok) return result.project;
  throw new AppError('validation_failed', `the campaigns do not compile:\n${result.errors.map(formatDiagnostic).join('\n')}`, {
    details: { errors: result.errors },
  });
}
