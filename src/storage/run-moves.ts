import { sql } from 'drizzle-orm';
import type { Tx } from './db';
import { rowsOf, ts } from './sql-values';

/** Active runs of `campaign` on versions other than `versionId`, a page at a time by id. */
export async function activeRunsOffVersion(
  tx: Tx,
  campaign: string,
  versionId: number,
  page: { afterId: number; limit: number },
): Promise<Array<{ id: number; versionId: number; state: unknown }>> {
  const rows = rowsOf<{ id: string | number; campaign_version_id: string | number; state: unknown }>(
    await tx.execute(sql`
      select id, campaign_version_id, state from runs
      where campaign = ${campaign} and status = 'active' and campaign_version_id <> ${versionId} and id > ${page.afterId}
      order by id limit ${page.limit} for update`),
  );
  return rows.map((r) => ({ id: Number(r.id), versionId: Number(r.campaign_version_id), state: r.state }));
}

/** Move runs onto `versionId` with their new states, in one statement. */
export async function moveRuns(tx: Tx, versionId: number, moves: Array<{ id: number; state: unknown }>, now: Date): Promise<void> {
  if (moves.length === 0) return;
  const values = sql.join(
    moves.map((m) => sql`(${m.id}::bigint, ${JSON.stringify(m.state)}::jsonb)`),
    sql`, `,
  );
  await tx.execute(sql`
    update runs set campaign_version_id = ${versionId}, state = v.state, updated_at = ${ts(now)}
    from (values ${values}) as v(id, state) where runs.id = v.id`);
}

/** End runs with a recorded reason, in one statement. */
export async function exitRuns(tx: Tx, exits: Array<{ id: number; reason: string }>, now: Date): Promise<void> {
  if (exits.length === 0) return;
  const values = sql.join(
    exits.map((e) => sql`(${e.id}::bigint, ${e.reason})`),
    sql`, `,
  );
  await tx.execute(sql`
    update runs set status = 'exited', exit_reason = v.reason, ended_at = ${ts(now)}, next_wake_at = null,
      state = jsonb_set(jsonb_set(state, '{phase}', '"done"'), '{at}', 'null'), updated_at = ${ts(now)}
    from (values ${values}) as v(id, reason) where runs.id = v.id`);
}
