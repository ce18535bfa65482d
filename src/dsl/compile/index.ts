import { linkHostProblems } from '../../render/link-hosts';
import { basename } from 'node:path';
import { type ComplianceGap, complianceGaps } from '../../render/compliance';
import { validateTemplates } from '../../render/validate';
import type { Diagnostic } from '../diagnostics';
import type { CampaignPlan, Project } from '../plan';
import { checkBlackouts } from './blackout';
import { emptyCalendar } from '../plan';
import { compileCalendar } from './calendar';
import { type CompiledCampaign, compileCampaign } from './campaign';
import { checkDoubleOptIn, checkDuplicateIds, checkEmitCycles } from './cross';
import { type CompileOptions, type ProjectFiles, readProjectFiles } from './files';
import { type EventRefs, checkEventNames } from './refs';
import { buildSegments } from './segments';
import { type Source, hasErrors, parseSource } from '../source';
import type { WebhookRules } from './step-context';

export type { CompileOptions };

export type CompileResult =
  { ok: true; project: Project; warnings: Diagnostic[] } | { ok: false; errors: Diagnostic[]; warnings: Diagnostic[] };

/**
 * Reads campaigns/*.yaml and the template names under templates/, then compiles them; the
 * templates themselves are checked too (syntax, helpers, partials, escaping: src/render/validate.ts),
 * so validate, plan, apply and serve all refuse a broken template.
 */
export async function compileProject(options: CompileOptions): Promise<CompileResult & { sources: ProjectFiles }> {
  const { files, templates, templateFiles } = await readProjectFiles(options);
  const result = withTemplateDiagnostics(
    compileSources(files, templates, {
      complianceGaps: complianceGaps(options.templatesDir, options.displayRoot),
      ...(options.webhooks ? { webhooks: options.webhooks } : {}),
      templateFiles,
    }),
    [
      ...validateTemplates(options.templatesDir, options.displayRoot),
      ...linkHostProblems(options.templatesDir, options.allowedHosts ?? [], options.displayRoot),
    ],
  );
  // The sources as read: the CLI sends them to a running server, which compiles them again (compileSources).
  return { ...result, sources: { files, templates, templateFiles } };
}

function withTemplateDiagnostics(result: CompileResult, found: Diagnostic[]): CompileResult {
  const errors = found.filter((d) => d.severity === 'error');
  const warnings = [...result.warnings, ...found.filter((d) => d.severity === 'warning')].sort(byPlace);
  if (result.ok && errors.length === 0) return { ...result, warnings };
  return { ok: false, errors: [...(result.ok ? [] : result.errors), ...errors].sort(byPlace), warnings };
}

const stem = (path: string) => basename(path).replace(/\.ya?ml$/, '');

/**
 * The pure compiler: campaign files (by path; `segments.yaml` and `calendar.yaml` by name) and the
 * template names that exist → a Project, or every problem found in every file. `webhooks`: the
 * environment's WEBHOOK_ALLOWED_HOSTS and secret names, checked against `webhook` steps when given.
 */
export function compileSources(
  files: Array<{ path: string; text: string }>,
  templates: string[],
  options: {
    complianceGaps?: ReadonlyMap<string, ComplianceGap[]>;
    webhooks?: WebhookRules;
    /** Every file under templates/ (path relative to it): carried into Project.templateFiles for apply. */
    templateFiles?: ReadonlyArray<{ path: string; text: string }>;
  } = {},
): CompileResult {
  const sources = [...files].sort((a, b) => a.path.localeCompare(b.path)).map((f) => parseSource(f.path, f.text));
  const parsed = (s: Source) => !hasErrors(s);
  const calendarSource = sources.find((s) => stem(s.file) === 'calendar');
  const segmentsSource = sources.find((s) => stem(s.file) === 'segments');
  const campaignSources = sources.filter((s) => s !== calendarSource && s !== segmentsSource);
  const events: EventRefs = [];

  const calendar = calendarSource && parsed(calendarSource) ? compileCalendar(calendarSource) : emptyCalendar();
  const segmentsOk = !segmentsSource || parsed(segmentsSource);
  const segments = buildSegments(
    segmentsOk ? segmentsSource : undefined,
    events,
    segmentsSource?.file ?? 'campaigns/segments.yaml',
    !segmentsOk,
    calendar?.timezone ?? 'UTC',
  );
  const context = {
    templates,
    segments,
    events,
    calendarZone: calendar?.timezone ?? 'UTC',
    ...(options.complianceGaps ? { complianceGaps: options.complianceGaps } : {}),
    ...(options.webhooks ? { webhooks: options.webhooks } : {}),
  };
  const campaigns: CompiledCampaign[] = campaignSources.filter(parsed).map((s) => compileCampaign(context, s, stem(s.file)));

  checkDuplicateIds(campaigns);
  checkEmitCycles(campaigns);
  if (calendar) checkBlackouts(campaigns, calendar, calendarSource?.file ?? 'campaigns/calendar.yaml');
  if (calendar) checkDoubleOptIn(campaigns, calendar, calendarSource);
  checkEventNames(
    events,
    campaigns.flatMap((c) => c.emits.map((e) => e.event)),
  );

  const diagnostics = sources.flatMap((s) => s.diagnostics).sort(byPlace);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const warnings = diagnostics.filter((d) => d.severity === 'warning');
  if (errors.length || !calendar) return { ok: false, errors, warnings };
  const plans = campaigns.map((c) => c.plan).filter((p): p is CampaignPlan => p !== undefined);
  const project: Project = {
    campaigns: plans,
    segments: segments.compiled(),
    calendar,
    templates: [...templates].sort(),
    sources: Object.fromEntries(campaigns.map((c) => [c.id!, c.source.text])),
    ...(options.templateFiles
      ? { templateFiles: [...options.templateFiles].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) }
      : {}),
  };
  return { ok: true, project, warnings };
}

function byPlace(a: Diagnostic, b: Diagnostic): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col;
}
