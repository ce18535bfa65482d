import { eq, inArray } from 'drizzle-orm';
import type { Tx } from './db';
import { runtimeFlags } from './schema/index';

/**
 * Dispatch pauses, kept in `runtime_flags` so every process sees them through the database:
 *
 * - `dispatch.paused`: raised when a transport reports the account cannot send (SES
 *   `AccountSendingPaused`). While it exists no dispatcher claims anything.
 * - `dispatch.marketing_paused`: raised by the complaint-rate guard (src/scheduler/complaint-guard.ts)
 *   when the rolling complaint rate is past COMPLAINT_RATE_MAX. While it exists dispatchers claim
 *   only transactional sends (receipts, opt-in confirmations); marketing sends stay queued,
 *   untouched, no attempt counted.
 *
 * Neither clears itself: an operator clears them (`resumeDispatch`, `almanac resume`) once the
 * account is healthy or the list is cleaned.
 */
export const DISPATCH_PAUSED = 'dispatch.paused';
export const MARKETING_PAUSED = 'dispatch.marketing_paused';
/**
 * `{ at }`: when an operator last cleared a complaint pause. The complaint rate's window starts
 * no earlier than this (src/storage/complaint-rate.ts), so the complaints that tripped the guard
 * cannot trip it again right after the resume: the guard needs COMPLAINT_RATE_MIN_SENT fresh
 * marketing sends and a fresh rate past the line.
 */
export const COMPLAINT_WINDOW_RESET = 'complaint_rate.resumed_at';

export interface DispatchPause {
  reason: string;
  transport: string;
  since: string;
}

/** The complaint-rate guard's pause: what it measured when it tripped. */
export interface MarketingPause {
  cause: 'complaint_rate';
  /** e.g. `complaint rate 0.41% (5 of 1210 marketing sends in 7 days) is over 0.30%`. */
  reason: string;
  /** The sending identity measured: the From address's domain. */
  identity: string;
  complaints: number;
  sent: number;
  rate: number;
  maxRate: number;
  windowStart: string;
  since: string;
}

export async function readDispatchPause(tx: Tx): Promise<DispatchPause | undefined> {
  const [row] = await tx.select({ value: runtimeFlags.value }).from(runtimeFlags).where(eq(runtimeFlags.name, DISPATCH_PAUSED));
  return row ? (row.value as DispatchPause) : undefined;
}

/** Both pauses in one statement (the dispatcher reads this once per tick). */
export async function readDispatchPauses(tx: Tx): Promise<{ account?: DispatchPause; marketing?: MarketingPause }> {
  const rows = await tx
    .select({ name: runtimeFlags.name, value: runtimeFlags.value })
    .from(runtimeFlags)
    .where(inArray(runtimeFlags.name, [DISPATCH_PAUSED, MARKETING_PAUSED]));
  const value = (name: string) => rows.find((r) => r.name === name)?.value;
  const account = value(DISPATCH_PAUSED) as DispatchPause | undefined;
  const marketing = value(MARKETING_PAUSED) as MarketingPause | undefined;
  return { ...(account ? { account } : {}), ...(marketing ? { marketing } : {}) };
}

/** Raise the pause; a pause already raised keeps its first reason and time. */
export async function raiseDispatchPause(tx: Tx, pause: DispatchPause, now: Date): Promise<void> {
  await tx.insert(runtimeFlags).values({ name: DISPATCH_PAUSED, value: pause, updatedAt: now }).onConflictDoNothing();
}

export async function clearDispatchPause(tx: Tx): Promise<void> {
  await tx.delete(runtimeFlags).where(eq(runtimeFlags.name, DISPATCH_PAUSED));
}

/**
 * Raise the marketing pause; one already raised keeps its first reason and time. True when this
 * call raised it (so exactly one process logs it).
 */
