import { eq } from 'drizzle-orm';
import type { Tx } from './db';
import { runtimeFlags } from './schema/index';

/**
 * `dispatch.paused`: raised when a transport reports the account cannot send (SES
 * `AccountSendingPaused`). Shared by every process through the database; while it exists no
 * dispatcher claims anything. An operator clears it (`clearDispatchPause`) once the account is
 * healthy again.
 */
export const DISPATCH_PAUSED = 'dispatch.paused';

export interface DispatchPause {
  reason: string;
  transport: string;
  since: string;
}

export async function readDispatchPause(tx: Tx): Promise<DispatchPause | undefined> {
  const [row] = await tx.select({ value: runtimeFlags.value }).from(runtimeFlags).where(eq(runtimeFlags.name, DISPATCH_PAUSED));
  return row ? (row.value as DispatchPause) : undefined;
}

/** Raise the pause; a pause already raised keeps its first reason and time. */
export async function raiseDispatchPause(tx: Tx, pause: DispatchPause, now: Date): Promise<void> {
  await tx.insert(runtimeFlags).values({ name: DISPATCH_PAUSED, value: pause, updatedAt: now }).onConflictDoNothing();
}

export async function clearDispatchPause(tx: Tx): Promise<void> {
  await tx.delete(runtimeFlags).where(eq(runtimeFlags.name, DISPATCH_PAUSED));
}
