import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRateLimiter, type RateLimiter } from '../../src/sending/rate-limit';
import type { Database } from '../../src/storage/db';
import { backend, openTestDb, useTestDatabase } from '../helpers/db';
import { query } from '../helpers/engine';
import { fakeTransport, queueSends, resetTables, sendRow } from '../scheduler/dispatch/fixtures';
import { dispatcher } from './support';

/**
 * The shared send-rate bucket (rate_limiters, one atomic statement per take), on a virtual
 * clock: every assertion is about which times the limiter let sends go, never about how long
 * the test took. "Two processes" are two Database handles (two pools on PostgreSQL).
 */
const t = useTestDatabase('delivery_rate_limit');
let other: Database;
const T0 = new Date('2026-11-24T10:00:00Z');
const ms = (d: Date) => d.getTime() - T0.getTime();

beforeAll(async () => {
  other = await openTestDb(t.schema);
});
afterAll(async () => {
  await other?.close();
});
beforeEach(async () => {
  await resetTables(t.database);
  await t.database.db.execute(sql`truncate rate_limiters`);
});

/** Sorted grant times (ms after T0) never exceed `burst + rate × window` in any window. */
function expectWithinLimit(times: number[], rate: number, burst: number) {
  const sorted = [...times].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i; j < sorted.length; j++) {
      const allowed = burst + (rate * (sorted[j]! - sorted[i]!)) / 1000 + 1e-6;
      if (j - i + 1 > allowed) throw new Error(`${j - i + 1} sends within ${sorted[j]! - sorted[i]!} ms; at most ${allowed} allowed`);
    }
  }
}

/** A limiter whose clock reads `at()` and whose sleep only records (the clock is moved by the test). */
function virtualLimiter(database: Database, at: () => Date, o: { rate: number; burst: number }, slept: number[] = []): RateLimiter {
  return createRateLimiter({
    database,
    name: 'ses:test',
    ratePerSecond: o.rate,
    burst: o.burst,
    clock: at,
    sleep: async (w) => void slept.push(w),
  });
}

describe(`the shared rate limiter on ${backend}`, () => {
  it('two processes taking concurrently never exceed rate × time + burst, and lose no token', async () => {
    let now = T0;
    const rate = 20;
    const burst = 5;
    const a = virtualLimiter(t.database, () => now, { rate, burst });
    const b = virtualLimiter(other, () => now, { rate, burst });
    const granted: number[] = [];
    for (let step = 0; step < 4; step++) {
      now = new Date(T0.getTime() + step * 250);
      // 2 × 10 takes in flight at once, 80/s of demand against 20/s
      const grants = await Promise.all([...Array(10)].flatMap(() => [a.acquire(1), b.acquire(1)]));
      granted.push(...grants.map((g) => ms(g!)));
    }
    expect(granted).toHaveLength(80);
    expectWithinLimit(granted, rate, burst);
    // Demand always exceeded the rate, so the k-th token is ready exactly (k − burst) / rate s in:
    // nothing double-spent (that would break the limit) and nothing lost (that would be slower).
    const sorted = granted.sort((x, y) => x - y);
    sorted.forEach((time, i) => expect(time).toBeCloseTo(Math.max(0, ((i + 1 - burst) / rate) * 1000), 0));
  });

  it('a take that could not be ready by its deadline books nothing', async () => {
    const now = T0;
    const limiter = virtualLimiter(t.database, () => now, { rate: 2, burst: 1 });
    expect(ms((await limiter.acquire(1))!)).toBe(0);
    expect(await limiter.acquire(1, new Date(T0.getTime() + 400))).toBeUndefined(); // ready at 500 ms: too late
    expect(ms((await limiter.acquire(1, new Date(T0.getTime() + 500)))!)).toBe(500); // the refused one took nothing
  });

  it('a process whose clock lags refills nothing and never moves the bucket back in time', async () => {
    let now = new Date(T0.getTime() + 10_000);
    const ahead = virtualLimiter(t.database, () => now, { rate: 1, burst: 1 });
    const behind = virtualLimiter(other, () => new Date(T0.getTime()), { rate: 1, burst: 1 });
    await ahead.acquire(1); // bucket empty at T0 + 10 s
    expect(ms((await behind.acquire(1))!)).toBe(1_000); // 10 s behind: it sees no refill, books 1 s out
    now = new Date(T0.getTime() + 11_000);
    expect(ms((await ahead.acquire(1))!)).toBe(12_000); // the lagging take still counts
  });
});

