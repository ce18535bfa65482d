import { type SQL, sql } from 'drizzle-orm';
import type { Tx } from './db';
import { enterCampaigns, refreshCampaignEntries } from './engagement';
import { idArray, rowsOf, ts } from './sql-values';

/** Each contact's effective zone: its own, else the calendar's. */
export async function distinctContactZones(tx: Tx, calendarZone: string): Promise<string[]> {
  const rows = rowsOf<{ zone: string }>(
    await tx.execute(sql`select distinct coalesce(timezone, ${calendarZone}) as zone from contacts where erased_at is null order by 1`),
  );
  return rows.map((r) => r.zone);
}

export async function contactIdBounds(tx: Tx): Promise<{ min: number; max: number } | null> {
  const [row] = rowsOf<{ min: string | number | null; max: string | number | null }>(
    await tx.execute(sql`select min(id) as min, max(id) as max from contacts`),
  );
  return row?.min == null || row.max == null ? null : { min: Number(row.min), max: Number(row.max) };
}

export interface FanOut {
  versionId: number;
  campaign: string;
  /** The campaign's audience as a boolean over contacts `c` (`toSql` from ./conditions/sql), or none. */
  audience: SQL | undefined;
  /**
   * Only contacts whose stored zone (or the calendar zone when they have none) is one of these
   * raw values, for `timezone: contact`; undefined: everyone.
   */
  zones?: { raw: string[]; calendarZone: string };
  entryKey: string;
  state: unknown;
  wakeAt: Date;
  now: Date;
  /** Contact ids in (fromId, toId]. */
  fromId: number;
  toId: number;
}

/**
 * Start a broadcast occurrence for a range of contacts in ONE statement: every live contact in
 * the range (and zone) whose audience holds and who has no active run of the campaign gets a
 * ready run waking at the occurrence. The (campaign, contact, entry key) unique index makes a
 * repeated pass start nothing. Returns the new runs with their contacts' draw keys (for the holdout).
 */
export async function fanOutRuns(
  tx: Tx,
  f: FanOut,
): Promise<Array<{ runId: number; contactId: number; externalId: string | null; email: string | null }>> {
  const zoneFilter = f.zones
    ? sql`and coalesce(c.timezone, ${f.zones.calendarZone}) = any(${`{${f.zones.raw.map((z) => `"${z.replaceAll('"', '')}"`).join(',')}}`}::text[])`
    : sql``;
  const audience = f.audience ? sql`and ${f.audience}` : sql``;
  const rows = rowsOf<{ id: string | number; contact_id: string | number; external_id: string | null; email: string | null }>(
    await tx.execute(sql`
      with ins as (
      insert into runs (campaign_version_id, campaign, contact_id, entry_key, correlation_key, state, status, next_wake_at, started_at, updated_at)
      select ${f.versionId}::bigint, ${f.campaign}, c.id, ${f.entryKey}, null, ${JSON.stringify(f.state)}::jsonb, 'active', ${ts(f.wakeAt)}, ${ts(f.now)}, ${ts(f.now)}
      from contacts c
      where c.id > ${f.fromId}::bigint and c.id <= ${f.toId}::bigint and c.erased_at is null ${zoneFilter} ${audience}
        and not exists (select 1 from runs r where r.campaign = ${f.campaign} and r.contact_id = c.id and r.status = 'active')
      on conflict (campaign, contact_id, entry_key) do nothing
      returning id, contact_id)
      select ins.id, ins.contact_id, c.external_id, c.email from ins join contacts c on c.id = ins.contact_id`),
  );
  await enterCampaigns(
    tx,
    rows.map((r) => ({ campaign: f.campaign, contactId: Number(r.contact_id), heldOut: false, at: f.now })),
  );
  return rows.map((r) => ({ runId: Number(r.id), contactId: Number(r.contact_id), externalId: r.external_id, email: r.email }));
}

/** Record held-out runs: no steps, no mail, kept for lift. */
export async function markHoldout(tx: Tx, runIds: number[], now: Date): Promise<void> {
  if (runIds.length === 0) return;
  const moved = rowsOf<{ campaign: string; contact_id: string | number }>(
    await tx.execute(sql`
    update runs set status = 'holdout', exit_reason = 'holdout', next_wake_at = null, ended_at = ${ts(now)}, updated_at = ${ts(now)}
    where id = any(${idArray(runIds)}) returning campaign, contact_id`),
  );
  // The contact moves to the held-out arm of campaign_entries (./engagement.ts).
  await refreshCampaignEntries(
    tx,
    moved.map((r) => ({ campaign: r.campaign, contactId: Number(r.contact_id) })),
  );
}

/** The broadcast watermark of a campaign: occurrences up to it have been fanned out. */
export async function readWatermark(tx: Tx, campaign: string): Promise<Date | null> {
  const [row] = rowsOf<{ through: string | null }>(
    await tx.execute(sql`select value->>'through' as through from runtime_flags where name = ${`broadcast:${campaign}`}`),
  );
  return row?.through ? new Date(row.through) : null;
}

export async function writeWatermark(tx: Tx, campaign: string, through: Date): Promise<void> {
  const value = JSON.stringify({ through: through.toISOString() });
  await tx.execute(sql`
    insert into runtime_flags (name, value, updated_at) values (${`broadcast:${campaign}`}, ${value}::jsonb, ${ts(through)})
    on conflict (name) do update set value = excluded.value, updated_at = excluded.updated_at
    where (runtime_flags.value->>'through')::timestamptz < (excluded.value->>'through')::timestamptz`);
}

/** When the version was applied (the first moment its broadcasts can be due). */
export async function versionCreatedAt(tx: Tx, versionId: number): Promise<Date> {
  const [row] = rowsOf<{ created_at: string | Date }>(
    await tx.execute(sql`select created_at from campaign_versions where id = ${versionId}`),
  );
  return new Date(row!.created_at);
}
