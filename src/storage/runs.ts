import { sql } from 'drizzle-orm';
import type { Tx } from './db';
import { enterCampaigns } from './engagement';
import { idArray, rowsOf, ts } from './sql-values';
import type { RunStatus } from './schema/index';

export type { RunStatus };

/** A run as the scheduler handles it. */
export interface RunRow {
  id: number;
  campaign: string;
  versionId: number;
  contactId: number;
  correlationKey: string | null;
  state: unknown;
}

type RawRun = {
  id: string | number;
  campaign: string;
  campaign_version_id: string | number;
  contact_id: string | number;
  correlation_key: string | null;
  state: unknown;
};
const toRun = (r: RawRun): RunRow => ({
  id: Number(r.id),
  campaign: r.campaign,
  versionId: Number(r.campaign_version_id),
  contactId: Number(r.contact_id),
  correlationKey: r.correlation_key,
  state: r.state,
});

/**
 * Claim active runs due at `now`, oldest first, locking them for this transaction. SKIP LOCKED:
 * rows another worker holds are passed over, so any number of workers share the work and no run
 * is stepped by two at once. The row lock is the lease: it lasts exactly as long as the
 * transaction that steps the runs and writes their results, and a killed worker's lock goes with
 * its connection.
 */
export async function claimDueRuns(tx: Tx, options: { now: Date; limit: number }): Promise<RunRow[]> {
  return rowsOf<RawRun>(
    await tx.execute(sql`
      select id, campaign, campaign_version_id, contact_id, correlation_key, state from runs
      where status = 'active' and next_wake_at <= ${ts(options.now)}
      order by next_wake_at, id limit ${options.limit}
      for update skip locked`),
  ).map(toRun);
}

/**
 * Active runs of these contacts sleeping in a wait that ends by `wakeBy`, with their plans:
 * where priority look-ahead finds the sends they will queue (not locked: a guess that changes
 * nothing if the run moves on meanwhile).
 */
export async function sleepingRunsOf(tx: Tx, contactIds: number[], wakeBy: Date): Promise<Array<RunRow & { wakeAt: Date; plan: unknown }>> {
  if (contactIds.length === 0) return [];
  const rows = rowsOf<RawRun & { next_wake_at: string | Date; plan: unknown }>(
    await tx.execute(sql`
      select r.id, r.campaign, r.campaign_version_id, r.contact_id, r.correlation_key, r.state, r.next_wake_at, v.plan
      from runs r join campaign_versions v on v.id = r.campaign_version_id
      where r.status = 'active' and r.contact_id = any(${idArray(contactIds)})
        and r.state->>'phase' = 'sleeping' and r.next_wake_at <= ${ts(wakeBy)}
      order by r.id`),
  );
  return rows.map((r) => ({ ...toRun(r), wakeAt: new Date(r.next_wake_at), plan: r.plan }));
}

/** Active runs of these contacts, locked (waiting for a worker stepping them to finish). */
export async function lockActiveRunsOf(tx: Tx, contactIds: number[]): Promise<RunRow[]> {
  if (contactIds.length === 0) return [];
  return rowsOf<RawRun>(
    await tx.execute(sql`
      select id, campaign, campaign_version_id, contact_id, correlation_key, state from runs
      where status = 'active' and contact_id = any(${idArray(contactIds)})
      order by id for update`),
  ).map(toRun);
}

/** For re-entry rules: per contact and campaign, when the last run started. */
export async function lastEntries(
  tx: Tx,
  contactIds: number[],
): Promise<Array<{ contactId: number; campaign: string; lastStartedAt: Date }>> {
  if (contactIds.length === 0) return [];
  const rows = rowsOf<{ contact_id: string | number; campaign: string; last: string | Date }>(
    await tx.execute(sql`
      select contact_id, campaign, max(started_at) as last from runs
      where contact_id = any(${idArray(contactIds)}) group by contact_id, campaign`),
  );
  return rows.map((r) => ({ contactId: Number(r.contact_id), campaign: r.campaign, lastStartedAt: new Date(r.last) }));
}

export interface NewRun {
  versionId: number;
  campaign: string;
  contactId: number;
  entryKey: string;
  correlationKey: string | null;
  state: unknown;
  status: RunStatus;
  nextWakeAt: Date | null;
  exitReason: string | null;
  startedAt: Date;
  endedAt: Date | null;
}

/**
 * Insert runs in one statement. A run whose (campaign, contact, entry key) exists already is
 * skipped: entering is idempotent, so a trigger processed twice starts one run. Returns the
 * ids of the inserted rows by input index (undefined where skipped).
 */
export async function insertRuns(tx: Tx, rows: NewRun[]): Promise<Array<number | undefined>> {
  if (rows.length === 0) return [];
  const values = sql.join(
    rows.map(
      (r, i) => sql`(${i}::int, ${r.versionId}::bigint, ${r.campaign}, ${r.contactId}::bigint, ${r.entryKey}, ${r.correlationKey},
        ${JSON.stringify(r.state)}::jsonb, ${r.status}, ${ts(r.nextWakeAt)}, ${r.exitReason}, ${ts(r.startedAt)},
        ${ts(r.endedAt)})`,
    ),
    sql`, `,
  );
  const inserted = rowsOf<{ id: string | number; i: number }>(
    await tx.execute(sql`
      with v(i, version_id, campaign, contact_id, entry_key, correlation_key, state, status, next_wake_at, exit_reason, started_at, ended_at)
        as (values ${values}),
      ins as (
        insert into runs (campaign_version_id, campaign, contact_id, entry_key, correlation_key, state, status, next_wake_at,
                          exit_reason, started_at, ended_at, updated_at)
        select version_id, campaign, contact_id, entry_key, correlation_key, state, status, next_wake_at, exit_reason, started_at, ended_at, started_at
        from v order by i
        on conflict (campaign, contact_id, entry_key) do nothing
        returning id, campaign, contact_id, entry_key)
      select ins.id, v.i from ins join v using (campaign, contact_id, entry_key)`),
  );
  const out: Array<number | undefined> = new Array(rows.length).fill(undefined);
  for (const r of inserted) out[r.i] = Number(r.id);
  await enterCampaigns(
    tx,
    inserted.map((r) => ({
      campaign: rows[r.i]!.campaign,
      contactId: rows[r.i]!.contactId,
      heldOut: rows[r.i]!.status === 'holdout',
      at: rows[r.i]!.startedAt,
    })),
  );
  return out;
}

export interface RunUpdate {
  id: number;
  state: unknown;
  status: RunStatus;
  nextWakeAt: Date | null;
  exitReason: string | null;
}

/** Write stepped runs back in one statement (`ended_at` is set when they leave `active`). */
export async function updateRuns(tx: Tx, rows: RunUpdate[], now: Date): Promise<void> {
  if (rows.length === 0) return;
  const values = sql.join(
    rows.map((r) => sql`(${r.id}::bigint, ${JSON.stringify(r.state)}::jsonb, ${r.status}, ${ts(r.nextWakeAt)}, ${r.exitReason})`),
    sql`, `,
  );
  await tx.execute(sql`
    update runs set state = v.state, status = v.status, next_wake_at = v.next_wake_at, exit_reason = v.exit_reason,
      ended_at = case when v.status = 'active' then null else ${ts(now)} end, updated_at = ${ts(now)}
    from (values ${values}) as v(id, state, status, next_wake_at, exit_reason) where runs.id = v.id`);
}
