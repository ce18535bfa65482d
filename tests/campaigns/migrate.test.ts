import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { backend, useTestDatabase } from '../helpers/db';
import { DAY, HOUR, MINUTE, applyInline, at, engine, ingest, plus, query } from '../helpers/engine';
import { templates } from './fixtures';

const t = useTestDatabase('campaign_migrate');
const T0 = at('2026-11-23T10:00:00Z');

/** Version 1 of a campaign: a sleeping step (`first-wait`) and an awaiting one (`await-click`). */
const v1 = (id: string, event: string) => `campaign: ${id}
name: ${id}
purpose: email.marketing
trigger: { event: ${event} }
steps:
  - id: first-wait
    wait: 1h
  - id: reminder
    send: cart-reminder
  - id: await-click
    wait_until: { event: email.clicked, timeout: 24h }
    on_timeout:
      - id: last-call
        send: cart-last-call
`;
/** Version 2: `first-wait` vanished, `await-click` survives, its timeout now sends the discount. */
const v2 = (id: string, event: string, migrate: boolean) =>
  v1(id, event)
    .replace('steps:\n', `${migrate ? 'migrate: true\n' : ''}steps:\n`)
    .replace('  - id: first-wait\n    wait: 1h\n', '')
    .replace('send: cart-last-call', 'send: cart-discount');

const MOVE = ['cart-move', 'checkout.started'] as const;
const STAY = ['cart-stay', 'checkout.updated'] as const;
const files = (move: string, stay: string) => ({ 'campaigns/cart-move.yaml': move, 'campaigns/cart-stay.yaml': stay });

const event = (type: string, n: number, when: Date) => ({
  id: `${type}-${n}`,
  type,
  occurred_at: when.toISOString(),
  contact: { id: `c-${n}`, email: `c${n}@example.com` },
  properties: { total: 40 },
});
const runsOf = (campaign: string) =>
  query<{
    contact: string;
    version: number;
    status: string;
    exit_reason: string | null;
    at: string | null;
    phase: string;
    next_wake_at: Date | string | null;
  }>(
    t.database,
    sql`select c.external_id as contact, v.version, r.status, r.exit_reason, r.state->>'at' as at, r.state->>'phase' as phase, r.next_wake_at
        from runs r join contacts c on c.id = r.contact_id join campaign_versions v on v.id = r.campaign_version_id
        where r.campaign = ${campaign} order by c.external_id`,
  );
const sendsOf = (campaign: string) =>
  query<{ contact: string; step_key: string; template: string; version: number }>(
    t.database,
    sql`select c.external_id as contact, s.step_key, s.template, v.version from sends s join contacts c on c.id = s.contact_id
        join campaign_versions v on v.id = s.campaign_version_id where s.campaign = ${campaign} order by c.external_id, s.id`,
  );
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

