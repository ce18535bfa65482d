import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { TickPhase } from '../../../src/scheduler/tick';
import { createOutboxTransport } from '../../../src/sending/outbox';
import type { Transport } from '../../../src/sending/transport';
import { rowsOf } from '../../../src/storage/sql-values';
import { claimDueSends } from '../../../src/storage/sends';
import { openTestDb, useTestDatabase } from '../../helpers/db';
import { queueSends, resetTables, testDispatcher } from './fixtures';

const t = useTestDatabase('sending_concurrency');
const now = new Date('2026-11-24T10:00:00Z');

/** Tick one dispatcher until it finds nothing, yielding between provider calls so the two interleave. */
async function drain(phase: TickPhase): Promise<void> {
  while ((await phase.run(now)) > 0);
}

describe('two dispatchers at once', () => {
  it('send each of 500 queued sends exactly once', async () => {
    await queueSends(t.database, { notBefore: now }, 500);
    // A second connection pool on PostgreSQL (on PGlite the one shared instance): a second worker.
    const other = await openTestDb(t.schema);
    try {
      const callsBySend = new Map<number, number>();
      const counting = (inner: Transport, name: string): Transport => ({
        name,
        async send(message) {
          callsBySend.set(message.sendId, (callsBySend.get(message.sendId) ?? 0) + 1);
          await new Promise((resolve) => setImmediate(resolve));
          return inner.send(message);
        },
      });
      const a = testDispatcher(t.database, counting(createOutboxTransport({ database: t.database }), 'a'), { batchSize: 40 });
      const b = testDispatcher(other, counting(createOutboxTransport({ database: other }), 'b'), { batchSize: 40 });
      await Promise.all([drain(a.phase), drain(b.phase)]);

      expect(callsBySend.size).toBe(500);
      expect([...callsBySend.values()].every((n) => n === 1)).toBe(true);
      const [counts] = rowsOf<{ sent: number; outbox: number; attempts: number }>(
        await t.database.db.execute(sql`select
          (select count(*)::int from sends where status = 'sent') as sent,
          (select count(distinct send_id)::int from outbox_messages) as outbox,
          (select count(*)::int from send_attempts) as attempts`),
      );
      expect(counts).toEqual({ sent: 500, outbox: 500, attempts: 500 });
      // both workers took part
      const aSent = await a.metrics.render();
      const bSent = await b.metrics.render();
      expect(aSent).toMatch(/almanac_sends_total\{outcome="sent"\} [1-9]/);
      expect(bSent).toMatch(/almanac_sends_total\{outcome="sent"\} [1-9]/);
    } finally {
      await other.close();
    }
  });

  it('concurrent claims take disjoint sets of sends', async () => {
    await resetTables(t.database);
    await queueSends(t.database, { notBefore: now }, 400);
    const pool = await openTestDb(t.schema, { poolMax: 8 });
    try {
      const claims = await Promise.all(Array.from({ length: 16 }, () => claimDueSends(pool.db, { now, limit: 25, leaseMs: 60_000 })));
      const ids = claims.flat().map((s) => s.id);
      expect(ids).toHaveLength(400);
      expect(new Set(ids).size).toBe(400);
      expect(claims.flat().every((s) => s.attempts === 1)).toBe(true);
    } finally {
      await pool.close();
    }
  });
});