describe(`the dispatcher under the rate limit on ${backend}`, () => {
  it('waits for each token, then puts back what could not go out within half the lease', async () => {
    const queued = await queueSends(t.database, { notBefore: T0, template: 'greeting' }, 10);
    let clock = T0.getTime();
    const slept: number[] = [];
    const limiter = createRateLimiter({
      database: t.database,
      name: 'ses:test',
      ratePerSecond: 2,
      burst: 2,
      clock: () => new Date(clock),
      sleep: async (w) => {
        slept.push(w);
        clock += w;
      },
    });
    const sentAt: number[] = [];
    const { transport, calls } = fakeTransport(() => {
      sentAt.push(clock - T0.getTime());
      return { status: 'sent', providerMessageId: `m-${sentAt.length}` };
    });
    const phase = dispatcher(t.database, transport, { rateLimiter: limiter, concurrency: 1, leaseMs: 4_000 });

    expect(await phase.run(T0)).toBe(6);
    // a burst of two, then one every 500 ms, up to the 2 s budget (half the 4 s lease)
    expect(sentAt).toEqual([0, 0, 500, 1_000, 1_500, 2_000]);
    expect(slept).toEqual([500, 500, 500, 500]);
    const rows = await Promise.all(queued.map((q) => sendRow(t.database, q.sendId)));
    expect(rows.filter((r) => r.status === 'sent')).toHaveLength(6);
    expect(rows.filter((r) => r.status === 'queued').map((r) => r.attempts)).toEqual([0, 0, 0, 0]); // put back, no attempt counted

    expect(await phase.run(new Date(T0.getTime() + 5_000))).toBe(4);
    expect(calls.map((c) => c.sendId).sort()).toEqual(queued.map((q) => q.sendId).sort());
    expectWithinLimit(sentAt, 2, 2);
  });

  it('two dispatchers in two processes share one bucket: every send once, never above the rate', async () => {
    const queued = await queueSends(t.database, { notBefore: T0, template: 'greeting' }, 40);
    let now = T0;
    const grants: number[] = [];
    const recordGrants = (l: RateLimiter): RateLimiter => ({
      ...l,
      acquire: async (n, deadline) => {
        const at = await l.acquire(n, deadline);
        if (at) grants.push(ms(at));
        return at;
      },
    });
    const rate = 10;
    const { transport, calls } = fakeTransport((m) => ({ status: 'sent', providerMessageId: `m-${m.sendId}` }));
    const phases = [t.database, other].map((db) =>
      dispatcher(db, transport, {
        rateLimiter: recordGrants(virtualLimiter(db, () => now, { rate, burst: rate })),
        concurrency: 4,
        leaseMs: 2_000,
      }),
    );
    for (let round = 0; round < 20 && calls.length < 40; round++) {
      now = new Date(T0.getTime() + round * 1_000);
      await Promise.all(phases.map((p) => p.run(now)));
    }
    expect(calls.map((c) => c.sendId).sort()).toEqual(queued.map((q) => q.sendId).sort());
    expect(grants).toHaveLength(40);
    expectWithinLimit(grants, rate, rate);
    const [{ n }] = (await query<{ n: number | string }>(t.database, sql`select count(*) as n from sends where status = 'sent'`)) as [
      { n: number },
    ];
    expect(Number(n)).toBe(40);
  });
});
