import { type SQL, sql } from 'drizzle-orm';
import type { Tx } from './db';
import { idArray, rowsOf, ts } from './sql-values';

/**
 * The reads behind `forecast()` (src/forecast/forecast.ts), one SQL operation each. Read-only;
 * the forecast runs them in one repeatable-read transaction.
 */

/**
 * A broadcast's recipients as a boolean over contacts `c`: an address, and every one of
 * `conditions` (its audience and consent for its purpose, built by the caller with `toSql`).
 */
export function recipientsSql(conditions: SQL[]): SQL {
  return sql`(${sql.join([sql`c.email is not null`, ...conditions], sql` and `)})`;
}

/** Runs a campaign started in one hour of the (UTC) day over the rate window, for contacts of one zone. */
export interface EntryHour {
  /** 0–23, UTC */
  hour: number;
  /** the entrants' stored zone (null: none), so quiet hours hold future entrants as they held these */
  zone: string | null;
  count: number;
  /** mean seconds past the hour at which they started */
  meanSecond: number;
}

export const groupKey = (zone: string, bits: boolean[]) => `${zone}\u0000${bits.map((b) => (b ? '1' : '0')).join('')}`;
export const bitColumns = (membership: SQL[]) =>
  sql.join(
    membership.map((m, k) => sql`${m} as ${sql.raw(`b${k}`)}`),
    sql`, `,
  );
export const bitsOf = (row: Record<string, unknown>, n: number) => Array.from({ length: n }, (_, k) => row[`b${k}`] === true);

/**
 * Active runs waking before `horizon`, a page of `limit` after `afterId`. A run waiting for its
 * send (phase `sending`) wakes, as far as can be known now, when that send is due: a held send
 * shifts the rest of its journey.
 */
export async function readActiveRuns(tx: Tx, afterId: number, horizon: Date, limit: number) {
  const rows = rowsOf<{
    id: string | number;
    campaign_version_id: string | number;
    contact_id: string | number;
    state: unknown;
    next_wake_at: string | Date | null;
  }>(
    await tx.execute(sql`
      select r.id, r.campaign_version_id, r.contact_id, r.state, coalesce(r.next_wake_at, s.not_before) as next_wake_at
      from runs r
      left join sends s on r.state->>'phase' = 'sending' and s.run_id = r.id and s.step_key = r.state->>'at'
        and s.status in ('queued', 'deferred')
      where r.status = 'active' and r.id > ${afterId} and (r.next_wake_at is null or r.next_wake_at < ${ts(horizon)})
      order by r.id limit ${limit}`),
  );
  return rows.map((r) => ({
    id: Number(r.id),
    versionId: Number(r.campaign_version_id),
    contactId: Number(r.contact_id),
    state: r.state,
    wakeAt: r.next_wake_at === null ? null : new Date(r.next_wake_at),
  }));
}

/** Queued or deferred sends due before `horizon`, a page of `limit` after `afterId`. */
export async function readPendingSends(tx: Tx, afterId: number, horizon: Date, limit: number) {
  const rows = rowsOf<{
    id: string | number;
    campaign: string;
    campaign_version_id: string | number;
    contact_id: string | number;
    purpose: string;
    priority: number;
    not_before: string | Date;
    status: string;
  }>(
    await tx.execute(sql`
      select id, campaign, campaign_version_id, contact_id, purpose, priority, not_before, status from sends
      where status in ('queued', 'deferred') and not_before < ${ts(horizon)} and id > ${afterId}
      order by id limit ${limit}`),
  );
  return rows.map((r) => ({
    id: Number(r.id),
    campaign: r.campaign,
    versionId: Number(r.campaign_version_id),
    contactId: Number(r.contact_id),
    purpose: r.purpose,
    priority: Number(r.priority),
    notBefore: new Date(r.not_before),
    status: r.status,
  }));
}

/** Sends frequency caps count (as the dispatcher's `approvedSendsSince`), for every contact. */
/** Sends approved through caps in [since, now], per contact and purpose (what caps count). */
export async function readApprovedSince(tx: Tx, since: Date, now: Date) {
  const rows = rowsOf<{ contact_id: string | number; purpose: string; approved_at: string | Date }>(
    await tx.execute(sql`
      select contact_id, purpose, approved_at from sends
      where approved_at > ${ts(since)} and approved_at <= ${ts(now)} and status in ('sending', 'sent', 'unknown')`),
  );
  return rows.map((r) => ({ contactId: Number(r.contact_id), purpose: r.purpose, at: new Date(r.approved_at) }));
}

