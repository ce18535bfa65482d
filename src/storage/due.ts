import { sql } from 'drizzle-orm';
import type { Tx } from './db';
import { rowsOf, ts } from './sql-values';

/**
 * The earliest moment any work is pending: an unprocessed event's receipt, an active run's
 * wake, a queued or deferred send's or webhook call's `not_before`, a lifecycle stage due to change by time alone
 * (`customer_metrics.review_at`: customer analytics). `almanac simulate` jumps its virtual clock
 * straight there instead of ticking through empty minutes. Null when nothing is pending.
 */
export async function nextDueAt(tx: Tx): Promise<Date | null> {
  const [row] = rowsOf<{ next: string | Date | null }>(
    await tx.execute(sql`
      select least(
        (select min(received_at) from events where processed_at is null),
        (select min(next_wake_at) from runs where status = 'active'),
        (select min(not_before) from sends where status in ('queued', 'deferred')),
        (select min(not_before) from webhook_calls where status in ('queued', 'deferred')),
        (select min(review_at) from customer_metrics where review_at is not null)) as next`),
  );
  return row?.next ? new Date(row.next) : null;
}

/** Events that arrived before a simulation starts are history: they count, they trigger nothing. */
export async function markHistoryProcessed(tx: Tx, before: Date): Promise<void> {
  await tx.execute(sql`update events set processed_at = received_at where processed_at is null and received_at < ${ts(before)}`);
}
