import { readdirSync, readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { diffProject } from '../../src/campaigns/diff';
import { formatPlan, runCountsFrom } from '../../src/campaigns/format';
import type { Project } from '../../src/dsl/plan';
import { countActiveRunsByStep, latestVersions } from '../../src/storage/campaign-versions';
import type { Database } from '../../src/storage/db';
import { query } from '../helpers/engine';

/** Template names of the sample project (templates/<name>/). */
export const templates = readdirSync('templates');

/** The sample project's campaigns folder as inline files, `{ 'campaigns/x.yaml': text }`, to edit in tests. */
export function sampleFiles(): Record<string, string> {
  const names = readdirSync('campaigns').filter((f) => f.endsWith('.yaml'));
  return Object.fromEntries(names.map((f) => [`campaigns/${f}`, readFileSync(`campaigns/${f}`, 'utf8')]));
}

/** Every stored version, oldest first, as `campaign@version` (with `retired` when it is). */
export async function storedVersions(database: Database): Promise<string[]> {
  const rows = await query<{ campaign: string; version: number; retired: boolean }>(
    database,
    sql`select campaign, version, retired_at is not null as retired from campaign_versions order by id`,
  );
  return rows.map((r) => `${r.campaign}@${r.version}${r.retired ? ' retired' : ''}`);
}

/** What `almanac plan` prints for `project` against this database (the command's own steps). */
export async function planText(database: Database, project: Project): Promise<string> {
  const plan = diffProject(await latestVersions(database.db), project);
  const touched = plan.changes.flatMap((c) => (c.kind === 'campaign' && c.action !== 'add' ? [c.campaign] : []));
  return formatPlan(plan, runCountsFrom(await countActiveRunsByStep(database.db, touched)));
}