describe(`in-flight runs across versions on ${backend}`, () => {
  it('migrate: true moves runs on a surviving key to version 2 (same wake time) and exits runs on a vanished key', async () => {
    const engineOf = engine(t.database, { dispatch: true });
    // Each instant twice: sends go out in the first tick, and their runs go on in the second.
    const tick = async (now: Date) => {
      await engineOf.tick(now);
      await engineOf.tick(now);
    };
    const early = plus(T0, -2 * HOUR);
    await applyInline(t.database, files(v1(...MOVE), v1(...STAY)), templates, early);
    await ingest(t.database, [event(MOVE[1], 1, early), event(MOVE[1], 2, early)], early);
    await tick(early);
    await tick(plus(early, HOUR)); // c-1 and c-2: reminded, awaiting a click until early + 25h
    await ingest(t.database, [event(MOVE[1], 3, T0)], T0);
    await tick(T0); // c-3: sleeping in first-wait until T0 + 1h
    const timeout = plus(early, 25 * HOUR).toISOString();
    expect((await runsOf('cart-move')).map((r) => [r.contact, r.version, r.phase, r.at, iso(r.next_wake_at)])).toEqual([
      ['c-1', 1, 'awaiting', 'await-click', timeout],
      ['c-2', 1, 'awaiting', 'await-click', timeout],
      ['c-3', 1, 'sleeping', 'first-wait', plus(T0, HOUR).toISOString()],
    ]);

    const result = await applyInline(t.database, files(v2(...MOVE, true), v1(...STAY)), templates, plus(T0, MINUTE));
    expect(result.stored).toEqual(['cart-move@2']);
    expect(result.migrated).toEqual({ moved: 2, exited: 1 });
    expect((await runsOf('cart-move')).map((r) => [r.contact, r.version, r.status, r.exit_reason, r.at, iso(r.next_wake_at)])).toEqual([
      ['c-1', 2, 'active', null, 'await-click', timeout],
      ['c-2', 2, 'active', null, 'await-click', timeout],
      ['c-3', 1, 'exited', 'step_removed:first-wait', null, null],
    ]);

    await tick(plus(T0, HOUR)); // c-3 would have woken here on version 1
    await tick(plus(early, 25 * HOUR)); // the timeout: version 2's on_timeout sends the discount
    expect(await sendsOf('cart-move')).toEqual([
      { contact: 'c-1', step_key: 'reminder', template: 'cart-reminder', version: 1 },
      { contact: 'c-1', step_key: 'last-call', template: 'cart-discount', version: 2 },
      { contact: 'c-2', step_key: 'reminder', template: 'cart-reminder', version: 1 },
      { contact: 'c-2', step_key: 'last-call', template: 'cart-discount', version: 2 },
    ]);
    expect((await runsOf('cart-move')).map((r) => r.status)).toEqual(['completed', 'completed', 'exited']);
  });

  it('without migrate: true running runs finish on version 1 while new entries start on version 2', async () => {
    const engineOf = engine(t.database, { dispatch: true });
    // Each instant twice: sends go out in the first tick, and their runs go on in the second.
    const tick = async (now: Date) => {
      await engineOf.tick(now);
      await engineOf.tick(now);
    };
    const T1 = plus(T0, 7 * DAY);
    const early = plus(T1, -2 * HOUR);
    await ingest(t.database, [event(STAY[1], 11, early)], early);
    await tick(early);
    await tick(plus(early, HOUR)); // c-11: reminded, awaiting
    await ingest(t.database, [event(STAY[1], 12, T1)], T1);
    await tick(T1); // c-12: sleeping in first-wait (a step version 2 no longer has)

    const result = await applyInline(t.database, files(v2(...MOVE, true), v2(...STAY, false)), templates, plus(T1, MINUTE));
    expect(result.stored).toEqual(['cart-stay@2']);
    expect(result.migrated).toEqual({ moved: 0, exited: 0 });
    expect((await runsOf('cart-stay')).map((r) => [r.contact, r.version, r.status, r.at])).toEqual([
      ['c-11', 1, 'active', 'await-click'],
      ['c-12', 1, 'active', 'first-wait'],
    ]);

    const entry = plus(T1, 2 * MINUTE);
    await ingest(t.database, [event(STAY[1], 13, entry)], entry);
    await tick(entry); // c-13 enters version 2: no first wait, the reminder goes at once
    await tick(plus(T1, HOUR)); // c-12 wakes on version 1 and is reminded
    for (const due of [plus(early, 25 * HOUR), plus(entry, 24 * HOUR), plus(T1, 25 * HOUR)]) await tick(due);
    expect(await sendsOf('cart-stay')).toEqual([
      { contact: 'c-11', step_key: 'reminder', template: 'cart-reminder', version: 1 },
      { contact: 'c-11', step_key: 'last-call', template: 'cart-last-call', version: 1 },
      { contact: 'c-12', step_key: 'reminder', template: 'cart-reminder', version: 1 },
      { contact: 'c-12', step_key: 'last-call', template: 'cart-last-call', version: 1 },
      { contact: 'c-13', step_key: 'reminder', template: 'cart-reminder', version: 2 },
      { contact: 'c-13', step_key: 'last-call', template: 'cart-discount', version: 2 },
    ]);
    expect((await runsOf('cart-stay')).map((r) => [r.contact, r.version, r.status])).toEqual([
      ['c-11', 1, 'completed'],
      ['c-12', 1, 'completed'],
      ['c-13', 2, 'completed'],
    ]);
  });
});