export async function raiseMarketingPause(tx: Tx, pause: MarketingPause, now: Date): Promise<boolean> {
  const rows = await tx
    .insert(runtimeFlags)
    .values({ name: MARKETING_PAUSED, value: pause, updatedAt: now })
    .onConflictDoNothing()
    .returning({ name: runtimeFlags.name });
  return rows.length === 1;
}

/** One pause as `dispatchStatus` and `resumeDispatch` report it. */
export interface PauseStatus {
  /** `account`: the transport's account pause (`dispatch.paused`); `complaint_rate`: the guard's. */
  kind: 'account' | 'complaint_rate';
  /** What it holds back: `all` sends, or `marketing` only (transactional mail keeps going). */
  holds: 'all' | 'marketing';
  reason: string;
  since: string;
  /** The flag's full value (transport, identity, counts, …). */
  detail: DispatchPause | MarketingPause;
}

const statusOf = (p: { account?: DispatchPause; marketing?: MarketingPause }): PauseStatus[] => [
  ...(p.account
    ? [{ kind: 'account' as const, holds: 'all' as const, reason: p.account.reason, since: p.account.since, detail: p.account }]
    : []),
  ...(p.marketing
    ? [
        {
          kind: 'complaint_rate' as const,
          holds: 'marketing' as const,
          reason: p.marketing.reason,
          since: p.marketing.since,
          detail: p.marketing,
        },
      ]
    : []),
];

export interface DispatchStatus {
  /** Every pause now raised; empty → dispatch runs. */
  pauses: PauseStatus[];
  /** When a complaint pause was last cleared (the complaint window starts no earlier), if ever. */
  complaintWindowResetAt?: string;
}

/**
 * What is paused and why, for `almanac status`. One statement. The current complaint rate is
 * `complaintRateNow` in src/scheduler/complaint-guard.ts (it needs the guard's config).
 */
export async function dispatchStatus(tx: Tx): Promise<DispatchStatus> {
  const rows = await tx
    .select({ name: runtimeFlags.name, value: runtimeFlags.value })
    .from(runtimeFlags)
    .where(inArray(runtimeFlags.name, [DISPATCH_PAUSED, MARKETING_PAUSED, COMPLAINT_WINDOW_RESET]));
  const value = (name: string) => rows.find((r) => r.name === name)?.value;
  const account = value(DISPATCH_PAUSED) as DispatchPause | undefined;
  const marketing = value(MARKETING_PAUSED) as MarketingPause | undefined;
  const reset = value(COMPLAINT_WINDOW_RESET) as { at: string } | undefined;
  return {
    pauses: statusOf({ ...(account ? { account } : {}), ...(marketing ? { marketing } : {}) }),
    ...(reset ? { complaintWindowResetAt: reset.at } : {}),
  };
}

/**
 * Clear every pause (the account pause and the complaint pause) in one transaction and return
 * what was cleared (empty: nothing was paused). Clearing a complaint pause also records `now` as
 * `complaint_rate.resumed_at`: the complaint window restarts there, so the same complaints do not
 * pause marketing again at the next tick. Only then: a resume with no complaint pause raised
 * leaves the window (and the complaints in it) alone.
 */
export async function resumeDispatch(db: Tx, now: Date): Promise<PauseStatus[]> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .delete(runtimeFlags)
      .where(inArray(runtimeFlags.name, [DISPATCH_PAUSED, MARKETING_PAUSED]))
      .returning({ name: runtimeFlags.name, value: runtimeFlags.value });
    const account = rows.find((r) => r.name === DISPATCH_PAUSED)?.value as DispatchPause | undefined;
    const marketing = rows.find((r) => r.name === MARKETING_PAUSED)?.value as MarketingPause | undefined;
    if (marketing) {
      const value = { at: now.toISOString() };
      await tx
        .insert(runtimeFlags)
        .values({ name: COMPLAINT_WINDOW_RESET, value, updatedAt: now })
        .onConflictDoUpdate({ target: runtimeFlags.name, set: { value, updatedAt: now } });
    }
    return statusOf({ ...(account ? { account } : {}), ...(marketing ? { marketing } : {}) });
  });
}
