import { sql } from 'drizzle-orm';
import type { Tx } from './db';
import { rowsOf } from './sql-values';

/**
 * The run and send rollups of reports (./schema/rollups.ts): the triggers of migration 0014
 * append signed deltas to `funnel_deltas` / `send_deltas` in the statement that changes runs or
 * sends; `foldRollupDeltas` (the tick's `rollups` phase) moves them into `funnel_daily` /
 * `send_daily`. Readers sum both (./reports.ts), so a report is exact between folds too.
 */

/**
 * Fold every committed delta into the daily rows: TWO statements, each a delete of the deltas it
 * sees and one upsert of their sums (in key order, so two folders never deadlock; a delta a
 * concurrent folder already took is gone when this one reaches it, never counted twice). Deltas
 * of transactions still open stay for the next fold. Returns how many delta rows it folded.
 */
export async function foldRollupDeltas(tx: Tx): Promise<number> {
  const funnel = await tx.execute(sql`
    with d as (delete from funnel_deltas returning *),
    up as (
      insert into funnel_daily (campaign, day, step, status, phase, reason, n)
      select campaign, day, step, status, phase, reason, sum(n) from d group by 1, 2, 3, 4, 5, 6 order by 1, 2, 3, 4, 5, 6
      on conflict (campaign, day, step, status, phase, reason) do update set n = funnel_daily.n + excluded.n
    )
    select count(*)::int as n from d`);
  const sends = await tx.execute(sql`
    with d as (delete from send_deltas returning *),
    up as (
      insert into send_daily (campaign, day, step, template, status, reason, n, first_at)
      select campaign, day, step, template, status, reason, sum(n), min(first_at) from d group by 1, 2, 3, 4, 5, 6 order by 1, 2, 3, 4, 5, 6
      on conflict (campaign, day, step, template, status, reason) do update
        set n = send_daily.n + excluded.n, first_at = least(send_daily.first_at, excluded.first_at)
    )
    select count(*)::int as n from d`);
  const count = (r: unknown) => Number(rowsOf<{ n: number }>(r)[0]?.n ?? 0);
  return count(funnel) + count(sends);
}

/**
 * Rebuild the funnel, send and recipient rollups of one campaign (or all) from `runs` and
 * `sends`: what `almanac attribution recompute` runs. Deltas of the campaign are dropped with the
 * daily rows (the rebuild counts the rows they were counting). The delta tables are locked first
 * (EXCLUSIVE: writers of runs and sends wait at their trigger until this commits), so a change
 * committed mid-rebuild is never counted both by the rebuild and by its own delta.
 */
export async function rebuildRunSendRollups(tx: Tx, campaign?: string): Promise<void> {
  const of = campaign === undefined ? sql`true` : sql`campaign = ${campaign}`;
  await tx.execute(sql`lock table funnel_deltas, send_deltas in exclusive mode`);
  for (const table of ['funnel_daily', 'funnel_deltas', 'send_daily', 'send_deltas', 'campaign_recipients'])
    await tx.execute(sql`delete from ${sql.identifier(table)} where ${of}`);
  await tx.execute(sql`
    insert into funnel_daily (campaign, day, step, status, phase, reason, n)
    select campaign, (started_at at time zone 'UTC')::date, coalesce(state->>'at', '(end)'), status,
           coalesce(state->>'phase', ''), coalesce(exit_reason, ''), count(*)
    from runs where ${of} group by 1, 2, 3, 4, 5, 6`);
  await tx.execute(sql`
    insert into send_daily (campaign, day, step, template, status, reason, n, first_at)
    select campaign, (created_at at time zone 'UTC')::date, step_key, template, status, coalesce(reason, ''), count(*), min(created_at)
    from sends where ${of} group by 1, 2, 3, 4, 5, 6`);
  await tx.execute(sql`
    insert into campaign_recipients (contact_id, campaign, first_sent_at)
    select contact_id, campaign, min(created_at) from sends where status = 'sent' and ${of} group by 1, 2`);
}
