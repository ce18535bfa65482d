import type { Project } from '../dsl/plan';
import { countActiveRunsByStep, latestVersions } from '../storage/campaign-versions';
import type { Database } from '../storage/db';
import { latestTemplateFiles } from '../storage/template-files';
import { applyProject } from './apply';
import { type ApplyPlan, diffProject } from './diff';
import { formatPlan, planMarkdown, runCountsFrom } from './format';

/**
 * What `almanac plan` / `almanac apply` print: `text` is the plain output, `json` the value that
 * `--json` prints (as `JSON.stringify(json, null, 2)` plus a newline; plain JSON data only, so it
 * survives a trip over HTTP unchanged). The CLI's local path (src/cli/admin-local.ts) and the
 * server's admin API (src/http/admin.ts, `POST /v1/admin/plan|apply`) both call these, so the
 * output cannot differ between the two.
 */
export interface AdminReport {
  text: string;
  json: unknown;
  /** The same as a pull-request comment (`almanac plan --format markdown`). */
  markdown?: string;
}

type RunCountRows = Awaited<ReturnType<typeof countActiveRunsByStep>>;

/** `almanac plan`: compare the compiled project with the database; changes nothing. */
export async function planReport(database: Database, project: Project): Promise<AdminReport> {
  const plan = await database.db.transaction(async (tx) => diffProject(await latestVersions(tx), project, await latestTemplateFiles(tx)));
  const touched = plan.changes.flatMap((c) => (c.kind === 'campaign' && c.action !== 'add' ? [c.campaign] : []));
  const counts = await countActiveRunsByStep(database.db, touched);
  const text = formatPlan(plan, runCountsFrom(counts));
  return { text, json: planJson(plan, counts), markdown: planMarkdown(text) };
}

/** `almanac apply`: store what changed (all or nothing, src/campaigns/apply.ts) and report it. */
export async function applyReport(database: Database, project: Project, now: Date): Promise<AdminReport> {
  // Count runs per step before applying, so the printed plan shows where they were.
  const names = new Set([...project.campaigns.map((c) => c.id), ...(await latestVersions(database.db)).map((v) => v.campaign)]);
  const counts = runCountsFrom(await countActiveRunsByStep(database.db, [...names]));
  const result = await applyProject(database, project, now);
  const text =
    formatPlan(result.plan, counts).replace(/\nPlan: .*\n$/, '\n') +
    `Applied: ${result.stored.length} version(s) stored${result.stored.length ? ` (${result.stored.join(', ')})` : ''}, ` +
    (result.storedTemplates.length ? `${result.storedTemplates.length} template file version(s), ` : '') +
    `${result.retired.length} retired, runs migrated ${result.migrated.moved}, exited ${result.migrated.exited}.\n`;
  const json = {
    stored: result.stored,
    ...(result.storedTemplates.length ? { storedTemplates: result.storedTemplates } : {}),
    retired: result.retired,
    migrated: result.migrated,
    unchanged: result.plan.unchanged,
  };
  return { text, json };
}

function planJson(plan: ApplyPlan, counts: RunCountRows) {
  return {
    changes: plan.changes.map((c) => {
      if (c.kind !== 'campaign') return { file: `${c.kind}.yaml`, action: c.action, version: c.version };
      if (c.action === 'change') {
        return {
          campaign: c.campaign,
          action: c.action,
          fromVersion: c.fromVersion,
          version: c.version,
          migrate: c.migrate,
          steps: c.steps.map((s) => ({
            ...s,
            runs: counts.find((r) => r.campaign === c.campaign && r.stepKey === s.key)?.runs ?? 0,
          })),
        };
      }
      return { campaign: c.campaign, action: c.action, version: c.version };
    }),
    unchanged: plan.unchanged,
    ...(plan.templates.length || plan.templatesUnchanged
      ? {
          templates: plan.templates.map((t) => ({ path: t.path, action: t.action, version: t.version, usedBy: t.usedBy })),
          templatesUnchanged: plan.templatesUnchanged,
        }
      : {}),
  };
}
