import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createRenderer } from '../../../src/render/renderer-files';
import type { RateLimiter } from '../../../src/sending/rate-limit';
import type { Database } from '../../../src/storage/db';
import { backend, openTestDb, useTestDatabase } from '../../helpers/db';
import { DAY, HOUR, applyInline, at, engine, ingest, plus, query } from '../../helpers/engine';
import { fakeTransport, sampleTemplatesDir, testDispatcher } from './fixtures';

/**
 * An exit racing a claim: worker A has claimed the cart reminder and is about to call the
 * provider when worker B (another connection pool: on PostgreSQL a second worker) processes the
 * shopper's order and commits the exit. The rate limiter is the seam where A waits just before
 * the hand-over, so the race is played exactly, every time. Nothing may leave after the exit
 * committed.
 */
const t = useTestDatabase('dispatch_exit_race');
const T0 = at('2026-11-25T11:00:00Z');
const cart = readFileSync('campaigns/abandoned-cart.yaml', 'utf8').replace(/^holdout: .*$/m, 'holdout: 0%');

describe(`an exit racing a claim on ${backend}`, () => {
  it('the order commits between the claim and the provider call: the reminder is cancelled, never sent', async () => {
    await applyInline(t.database, { 'campaigns/abandoned-cart.yaml': cart }, ['cart-reminder', 'cart-discount', 'cart-last-call'], T0);
    const contact = { id: 'racer', email: 'racer@example.com' };
    await ingest(
      t.database,
      [
        {
          id: 'c',
          type: 'consent.granted',
          occurred_at: plus(T0, -DAY).toISOString(),
          contact,
          properties: { purpose: 'email.marketing' },
        },
        { id: 'k', type: 'checkout.started', occurred_at: T0.toISOString(), contact, properties: { checkout_id: 'k-1', total: 20 } },
      ],
      T0,
    );
    const journeys = engine(t.database); // no dispatch: worker A below dispatches
    await journeys.tick(T0);
    await journeys.tick(plus(T0, HOUR)); // the reminder is queued
    const other: Database = await openTestDb(t.schema);
    try {
      const workerB = engine(other);
      let exitCommitted = false;
      const raceHere: RateLimiter = {
        ratePerSecond: 1,
        now: () => plus(T0, HOUR),
        async acquire() {
          // A holds the claim; B takes the order and commits the run's exit now.
          await ingest(
            other,
            [
              {
                id: 'o',
                type: 'order.created',
                occurred_at: plus(T0, HOUR).toISOString(),
                contact,
                properties: { order_id: 'o-1', checkout_id: 'k-1', total: 20, currency: 'EUR' },
              },
            ],
            plus(T0, HOUR),
          );
          await workerB.tick(plus(T0, HOUR));
          exitCommitted = true;
          return plus(T0, HOUR);
        },
      };
      const { transport, calls } = fakeTransport(() => ({ status: 'sent', providerMessageId: 'never' }));
      const { phase } = testDispatcher(t.database, transport, {
        rateLimiter: raceHere,
        renderer: createRenderer({ templatesDir: sampleTemplatesDir }),
      });
      await phase.run(plus(T0, HOUR));
      expect(exitCommitted).toBe(true);
      expect(calls).toEqual([]);
      const rows = await query<{ status: string; reason: string; run_status: string }>(
        t.database,
        sql`select s.status, s.reason, r.status as run_status from sends s join runs r on r.id = s.run_id`,
      );
      expect(rows).toEqual([{ status: 'cancelled', reason: 'run ended before the send went out', run_status: 'exited' }]);
      await phase.run(plus(T0, 2 * DAY));
      expect(calls).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
