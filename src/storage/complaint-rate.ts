import { sql } from 'drizzle-orm';
import type { Tx } from './db';
import { COMPLAINT_WINDOW_RESET } from './dispatch-pause';
import { rowsOf, ts } from './sql-values';

/** The two counts of the complaint-rate guard (src/scheduler/complaint-guard.ts) and the window they cover. */
export interface ComplaintCounts {
  /** Where the window starts: `now - window`, or the last resume of a complaint pause if that is later. */
  windowStart: Date;
  /** `email.complained` events that occurred in (windowStart, now]. */
  complaints: number;
  /** Sends of any purpose but `excludePurpose` (transactional mail) with `sent_at` in (windowStart, now]. */
  sent: number;
}

/**
 * The complaint rate's numerator and denominator in ONE statement. The window is
 * `(max(now - windowMs, the resume recorded by resumeDispatch), now]`: complaints that were
 * counted into a pause an operator cleared are not counted again (./dispatch-pause.ts).
 *
 * - complaints: every `email.complained` event by its `occurred_at` (SES's complaint time),
 *   whatever mail it was about — a complaint about a receipt harms the domain as much.
 * - sent: marketing sends (every purpose but `excludePurpose`) by `sent_at`; a send settled
 *   `unknown` has no `sent_at` and is not counted.
 *
 * Cost: both counts are range conditions no existing index leads with (`sends_contact_sent_idx`
 * and `events_contact_type_occurred_idx` both start with `contact_id`), so on a large database
 * each is a scan. `sends (sent_at) where sent_at is not null` and
 * `events (occurred_at) where type = 'email.complained'` would make them index range counts.
 */
export async function countComplaintRate(tx: Tx, o: { now: Date; windowMs: number; excludePurpose: string }): Promise<ComplaintCounts> {
  const [row] = rowsOf<{ window_start: string; complaints: string | number; sent: string | number }>(
    await tx.execute(sql`
      with w as (
        select greatest(${ts(new Date(o.now.getTime() - o.windowMs))},
          coalesce((select (value->>'at')::timestamptz from runtime_flags where name = ${COMPLAINT_WINDOW_RESET}), '-infinity'::timestamptz)) as start
      )
      select to_json(w.start) #>> '{}' as window_start,
        (select count(*) from events e
          where e.type = 'email.complained' and e.occurred_at > w.start and e.occurred_at <= ${ts(o.now)}) as complaints,
        (select count(*) from sends s
          where s.sent_at > w.start and s.sent_at <= ${ts(o.now)} and s.purpose <> ${o.excludePurpose}) as sent
      from w`),
  );
  return { windowStart: new Date(row!.window_start), complaints: Number(row!.complaints), sent: Number(row!.sent) };
}
