import { readdirSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { forecast } from '../../src/forecast/forecast';
import { backend, useTestDatabase } from '../helpers/db';
import { DAY, applyInline, at, engine, ingest, plus } from '../helpers/engine';

/**
 * Issue 11: the forecast takes the journey's wait for its send into account — a run whose send is
 * held (deferred a day) sends the rest of its journey a day later too, not an hour after queueing.
 */
const t = useTestDatabase('forecast_held_run');
const pair = `campaign: pair
purpose: email.transactional
trigger: { event: pair.go }
steps:
  - send: welcome-1
  - wait: 1h
  - send: welcome-2
`;
const T = at('2026-11-30T11:00:00Z');

describe(`the forecast of a held run on ${backend}`, () => {
  it('moves the rest of the journey with its held send', async () => {
    await applyInline(t.database, { 'campaigns/pair.yaml': pair }, readdirSync('templates'), plus(T, -DAY));
    await ingest(
      t.database,
      [{ id: 'go', type: 'pair.go', occurred_at: T.toISOString(), contact: { id: 'p', email: 'p@example.com' }, properties: {} }],
      T,
    );
    await engine(t.database).tick(T); // welcome-1 queued; the run waits for it
    const range = { from: T, to: plus(T, 3 * DAY) };
    const journey = async () => (await forecast(t.database, range, T)).map((r) => [r.date, r.sends]);
    // Today the run's two mails; every later day the trigger's one entry a day (its 14-day rate) brings two.
    expect(await journey()).toEqual([
      ['2026-11-30', 2],
      ['2026-12-01', 2],
      ['2026-12-02', 2],
    ]);
    // The first mail is held until tomorrow: the second follows it, an hour after it goes.
    await t.database.db.execute(sql`update sends set status = 'deferred', not_before = ${plus(T, DAY).toISOString()}::timestamptz`);
    expect(await journey()).toEqual([
      ['2026-12-01', 4],
      ['2026-12-02', 2],
    ]);
  });
});
