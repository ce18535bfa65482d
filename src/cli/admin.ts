import type { AnalyticsViews } from '../reports/analytics';
import type { PeriodKind } from '../storage/analytics-views';
import type { AdminReport } from '../campaigns/admin';
import type { ErasureReport } from '../consent/erase';
import type { UnmergeReport } from '../contacts/unmerge';
import type { ContactExport } from '../consent/export';
import type { ContactTimeline } from '../reports/contact-timeline';
import type { ViewRange } from '../forecast/calendar-view';
import type { CalendarView } from '../forecast/view';
import type { PlanForecastRequest } from '../forecast/plan-forecast';
import type { PreviewSubject } from '../render/preview-source';
import type { CampaignReport } from '../reports/campaign';
import type { CampaignLink, CampaignLinkInput } from '../tracking/campaign-links';
import type { DispatchStatus, PauseStatus } from '../storage/dispatch-pause';
import type { ImportFormat, ImportSummary } from '../events/import/run';
import type { RowProblem } from '../events/import/rows';

/** `almanac import FILE`: the file (absolute path) and how to read it; problems and progress are reported as they come. */
export interface ContactImportRequest {
  path: string;
  format: ImportFormat;
  map?: Record<string, string>;
  dryRun: boolean;
  trigger: boolean;
  onProblem: (problem: RowProblem) => void;
  /** While the file is read and checked: records read, bytes of the file read, and its size. */
  onProgress?: (progress: { rows: number; bytes: number; totalBytes: number }) => void;
  /** While the contacts are written: contact keys written, of how many. */
  onWrite?: (progress: { written: number; of: number }) => void;
}

/**
 * What a project command sends: the campaign files as read (path, text), the template names
 * found, and the template files themselves (apply versions them; absent from an older client).
 */
export interface ProjectSources {
  files: Array<{ path: string; text: string }>;
  templates: string[];
  templateFiles?: Array<{ path: string; text: string }>;
}

/**
 * The port the database commands (plan, apply, calendar, preview, contact) use instead of opening the
 * database themselves. Two adapters, chosen in src/runtime/cli.ts: ./admin-local.ts (this process
 * opens the configured database) and ./admin-remote.ts (a running server's `/v1/admin/*`, when
 * ALMANAC_URL is set or a live server announced itself in the embedded data directory: the
 * embedded database has one owner). Both answer the same values, so a command prints the same
 * bytes whichever it got.
 */
export interface AdminApi {
  /** The server's base URL when the work goes through one; undefined for the local database. */
  via?: string;
  /**
   * `almanac plan`: the sources are compiled again where the database is (never a client-built
   * plan). With `forecast` (`plan --forecast`), the report adds the next days' sends before →
   * after and the warnings (src/forecast/plan-report.ts).
   */
  plan(sources: ProjectSources, options?: { forecast?: PlanForecastRequest }): Promise<AdminReport>;
  /** `almanac apply`. */
  apply(sources: ProjectSources): Promise<AdminReport>;
  /** The applied calendar, or `{ applied: false }` when nothing was ever applied. */
  calendar(range: ViewRange, now: Date): Promise<{ applied: boolean; view?: CalendarView }>;
  /** The contact (external id or email), its newest event of `triggerType` and recommendations; undefined when absent. */
  previewSubject(idOrEmail: string, triggerType: string | undefined): Promise<PreviewSubject | undefined>;
  /** `almanac contact export ID`: everything held about the contact with this external id; undefined when absent. */
  exportContact(externalId: string): Promise<ContactExport | undefined>;
  /** `almanac contact show ID`: the contact's timeline (external id, `#id` or numeric id); undefined when absent. */
  contactTimeline(ref: string): Promise<ContactTimeline | undefined>;
  /** `almanac contact erase ID`: the GDPR erasure (source `cli`); `dryRun` counts what would go and changes nothing. Undefined when absent. */
  eraseContact(externalId: string, options: { dryRun: boolean }): Promise<ErasureReport | undefined>;
  /** `almanac contact unmerge MERGE_ID`: revert a merge (404 unknown, 409 reverted before). */
  unmerge(mergeId: number): Promise<UnmergeReport>;
  /** `almanac status`: the dispatch pauses in force (the transport's account pause, the complaint-rate guard's). */
  status(): Promise<DispatchStatus>;
  /** `almanac resume`: clear every pause; returns what was cleared (empty: nothing was paused). */
  resume(): Promise<PauseStatus[]>;
  /** `almanac report CAMPAIGN`: the campaign's report (src/reports/campaign.ts); unknown campaign → a 404 AppError naming it. */
  report(campaign: string, range: { from?: Date; to?: Date }): Promise<CampaignReport>;
  /** `almanac analytics`: lifecycle, retention (R = N·V·L per period) and value (src/reports/analytics.ts). */
  analytics(period: PeriodKind | undefined, now: Date): Promise<AnalyticsViews>;
  /** `almanac link create`: a signed campaign link for another channel (src/tracking/campaign-links.ts). */
  createLink(input: CampaignLinkInput): Promise<CampaignLink>;
  /** `almanac attribution recompute`: mark orders to be credited again by the next ticks; returns how many. */
  recomputeAttribution(options: { since?: Date; campaign?: string }): Promise<{ orders: number }>;
  /** `almanac import FILE`: stream a contact list into the database (src/events/import/run.ts). */
  importContacts(request: ContactImportRequest): Promise<ImportSummary>;
}
