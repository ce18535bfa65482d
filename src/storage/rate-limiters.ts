import { sql } from 'drizzle-orm';
import type { Tx } from './db';
import { rowsOf, ts } from './sql-values';

export interface TakeTokens {
  /** The bucket, e.g. `ses:eu-west-1` (one per provider account and region). */
  name: string;
  n: number;
  ratePerSecond: number;
  /** Most tokens the bucket holds (the burst). */
  capacity: number;
  /** The caller's clock: simulated time works, and no process trusts another's `now()`. */
  now: Date;
  /**
   * How far below zero the balance may go: tokens booked ahead of time. A take that would push
   * it lower takes nothing (it could not be ready soon enough) and returns `undefined`.
   */
  maxDebt: number;
}

/**
 * Take `n` tokens from a token bucket shared by every process, in one atomic statement: the row
 * lock of the upsert serialises concurrent takers, so two dispatchers can never both spend the
 * same token. The bucket refills by `elapsed × rate` up to `capacity`, then `n` is subtracted;
 * the balance may go negative (a booking), and the returned balance says when the tokens are
 * ready: now when ≥ 0, else after `-balance / rate` seconds. A first take creates the bucket full.
 * `updated_at` never moves backwards, so a process whose clock lags refills nothing.
 */
export async function takeTokens(tx: Tx, o: TakeTokens): Promise<number | undefined> {
  const now = ts(o.now);
  const rate = sql`${o.ratePerSecond}::float8`;
  const capacity = sql`${o.capacity}::float8`;
  const n = sql`${o.n}::float8`;
  const refilled = sql`least(${capacity}, b.tokens + greatest(0, extract(epoch from (${now} - b.updated_at))::float8) * ${rate})`;
  const rows = rowsOf<{ tokens: number | string }>(
    await tx.execute(sql`
      insert into rate_limiters as b (name, tokens, updated_at)
      values (${o.name}, ${capacity} - ${n}, ${now})
      on conflict (name) do update
        set tokens = ${refilled} - ${n}, updated_at = greatest(b.updated_at, ${now})
        where ${refilled} - ${n} >= -${o.maxDebt}::float8
      returning tokens`),
  );
  const row = rows[0];
  return row === undefined ? undefined : Number(row.tokens);
}
