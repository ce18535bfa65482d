import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/storage/db';
import { backend, openTestDb, useTestDatabase } from '../helpers/db';
import { HOUR, applyInline, at, engine, ingest, plus, query } from '../helpers/engine';

const t = useTestDatabase('scheduler_concurrency');
const T0 = at('2026-11-23T10:00:00Z');
const campaign = `campaign: ping
name: Ping twice
purpose: email.transactional
priority: 50
trigger:
  event: ping.requested
steps:
  - send: welcome-1
  - wait: 1h
  - send: welcome-2
`;

describe(`two tickers at once over 1000 runs on ${backend}`, () => {
  it('steps every run exactly once per due step: 1000 entries, 1000 wakes, 2000 sends, each sent once', { timeout: 120_000 }, async () => {
    await applyInline(t.database, { 'campaigns/ping.yaml': campaign }, ['welcome-1', 'welcome-2'], T0);
    const events = Array.from({ length: 1000 }, (_, i) => ({
      id: `ping-${i}`,
      type: 'ping.requested',
      occurred_at: T0.toISOString(),
      contact: { id: `p-${i}`, email: `p${i}@example.com` },
      properties: {},
    }));
    await ingest(t.database, events, T0);
    // A second connection pool on the same schema: on PostgreSQL a real second worker; PGlite
    // is one connection, so there the two tickers interleave transaction by transaction.
    const other: Database = await openTestDb(t.schema);
    try {
      const a = engine(t.database, { batchSize: 100, dispatch: true });
      const b = engine(other, { batchSize: 100, dispatch: true });
      const first = await Promise.all([a.tick(T0), b.tick(T0)]);
      expect(first[0].events! + first[1].events!).toBe(1000);
      // Each run waits for its first send (one dispatch batch per ticker and tick); once it is
      // settled the run goes on into its wait. Tick both at the same instant until all are through.
      const untilQuiet = async (now: Date) => {
        let stepped = 0;
        for (let i = 0; i < 30; i++) {
          const r = await Promise.all([a.tick(now), b.tick(now)]);
          const work = r.reduce((n, x) => n + (x.runs ?? 0) + (x.dispatch ?? 0), 0);
          stepped += r[0].runs! + r[1].runs!;
          if (work === 0) return stepped;
        }
        throw new Error('still busy after 30 ticks');
      };
      expect(await untilQuiet(T0)).toBe(1000);
      expect(await untilQuiet(plus(T0, HOUR))).toBe(2000); // 1000 wakes into the second send, 1000 after it settled

      const [summary] = await query<{ sends: number; runs: number; completed: number; max_per_step: number }>(
        t.database,
        sql`select (select count(*)::int from sends) as sends, (select count(*)::int from runs) as runs,
                   (select count(*)::int from runs where status = 'completed') as completed,
                   (select coalesce(max(n), 0)::int from (select count(*) as n from sends group by run_id, step_key) x) as max_per_step`,
      );
      expect(summary).toEqual({ sends: 2000, runs: 1000, completed: 1000, max_per_step: 1 });
      const [outbox] = await query<{ messages: number; sends: number }>(
        t.database,
        sql`select count(*)::int as messages, count(distinct send_id)::int as sends from outbox_messages`,
      );
      expect(outbox).toEqual({ messages: 2000, sends: 2000 });
      const third = await Promise.all([a.tick(plus(T0, 2 * HOUR)), b.tick(plus(T0, 2 * HOUR))]);
      expect(third[0].runs! + third[1].runs!).toBe(0);
    } finally {
      await other.close();
    }
  });
});
