import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from './db';
import { rebuildRunSendRollups } from './rollups';
import { idArray, rowsOf } from './sql-values';

/**
 * The report rollups beside `attribution_daily` (./attribution.ts): `engagement_daily` (see
 * ./schema/tracking.ts: what each metric counts), `sends.first_human_click_at` /
 * `first_human_open_at`, and `campaign_entries` (./schema/journeys.ts). Every write here runs in
 * the transaction that stores the rows it counts, so a report (./reports.ts) reads a few rows per
 * day instead of every click, open and run; the rebuilds recompute them from raw rows.
 */

const upsert = (metrics: SQL) => sql`
  insert into engagement_daily (campaign, day, metric, n)
  select campaign, day, metric, sum(n) from (${metrics}) m group by 1, 2, 3
  on conflict (campaign, day, metric) do update set n = engagement_daily.n + excluded.n`;

/** The two kinds of touch a send's rollup counts: the table, its time column, the send column it stamps first, the metrics. */
const TOUCHES = {
  click: {
    table: 'clicks',
    at: 'clicked_at',
    first: 'first_human_click_at',
    human: 'click_human',
    bot: 'click_bot',
    unique: 'click_unique',
  },
  open: { table: 'opens', at: 'opened_at', first: 'first_human_open_at', human: 'open_human', bot: 'open_machine', unique: 'open_unique' },
} as const;

/**
 * Count these just-stored clicks or opens (ONE statement): per day human and bot (machine)
 * touches of sends, the sends' first human touch (set once) and `click_unique` / `open_unique`
 * for the sends it was first for. Campaign links' clicks (no send) are not counted here.
 */
async function rollUpTouches(tx: Tx, kind: keyof typeof TOUCHES, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  const t = TOUCHES[kind];
  const [table, at, first] = [sql.identifier(t.table), sql.identifier(t.at), sql.identifier(t.first)];
  await tx.execute(sql`
    with k as (
      select k.send_id, k.${at} as at, k.is_bot, s.campaign from ${table} k join sends s on s.id = k.send_id
      where k.id = any(${idArray(ids)})
    ),
    firsts as (
      update sends s set ${first} = f.at
      from (select send_id, min(at) as at from k where not is_bot group by 1) f
      where s.id = f.send_id and s.${first} is null
      returning s.campaign, f.at
    )
    ${upsert(sql`
      select campaign, (at at time zone 'UTC')::date as day, case when is_bot then ${t.bot}::text else ${t.human}::text end as metric,
             count(*) as n from k group by 1, 2, 3
      union all
      select campaign, (at at time zone 'UTC')::date, ${t.unique}::text, count(*) from firsts group by 1, 2`)}`);
}

/** Count these just-stored clicks (rollUpTouches). */
export const rollUpClicks = (tx: Tx, clickIds: number[]) => rollUpTouches(tx, 'click', clickIds);
/** Count these just-stored opens (rollUpTouches). */
export const rollUpOpens = (tx: Tx, openIds: number[]) => rollUpTouches(tx, 'open', openIds);

/**
 * The `sent` metric of an update that makes sends `sent`: wrap it (`update … returning campaign,
 * sent_at`) and the rollup is bumped in the same statement. Returns how many rows it changed.
 */
export async function updateCountingSent(tx: Tx, update: SQL): Promise<number> {
  const [row] = rowsOf<{ n: unknown }>(
    await tx.execute(sql`
      with u as (${update}),
      up as (${upsert(sql`select campaign, (sent_at at time zone 'UTC')::date as day, 'sent' as metric, count(*) as n from u group by 1, 2`)})
      select count(*)::int as n from u`),
  );
  return Number(row?.n ?? 0);
}

/**
 * Rebuild `engagement_daily` and the sends' first human click/open of one campaign (or all) from
 * raw sends, clicks and opens: what `almanac attribution recompute` runs. Four statements.
 */
