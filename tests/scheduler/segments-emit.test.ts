import { readdirSync, readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { backend, useTestDatabase } from '../helpers/db';
import { DAY, HOUR, applyInline, at, engine, ingest, plus, query } from '../helpers/engine';

const t = useTestDatabase('segments_emit');
const templates = readdirSync('templates');
const T0 = at('2026-11-23T00:00:00Z');
// The sample win-back on the hand-written lapsed-customers segment (the sample itself now starts on customer analytics' churning stage).
const winBack = readFileSync('campaigns/win-back.yaml', 'utf8')
  .replace('holdout: 10%', 'holdout: 0%')
  .replace('enters: churning-customers', 'enters: lapsed-customers');
const segments = readFileSync('campaigns/segments.yaml', 'utf8');

const person = (id: string) => ({ id, email: `${id}@example.com` });
const consent = (id: string) => ({
  id: `${id}-consent`,
  type: 'consent.granted',
  occurred_at: '2026-01-01T00:00:00Z',
  contact: person(id),
  properties: { purpose: 'email.marketing', source: 'test' },
});
const order = (id: string, n: number, when: Date) => ({
  id: `${id}-order-${n}`,
  type: 'order.created',
  occurred_at: when.toISOString(),
  contact: person(id),
  properties: { order_id: `${id}-${n}`, total: 10, currency: 'EUR', items: [] },
});
const membership = (id: string) =>
  query<{ segment: string }>(
    t.database,
    sql`select m.segment from segment_memberships m join contacts c on c.id = m.contact_id where c.external_id = ${id}`,
  );
const runOf = (id: string, campaign: string) =>
  query<{ status: string; exit_reason: string | null }>(
    t.database,
    sql`select r.status, r.exit_reason from runs r join contacts c on c.id = r.contact_id where c.external_id = ${id} and r.campaign = ${campaign}`,
  );
const templatesSentTo = (id: string) =>
  query<{ template: string }>(
    t.database,
    sql`select s.template from sends s join contacts c on c.id = s.contact_id where c.external_id = ${id} order by s.id`,
  ).then((r) => r.map((x) => x.template));

describe(`segment triggers on ${backend}`, () => {
  it('a lapsed customer enters the segment and the win-back; a recent buyer does not; buying again leaves and exits', async () => {
    await applyInline(t.database, { 'campaigns/win-back.yaml': winBack, 'campaigns/segments.yaml': segments }, templates, T0);
    // History before T0: lapsed ordered 120 days ago, recent 10 days ago; both consented.
    await ingest(
      t.database,
      [consent('lapsed'), consent('recent'), order('lapsed', 1, plus(T0, -120 * DAY)), order('recent', 1, plus(T0, -10 * DAY))],
      plus(T0, -DAY),
    );
    const { tick } = engine(t.database);
    await tick(plus(T0, -DAY)); // the history is processed: nothing triggers on orders
    await tick(T0); // first segment pass: full
    expect(await membership('lapsed')).toEqual([{ segment: 'lapsed-customers' }]);
    expect(await membership('recent')).toEqual([]);
    expect(await runOf('lapsed', 'win-back')).toEqual([{ status: 'active', exit_reason: null }]);
    expect(await templatesSentTo('lapsed')).toEqual(['win-back-miss-you']);

    // Buying again: the incremental pass sees the new event, the contact leaves; exit_on ends the run.
    await ingest(t.database, [order('lapsed', 2, plus(T0, 2 * DAY))], plus(T0, 2 * DAY));
    await tick(plus(T0, 2 * DAY));
    expect(await membership('lapsed')).toEqual([]);
    expect(await runOf('lapsed', 'win-back')).toEqual([{ status: 'exited', exit_reason: 'exit_on:order.created' }]);
    await tick(plus(T0, 10 * DAY));
    expect(await templatesSentTo('lapsed')).toEqual(['win-back-miss-you']);
  });

  it('time alone moves a contact into the segment at the next full pass', async () => {
    await ingest(t.database, [consent('drifting'), order('drifting', 1, plus(T0, -85 * DAY))], plus(T0, -DAY));
    const { tick } = engine(t.database);
    await tick(T0);
    expect(await membership('drifting')).toEqual([]);
    await tick(plus(T0, 6 * DAY)); // 91 days after the order, no new events: only a full pass can see it
    expect(await membership('drifting')).toEqual([{ segment: 'lapsed-customers' }]);
    expect(await runOf('drifting', 'win-back')).toEqual([{ status: 'active', exit_reason: null }]);
  });
});

describe(`emit and failures on ${backend}`, () => {
  const emitter = `campaign: vip-flag
purpose: email.transactional
trigger: { event: vip.qualified }
re_entry: always
steps:
  - update: { tier: vip }
  - emit: vip.welcome_due
`;
  const follower = `campaign: vip-welcome
purpose: email.transactional
trigger: { event: vip.welcome_due }
steps:
  - branch:
      - when: { attribute: tier, is: vip }
        steps: [ { send: welcome-thanks } ]
      - otherwise: [ { send: welcome-1 } ]
`;
  it('an emitted event triggers the next campaign, which sees the attribute the first one set', async () => {
    const T = plus(T0, 30 * DAY);
    await applyInline(t.database, { 'campaigns/vip-flag.yaml': emitter, 'campaigns/vip-welcome.yaml': follower }, templates, T);
    await ingest(
      t.database,
      [{ id: 'vip-1', type: 'vip.qualified', occurred_at: T.toISOString(), contact: person('vera'), properties: {} }],
      T,
    );
    const { tick } = engine(t.database, { dispatch: true });
    await tick(T); // vip-flag runs, updates, emits
    await tick(plus(T, 1000)); // the emitted event is processed; vip-welcome sends
    await tick(plus(T, 2000)); // each run goes on after its send settled, and completes
    expect(await runOf('vera', 'vip-flag')).toEqual([{ status: 'completed', exit_reason: 'completed' }]);
    expect(await runOf('vera', 'vip-welcome')).toEqual([{ status: 'completed', exit_reason: 'completed' }]);
    expect(await templatesSentTo('vera')).toEqual(['welcome-thanks']);
    const [attrs] = await query<{ tier: string }>(
      t.database,
      sql`select attributes->>'tier' as tier from contacts where external_id = 'vera'`,
    );
    expect(attrs).toEqual({ tier: 'vip' });
  });

  it('a run whose campaign version cannot be read fails with the reason recorded; the others go on', async () => {
    const T = plus(T0, 40 * DAY);
    const slow = `campaign: slow
purpose: email.transactional
trigger: { event: slow.started }
steps:
  - wait: 1h
  - send: welcome-1
`;
    await applyInline(
      t.database,
      { 'campaigns/slow.yaml': slow, 'campaigns/vip-flag.yaml': emitter, 'campaigns/vip-welcome.yaml': follower },
      templates,
      T,
    );
    await ingest(
      t.database,
      ['s1', 's2'].map((id) => ({
        id: `slow-${id}`,
        type: 'slow.started',
        occurred_at: T.toISOString(),
        contact: person(id),
        properties: {},
      })),
      T,
    );
    const { tick, metrics } = engine(t.database, { dispatch: true });
    await tick(T);
    // Corrupt the version s1's run is on, as a bad manual edit or a future plan format would.
    await t.database.db.execute(
      sql`insert into campaign_versions (kind, campaign, version, content_hash, source, plan) values ('campaign', 'broken', 1, 'x', 'x', '{"not":"a plan"}')`,
    );
    await t.database.db.execute(sql`update runs set campaign_version_id = (select id from campaign_versions where campaign = 'broken')
      where contact_id = (select id from contacts where external_id = 's1')`);
    await tick(plus(T, HOUR));
    await tick(plus(T, HOUR + 1000)); // s2's run goes on after its send settled, and completes
    const [failed] = await runOf('s1', 'slow');
    expect(failed?.status).toBe('failed');
    expect(failed?.exit_reason).toMatch(/^plan_missing:version \d+$/);
    expect(await runOf('s2', 'slow')).toEqual([{ status: 'completed', exit_reason: 'completed' }]);
    expect(await templatesSentTo('s2')).toEqual(['welcome-1']);
    expect(await metrics.render()).toContain('almanac_run_failures_total{reason="plan_missing"} 1');
  });
});
