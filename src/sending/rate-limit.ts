import type { Database } from '../storage/db';
import { takeTokens } from '../storage/rate-limiters';

/**
 * A send-rate limit shared by every dispatcher of every process: the bucket lives in PostgreSQL
 * (`rate_limiters`, one atomic statement per take, src/storage/rate-limiters.ts), so two workers
 * together stay under the provider's maximum send rate instead of each spending all of it.
 *
 * A take books its tokens at once and then sleeps until they are ready; bookings are strictly
 * ordered by the row lock, so waiting callers go out evenly spaced at the rate. A take that
 * could not be ready by the caller's `deadline` books nothing: the dispatcher puts that send
 * back for a later tick rather than hold its claim past the lease.
 */
export interface RateLimiter {
  readonly ratePerSecond: number;
  /** The limiter's clock (wall time in production, a virtual one in tests). */
  now(): Date;
  /**
   * Take `n` tokens, waiting until they are ready. Resolves to the time they were ready, or to
   * `undefined` (nothing taken, no wait) when that would be after `deadline`.
   */
  acquire(n: number, deadline?: Date): Promise<Date | undefined>;
}

export interface RateLimiterOptions {
  database: Database;
  /** The bucket's name: one per provider account and region, e.g. `ses:eu-west-1`. */
  name: string;
  ratePerSecond: number;
  /** Tokens that may go out at once after a quiet spell; default one second's worth (≥ 1). */
  burst?: number;
  clock: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** "No deadline": a booking horizon far beyond any real queue, still a finite float. */
const UNBOUNDED_SECONDS = 1e9;

export function createRateLimiter(o: RateLimiterOptions): RateLimiter {
  if (!(o.ratePerSecond > 0)) throw new Error(`rate limiter "${o.name}": ratePerSecond must be > 0 (got ${o.ratePerSecond})`);
  const capacity = o.burst ?? Math.max(1, o.ratePerSecond);
  const sleep = o.sleep ?? realSleep;
  return {
    ratePerSecond: o.ratePerSecond,
    now: o.clock,
    async acquire(n, deadline) {
      const now = o.clock();
      const horizonSeconds = deadline ? Math.max(0, deadline.getTime() - now.getTime()) / 1000 : UNBOUNDED_SECONDS;
      const balance = await takeTokens(o.database.db, {
        name: o.name,
        n,
        ratePerSecond: o.ratePerSecond,
        capacity,
        now,
        maxDebt: horizonSeconds * o.ratePerSecond,
      });
      if (balance === undefined) return undefined;
      const waitMs = balance >= 0 ? 0 : (-balance / o.ratePerSecond) * 1000;
      if (waitMs > 0) await sleep(waitMs);
      return new Date(now.getTime() + waitMs);
    },
  };
}
