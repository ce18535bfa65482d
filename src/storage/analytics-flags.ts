import { sql } from 'drizzle-orm';
import type { Tx } from './db';
import { rowsOf, ts } from './sql-values';

/**
 * Customer analytics' state between ticks and workers, in `runtime_flags`: the fitted model, the
 * full pass in progress (and the report currency it found), the views kept for a large base.
 * The pass's SQL is ./analytics.ts; this file is the flags and what reads them.
 */

/**
 * The runtime_flags rows of customer analytics: the fitted repeat-buying model, the full pass in
 * progress (or the last one done, with the report currency it found), and the views' snapshots
 * of the last full pass (src/reports/analytics.ts: a large base's retention and value views).
 */
export const ANALYTICS_FLAGS = {
  model: 'analytics.model',
  pass: 'analytics.pass',
  view: (kind: 'month' | 'quarter' | 'year' | 'value') => `analytics.views.${kind}`,
} as const;

/**
 * The report currency when SHOP_CURRENCY is unset: the one the last full pass found (a group by
 * over every order is seconds on millions: not per request or per tick), else computed now.
 */
export async function reportCurrency(tx: Tx): Promise<string | null> {
  const pass = await readFlag<{ currency?: string | null }>(tx, ANALYTICS_FLAGS.pass);
  return typeof pass?.currency === 'string' ? pass.currency : commonCurrency(tx);
}

/** Remove the views' snapshots (the base is small enough to compute them per request again). */
export async function dropViewSnapshots(tx: Tx): Promise<void> {
  await tx.execute(sql`delete from runtime_flags where name like 'analytics.views.%'`);
}

/** The most common order currency, the report currency when SHOP_CURRENCY is unset (null: no orders). */
export async function commonCurrency(tx: Tx): Promise<string | null> {
  const [row] = rowsOf<{ currency: string }>(
    await tx.execute(sql`select currency from orders group by currency order by count(*) desc, currency limit 1`),
  );
  return row?.currency ?? null;
}

/** A runtime flag's JSON value (the fitted prediction model, …), or undefined. */
export async function readFlag<T>(tx: Tx, name: string): Promise<T | undefined> {
  const [row] = rowsOf<{ value: T | string }>(await tx.execute(sql`select value from runtime_flags where name = ${name}`));
  if (!row) return undefined;
  return (typeof row.value === 'string' ? JSON.parse(row.value) : row.value) as T;
}

export async function writeFlag(tx: Tx, name: string, value: unknown, now: Date): Promise<void> {
  await tx.execute(sql`
    insert into runtime_flags (name, value, updated_at) values (${name}, ${JSON.stringify(value)}::jsonb, ${ts(now)})
    on conflict (name) do update set value = excluded.value, updated_at = excluded.updated_at`);
}
