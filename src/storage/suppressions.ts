import { sql } from 'drizzle-orm';
import type { Tx } from './db';
import { type SuppressionScope, suppressions, transientBounces } from './schema/index';
import { rowsOf, ts } from './sql-values';

export interface SuppressionInsert {
  addressHash: string;
  reason: string;
  /** Who decided: `ses` for provider feedback. */
  source: string;
  scope: SuppressionScope;
}

/**
 * On a conflict an address only ever widens: a `marketing` suppression (a complaint) becomes
 * `all` when the address later bounces hard; an `all` one is never narrowed or re-worded.
 */
const widen = {
  target: suppressions.addressHash,
  set: { scope: sql`excluded.scope`, reason: sql`excluded.reason`, source: sql`excluded.source` },
  setWhere: sql`${suppressions.scope} = 'marketing' and excluded.scope = 'all'`,
};

/** Suppress addresses in ONE statement (already suppressed: kept, or widened to `all`). */
export async function suppressAddresses(tx: Tx, rows: SuppressionInsert[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.insert(suppressions).values(rows).onConflictDoUpdate(widen);
}

export interface TransientBounce {
  addressHash: string;
  notificationId: string;
  bouncedAt: Date;
}

/** Count soft bounces, one row per (notification, address): the same notification twice counts once. */
export async function recordTransientBounces(tx: Tx, rows: TransientBounce[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.insert(transientBounces).values(rows).onConflictDoNothing();
}

/**
 * Suppress (scope `all`) each of these addresses that has at least `limit` soft bounces since
 * `since`, in ONE statement; returns the hashes it suppressed or widened.
 */
export async function suppressRepeatedTransientBounces(
  tx: Tx,
  o: { addressHashes: string[]; since: Date; limit: number; reason: string; source: string },
): Promise<string[]> {
  if (o.addressHashes.length === 0) return [];
  // Hashes are hex, so the text[] literal needs no quoting.
  const rows = rowsOf<{ address_hash: string }>(
    await tx.execute(sql`
      insert into suppressions (address_hash, reason, source, scope)
      select address_hash, ${o.reason}::text, ${o.source}::text, 'all' from transient_bounces
      where address_hash = any(${`{${o.addressHashes.join(',')}}`}::text[]) and bounced_at >= ${ts(o.since)}
      group by address_hash having count(*) >= ${o.limit}::int
      on conflict (address_hash) do update set scope = excluded.scope, reason = excluded.reason, source = excluded.source
        where suppressions.scope = 'marketing'
      returning address_hash`),
  );
  return rows.map((r) => r.address_hash);
}