/** Live contacts per (zone as broadcasts-phase reads it, membership of each broadcast): one grouped count. */
/** Contacts per zone and combination of broadcast audiences they belong to, in one grouped count. */
export async function countAudienceGroups(tx: Tx, membership: SQL[], calendarZone: string): Promise<Map<string, number>> {
  const groupBy = sql.raw(Array.from({ length: membership.length + 1 }, (_, k) => String(k + 1)).join(', '));
  const rows = rowsOf<Record<string, unknown>>(
    await tx.execute(sql`
      select coalesce(c.timezone, ${calendarZone}) as zone, ${bitColumns(membership)}, count(*)::int as n
      from contacts c where c.erased_at is null group by ${groupBy}`),
  );
  return new Map(rows.map((r) => [groupKey(String(r.zone), bitsOf(r, membership.length)), Number(r.n)]));
}

/** These contacts' zones, draw keys and broadcast memberships (live contacts only). */
/** For these contacts: their zone and which broadcast audiences they belong to. */
export async function readMembership(tx: Tx, ids: number[], membership: SQL[], calendarZone: string) {
  const bits = membership.length ? sql`, ${bitColumns(membership)}` : sql``;
  const rows = rowsOf<Record<string, unknown>>(
    await tx.execute(sql`
      select c.id, c.timezone, c.external_id, c.email, coalesce(c.timezone, ${calendarZone}) as zone ${bits}
      from contacts c where c.id = any(${idArray(ids)}) and c.erased_at is null`),
  );
  return rows.map((r) => ({
    id: Number(r.id),
    timezone: (r.timezone as string | null) ?? null,
    externalId: (r.external_id as string | null) ?? null,
    email: (r.email as string | null) ?? null,
    zone: String(r.zone),
    bits: bitsOf(r, membership.length),
  }));
}

/** Runs started (held out or not) since `since` per campaign, UTC hour of the day and contact zone, with their mean second past the hour. */
/** Runs started in [since, now] per campaign, hour of day and entrant zone: recent entry rates. */
export async function readEntryHours(tx: Tx, since: Date, now: Date): Promise<Map<string, EntryHour[]>> {
  const rows = rowsOf<{ campaign: string; hour: number; zone: string | null; n: number; s: number }>(
    await tx.execute(sql`
      select r.campaign, extract(hour from r.started_at at time zone 'UTC')::int as hour, c.timezone as zone, count(*)::int as n,
        avg(mod(extract(epoch from r.started_at)::numeric, 3600))::float8 as s
      from runs r join contacts c on c.id = r.contact_id
      where r.started_at > ${ts(since)} and r.started_at <= ${ts(now)}
      group by 1, 2, 3`),
  );
  const out = new Map<string, EntryHour[]>();
  for (const r of rows) {
    const hour: EntryHour = { hour: Number(r.hour), zone: r.zone, count: Number(r.n), meanSecond: Number(r.s) };
    out.set(r.campaign, [...(out.get(r.campaign) ?? []), hour]);
  }
  return out;
}

/** When each campaign's first version was applied: a newer campaign's rate is over fewer days. */
/** When each campaign was first applied (the entry-rate window starts no earlier). */
export async function readFirstApplied(tx: Tx): Promise<Map<string, Date>> {
  const rows = rowsOf<{ campaign: string; first: string | Date }>(
    await tx.execute(sql`select campaign, min(created_at) as first from campaign_versions where kind = 'campaign' group by 1`),
  );
  return new Map(rows.map((r) => [r.campaign, new Date(r.first)]));
}

/**
 * Live contacts per stored zone (null: none; invalid zones are the caller's to judge) and, for
 * each of `audiences` (booleans over contacts `c`, as `recipientsSql` builds them), how many of
 * them it holds: `almanac plan --forecast`'s "contacts without a zone".
 */
export async function countAudiencesByZone(tx: Tx, audiences: SQL[]): Promise<Array<{ zone: string | null; counts: number[] }>> {
  if (audiences.length === 0) return [];
  const counts = sql.join(
    audiences.map((a, k) => sql`count(*) filter (where ${a})::int as ${sql.raw(`n${k}`)}`),
    sql`, `,
  );
  const rows = rowsOf<Record<string, unknown>>(
    await tx.execute(sql`select c.timezone as zone, ${counts} from contacts c where c.erased_at is null group by 1`),
  );
  return rows.map((r) => ({
    zone: (r.zone as string | null) ?? null,
    counts: audiences.map((_, k) => Number(r[`n${k}`] ?? 0)),
  }));
}