export async function rebuildEngagement(tx: Tx, campaign?: string): Promise<void> {
  const of = (col: string) => (campaign === undefined ? sql`true` : sql`${sql.raw(col)} = ${campaign}`);
  await tx.execute(sql`delete from engagement_daily where ${of('campaign')}`);
  await tx.execute(sql`
    update sends s set first_human_click_at = (select min(k.clicked_at) from clicks k where k.send_id = s.id and not k.is_bot),
                       first_human_open_at = (select min(o.opened_at) from opens o where o.send_id = s.id and not o.is_bot)
    where ${of('s.campaign')}`);
  await tx.execute(
    upsert(sql`
      select campaign, (sent_at at time zone 'UTC')::date as day, 'sent' as metric, count(*) as n
        from sends where status = 'sent' and sent_at is not null and ${of('campaign')} group by 1, 2
      union all
      select s.campaign, (k.clicked_at at time zone 'UTC')::date, case when k.is_bot then 'click_bot' else 'click_human' end, count(*)
        from clicks k join sends s on s.id = k.send_id where ${of('s.campaign')} group by 1, 2, 3
      union all
      select s.campaign, (o.opened_at at time zone 'UTC')::date, case when o.is_bot then 'open_machine' else 'open_human' end, count(*)
        from opens o join sends s on s.id = o.send_id where ${of('s.campaign')} group by 1, 2, 3
      union all
      select campaign, (first_human_click_at at time zone 'UTC')::date, 'click_unique', count(*)
        from sends where first_human_click_at is not null and ${of('campaign')} group by 1, 2
      union all
      select campaign, (first_human_open_at at time zone 'UTC')::date, 'open_unique', count(*)
        from sends where first_human_open_at is not null and ${of('campaign')} group by 1, 2`),
  );
}

/**
 * Make `campaign_entries` of these (campaign, contact) pairs equal to their runs again: after
 * runs start or are held out. TWO statements for the whole batch.
 */
export async function refreshCampaignEntries(tx: Tx, pairs: Array<{ campaign: string; contactId: number }>): Promise<void> {
  if (pairs.length === 0) return;
  const json = JSON.stringify(pairs.map((p) => ({ campaign: p.campaign, contact_id: p.contactId })));
  const v = sql`(select distinct campaign, contact_id from jsonb_to_recordset(${json}::jsonb) as x(campaign text, contact_id bigint))`;
  await tx.execute(sql`delete from campaign_entries e using ${v} p where e.campaign = p.campaign and e.contact_id = p.contact_id`);
  await tx.execute(sql`
    insert into campaign_entries (campaign, contact_id, held_out, entered_at)
    select r.campaign, r.contact_id, r.status = 'holdout', min(r.started_at)
    from runs r join ${v} p on r.campaign = p.campaign and r.contact_id = p.contact_id
    group by 1, 2, 3`);
}

/**
 * Count just-inserted runs into `campaign_entries` (ONE statement, in key order): each (campaign,
 * contact, arm) gets the run's start, or keeps an earlier one. Equal to refreshCampaignEntries for
 * new runs, without reading the campaign's other runs (a broadcast range of 50 000 new runs would
 * otherwise join every run of the campaign).
 */
export async function enterCampaigns(
  tx: Tx,
  entries: Array<{ campaign: string; contactId: number; heldOut: boolean; at: Date }>,
): Promise<void> {
  if (entries.length === 0) return;
  const json = JSON.stringify(
    entries.map((e) => ({ campaign: e.campaign, contact_id: e.contactId, held_out: e.heldOut, at: e.at.toISOString() })),
  );
  await tx.execute(sql`
    insert into campaign_entries (campaign, contact_id, held_out, entered_at)
    select campaign, contact_id, held_out, min(at)
    from jsonb_to_recordset(${json}::jsonb) as x(campaign text, contact_id bigint, held_out boolean, at timestamptz)
    group by 1, 2, 3 order by 1, 3, 2
    on conflict (campaign, held_out, contact_id) do update set entered_at = least(campaign_entries.entered_at, excluded.entered_at)`);
}

/** Rebuild `campaign_entries` of one campaign (or all) from runs. Two statements. */
export async function rebuildCampaignEntries(tx: Tx, campaign?: string): Promise<void> {
  const of = campaign === undefined ? sql`true` : sql`campaign = ${campaign}`;
  await tx.execute(sql`delete from campaign_entries where ${of}`);
  await tx.execute(sql`
    insert into campaign_entries (campaign, contact_id, held_out, entered_at)
    select campaign, contact_id, status = 'holdout', min(started_at) from runs where ${of} group by 1, 2, 3`);
}

/**
 * Rebuild every report rollup but attribution's and the holdout orders (which the attribution
 * phase recomputes from the orders `markForRecompute` marks): `engagement_daily`, first human
 * touches, `campaign_entries`, and the funnel, send and recipient rollups (./rollups.ts), of one
 * campaign or all. Run by `almanac attribution recompute` and `POST /v1/admin/attribution/recompute`
 * in their transaction.
 */
export async function rebuildReportRollups(tx: Tx, campaign?: string): Promise<void> {
  await rebuildEngagement(tx, campaign);
  await rebuildCampaignEntries(tx, campaign);
  await rebuildRunSendRollups(tx, campaign);
}
