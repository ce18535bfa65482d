import type { Database } from '../storage/db';
import { type DispatchPause, raiseDispatchPause } from '../storage/dispatch-pause';
import {
  type Claim,
  deferSends,
  insertSendAttempts,
  markSent,
  markUnknown,
  type NewSendAttempt,
  releaseSends,
  requeueSends,
  settleSends,
  wakeRunsAwaitingSends,
} from '../storage/send-outcomes';

/** Everything one dispatch batch decided, gathered in memory and written at the end. */
export interface BatchOutcomes {
  sent: Array<{ id: number; providerMessageId: string }>;
  failed: Array<{ id: number; reason: string; error?: string }>;
  suppressed: Array<{ id: number; reason: string }>;
  /** The run ended (an exit committed) before the send was handed over. */
  cancelled: Array<{ id: number; reason: string }>;
  deferred: Array<{ id: number; until: Date; reason: string }>;
  retry: Array<{ id: number; notBefore: Date; error: string }>;
  /** The transport said the account is paused: back to queued as they were. */
  paused: Array<{ id: number; error: string }>;
  /** The provider may have sent these (no answer): `unknown`, never retried. */
  unknown: Array<{ id: number; error: string }>;
  /** Claimed but never attempted (a pause or the rate limit stopped the batch). */
  released: number[];
  attempts: NewSendAttempt[];
  pause?: DispatchPause;
}

export const emptyOutcomes = (): BatchOutcomes => ({
  sent: [],
  failed: [],
  suppressed: [],
  cancelled: [],
  deferred: [],
  retry: [],
  paused: [],
  unknown: [],
  released: [],
  attempts: [],
});

/**
 * Write a batch's outcomes: one statement per kind, all in one transaction, each row only while
 * this batch's claim (`leases`: send id → its `lease_until`) still holds it. Runs waiting for a
 * send that is now settled (sent, failed, suppressed, unknown) continue from `now`.
 */
export async function settleBatch(database: Database, o: BatchOutcomes, leases: ReadonlyMap<number, Date>, now: Date): Promise<void> {
  const claim = <T extends { id: number }>(rows: T[]): Array<T & Claim> => rows.map((r) => ({ ...r, lease: leases.get(r.id)! }));
  await database.db.transaction(async (tx) => {
    await markSent(tx, claim(o.sent), now);
    await settleSends(tx, 'failed', claim(o.failed), now);
    await settleSends(tx, 'suppressed', claim(o.suppressed), now);
    await settleSends(tx, 'cancelled', claim(o.cancelled), now);
    await markUnknown(tx, claim(o.unknown), now);
    await deferSends(tx, claim(o.deferred));
    await requeueSends(tx, claim([...o.retry, ...o.paused]));
    await releaseSends(tx, claim(o.released.map((id) => ({ id }))));
    await insertSendAttempts(tx, o.attempts);
    await wakeRunsAwaitingSends(
      tx,
      [...o.sent, ...o.failed, ...o.suppressed, ...o.unknown].map((r) => r.id),
      now,
    );
    if (o.pause) await raiseDispatchPause(tx, o.pause, now);
  });
}
