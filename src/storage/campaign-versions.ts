import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { CalendarPlan } from '../dsl/plan';
import type { Tx } from './db';
import { rowsOf } from './sql-values';
import { campaignVersions, runs } from './schema/index';

/** A stored campaign version, as `plan` and `apply` compare it with the files. */
export interface StoredVersion {
  id: number;
  kind: 'campaign' | 'calendar' | 'segments';
  campaign: string;
  version: number;
  contentHash: string;
  plan: unknown;
  retired: boolean;
}

/** The newest version of every campaigns-folder file ever applied (retired ones included). */
export async function latestVersions(tx: Tx): Promise<StoredVersion[]> {
  const rows = rowsOf<{
    id: string | number;
    kind: StoredVersion['kind'];
    campaign: string;
    version: number;
    content_hash: string;
    plan: unknown;
    retired: boolean;
  }>(
    await tx.execute(sql`
      select distinct on (kind, campaign) id, kind, campaign, version, content_hash, plan, retired_at is not null as retired
      from campaign_versions order by kind, campaign, version desc`),
  );
  return rows.map((r) => ({
    id: Number(r.id),
    kind: r.kind,
    campaign: r.campaign,
    version: r.version,
    contentHash: r.content_hash,
    plan: r.plan,
    retired: r.retired,
  }));
}

export interface NewVersion {
  kind: StoredVersion['kind'];
  campaign: string;
  version: number;
  contentHash: string;
  source: string;
  plan: unknown;
  /** When it was applied: the caller's clock, so a simulated apply happens in simulated time. */
  createdAt: Date;
}

/** Store new versions in one statement; returns their ids in input order. */
export async function insertVersions(tx: Tx, rows: NewVersion[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const inserted = await tx.insert(campaignVersions).values(rows).returning({ id: campaignVersions.id });
  return inserted.map((r) => r.id);
}

/** Mark versions retired (their campaign's file was removed): no new runs start on them. */
export async function retireVersions(tx: Tx, ids: number[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .update(campaignVersions)
    .set({ retiredAt: now })
    .where(and(inArray(campaignVersions.id, ids), isNull(campaignVersions.retiredAt)));
}

/** Active runs per campaign and current step key (`state->>'at'`), for `almanac plan`. */
export async function countActiveRunsByStep(
  tx: Tx,
  campaigns: string[],
): Promise<Array<{ campaign: string; stepKey: string | null; runs: number }>> {
  if (campaigns.length === 0) return [];
  const rows = await tx
    .select({ campaign: runs.campaign, stepKey: sql<string | null>`${runs.state}->>'at'`, runs: sql<number>`count(*)::int` })
    .from(runs)
    .where(and(eq(runs.status, 'active'), inArray(runs.campaign, campaigns)))
    .groupBy(runs.campaign, sql`${runs.state}->>'at'`);
  return rows.map((r) => ({ ...r, runs: Number(r.runs) }));
}

/** The compiled plans of the given versions, by id (runs refer to their version by id). */
export async function plansByVersionId(tx: Tx, ids: number[]): Promise<Map<number, unknown>> {
  if (ids.length === 0) return new Map();
  const rows = await tx
    .select({ id: campaignVersions.id, plan: campaignVersions.plan })
    .from(campaignVersions)
    .where(inArray(campaignVersions.id, ids));
  return new Map(rows.map((r) => [r.id, r.plan]));
}

/** The newest applied calendar.yaml, compiled (null before the first apply). */
export async function latestCalendarPlan(tx: Tx): Promise<CalendarPlan | null> {
  const [row] = rowsOf<{ plan: unknown }>(
    await tx.execute(sql`select plan from campaign_versions where kind = 'calendar' order by version desc limit 1`),
  );
  return (row?.plan as CalendarPlan | undefined) ?? null;
}

/** The id of the newest version of every campaign that is not retired. */
export async function activeCampaignVersionIds(tx: Tx): Promise<number[]> {
  const rows = rowsOf<{ id: string | number; retired: boolean }>(
    await tx.execute(sql`
      select distinct on (campaign) id, retired_at is not null as retired from campaign_versions
      where kind = 'campaign' order by campaign, version desc`),
  );
  return rows.filter((r) => !r.retired).map((r) => Number(r.id));
}

/** Serialise `apply`s: a second one waits here until the first commits, then sees its versions. */
export async function lockApply(tx: Tx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('almanac.apply'))`);
}
