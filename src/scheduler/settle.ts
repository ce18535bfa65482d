import type { Database } from '../storage/db';
import {
  deferSends,
  insertSendAttempts,
  markSent,
  markUnknown,
  type NewSendAttempt,
  releaseSends,
  requeueSends,
  settleSends,
} from '../storage/sends';
import { type DispatchPause, raiseDispatchPause } from '../storage/dispatch-pause';

/** Everything one dispatch batch decided, gathered in memory and written at the end. */
export interface BatchOutcomes {
  sent: Array<{ id: number; providerMessageId: string }>;
  failed: Array<{ id: number; reason: string; error?: string }>;
  suppressed: Array<{ id: number; reason: string }>;
  deferred: Array<{ id: number; until: Date; reason: string }>;
  retry: Array<{ id: number; notBefore: Date; error: string }>;
  /** The transport said the account is paused: back to queued as they were. */
  paused: Array<{ id: number; error: string }>;
  /** The provider may have sent these (no answer): `unknown`, never retried. */
  unknown: Array<{ id: number; error: string }>;
  /** Claimed but never attempted (a pause stopped the batch). */
  released: number[];
  attempts: NewSendAttempt[];
  pause?: DispatchPause;
}

export const emptyOutcomes = (): BatchOutcomes => ({
  sent: [],
  failed: [],
  suppressed: [],
  deferred: [],
  retry: [],
  paused: [],
  unknown: [],
  released: [],
  attempts: [],
});

/** Write a batch's outcomes: one statement per kind, all in one transaction. */
export async function settleBatch(database: Database, o: BatchOutcomes, now: Date): Promise<void> {
  await database.db.transaction(async (tx) => {
    await markSent(tx, o.sent, now);
    await settleSends(tx, 'failed', o.failed, now);
    await settleSends(tx, 'suppressed', o.suppressed, now);
    await markUnknown(tx, o.unknown);
    await deferSends(tx, o.deferred);
    await requeueSends(tx, [...o.retry, ...o.paused]);
    await releaseSends(tx, o.released);
    await insertSendAttempts(tx, o.attempts);
    if (o.pause) await raiseDispatchPause(tx, o.pause, now);
  });
}
