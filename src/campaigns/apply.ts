import { type CampaignPlan, revivePlan } from '../dsl/plan';
import type { Project } from '../dsl/plan';
import { migrateState } from '../journey/migrate';
import type { RunState } from '../journey/state';
import { type NewVersion, insertVersions, latestVersions, lockApply, plansByVersionId, retireVersions } from '../storage/campaign-versions';
import type { Database, Tx } from '../storage/db';
import { insertTemplateFiles, latestTemplateFiles } from '../storage/template-files';
import { activeRunsOffVersion, exitRuns, moveRuns } from '../storage/run-moves';
import { cancelSendsOfEndedRuns } from '../storage/sends';
import { cancelWebhookCallsOfEndedRuns } from '../storage/webhook-calls';
import { type ApplyPlan, diffProject } from './diff';

export interface ApplyResult {
  plan: ApplyPlan;
  /** Versions stored, as `campaign@version` (calendar/segments as `calendar.yaml@N`). */
  stored: string[];
  /** Template file versions stored, as `templates/PATH@version` (a removal too). */
  storedTemplates: string[];
  retired: string[];
  migrated: { moved: number; exited: number };
}

const MIGRATE_PAGE = 1000;

/**
 * Store what changed — campaign versions and template file versions — all or nothing, in one transaction. A second `apply` running at the same
 * time waits on an advisory lock and then sees the first one's versions, so it stores nothing
 * twice. Callers pass an already compiled Project: a project with errors never gets here.
 * With `migrate: true`, running runs of older versions move to the new one by step key (runs
 * whose step vanished exit with `step_removed:<key>`); otherwise they finish on their version.
 */
export async function applyProject(database: Database, project: Project, now: Date): Promise<ApplyResult> {
  return database.db.transaction(async (tx) => {
    await lockApply(tx);
    const plan = diffProject(await latestVersions(tx), project, await latestTemplateFiles(tx));
    const rows = plan.changes.flatMap((c): NewVersion[] =>
      c.action === 'remove'
        ? []
        : c.kind === 'campaign'
          ? [
              {
                kind: 'campaign',
                campaign: c.campaign,
                version: c.version,
                contentHash: c.hash,
                source: c.source,
                plan: c.plan,
                createdAt: now,
              },
            ]
          : [
              {
                kind: c.kind,
                campaign: c.kind,
                version: c.version,
                contentHash: c.hash,
                source: `${c.kind}.yaml`,
                plan: c.plan,
                createdAt: now,
              },
            ],
    );
    const ids = await insertVersions(tx, rows);
    await insertTemplateFiles(
      tx,
      plan.templates.map((t) => ({ path: t.path, version: t.version, contentHash: t.hash, content: t.text, createdAt: now })),
    );
    const idOf = new Map(rows.map((r, i) => [`${r.kind}:${r.campaign}`, ids[i]!]));
    const removed = plan.changes.filter((c) => c.action === 'remove');
    await retireVersions(
      tx,
      removed.map((c) => c.versionId),
      now,
    );
    const migrated = { moved: 0, exited: 0 };
    for (const change of plan.changes) {
      if (change.kind === 'campaign' && change.action === 'change' && change.migrate) {
        const r = await migrateRuns(tx, change.campaign, idOf.get(`campaign:${change.campaign}`)!, change.plan, now);
        migrated.moved += r.moved;
        migrated.exited += r.exited;
      }
    }
    return {
      plan,
      stored: rows.map((r) => (r.kind === 'campaign' ? `${r.campaign}@${r.version}` : `${r.kind}.yaml@${r.version}`)),
      storedTemplates: plan.templates.map((t) => `templates/${t.path}@${t.version}`),
      retired: removed.map((c) => (c.kind === 'campaign' ? c.campaign : '')),
      migrated,
    };
  });
}

async function migrateRuns(tx: Tx, campaign: string, versionId: number, next: CampaignPlan, now: Date) {
  let afterId = 0;
  const totals = { moved: 0, exited: 0 };
  const oldPlans = new Map<number, CampaignPlan>();
  for (;;) {
    const page = await activeRunsOffVersion(tx, campaign, versionId, { afterId, limit: MIGRATE_PAGE });
    if (page.length === 0) return totals;
    const missing = [...new Set(page.map((r) => r.versionId))].filter((id) => !oldPlans.has(id));
    for (const [id, json] of await plansByVersionId(tx, missing)) oldPlans.set(id, revivePlan(json));
    const moves: Array<{ id: number; state: unknown }> = [];
    const exits: Array<{ id: number; reason: string }> = [];
    for (const run of page) {
      const outcome = migrateState(oldPlans.get(run.versionId)!, next, run.state as RunState);
      if ('exit' in outcome) exits.push({ id: run.id, reason: outcome.exit });
      else moves.push({ id: run.id, state: outcome.state });
    }
    await moveRuns(tx, versionId, moves, now);
    await exitRuns(tx, exits, now);
    await cancelSendsOfEndedRuns(tx, { runIds: exits.map((e) => e.id) }, now);
    await cancelWebhookCallsOfEndedRuns(tx, { runIds: exits.map((e) => e.id) }, now);
    totals.moved += moves.length;
    totals.exited += exits.length;
    afterId = page[page.length - 1]!.id;
  }
}
