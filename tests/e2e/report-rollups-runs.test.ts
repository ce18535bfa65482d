import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyProject } from '../../src/campaigns/apply';
import { createLocalAdmin } from '../../src/cli/admin-local';
import type { Services } from '../../src/runtime/services';
import { backend, useTestDatabase } from '../helpers/db';
import { at, plus, query } from '../helpers/engine';
import { API_KEY, authed } from '../http/ingest-app';
import { consentAndCheckout, openRuntime, sampleProject, virtualClock } from './runtime';

/**
 * Issue 14, fast at scale: the report's funnel, sends per step and status, recipients and the
 * holdout arms read rollups kept by triggers on runs and sends (migration 0014) and by the
 * attribution phase (`holdout_orders`), never the raw rows. Through the real paths — runs
 * starting and held out, reminders sent and held by quiet hours, orders ending runs, a refund, a
 * GDPR erasure cascading through runs and sends, a recompute after corruption — every rollup must
 * equal a count from the raw rows, and the report must say what the raw rows say.
 */
const t = useTestDatabase('e2e_report_rollups_runs');
const clock = virtualClock(at('2026-11-23T09:00:00Z'));
let services: Services;

beforeAll(async () => {
  services = await openRuntime(t.database, clock, {
    PUBLIC_URL: 'https://shop.example',
    LINK_SIGNING_KEY: 'e2e-rollups-runs-link-key',
    MAIL_POSTAL_ADDRESS: 'Demo Shop, Warszawa',
    ADMIN_API_KEYS: 'e2e-rollups-runs-admin-key',
    SUPPRESSION_KEY: 'e2e-rollups-runs-suppression-key',
  });
  await applyProject(services.database, sampleProject({ holdouts: { 'abandoned-cart': '50%' }, only: ['abandoned-cart'] }), clock.now());
});

async function tickAt(when: Date) {
  clock.set(when);
  await services.tick(when);
}

const rows = <T>(q: ReturnType<typeof sql>) => query<T>(t.database, q);
const funnelRaw = () =>
  rows(sql`select campaign, day, step, status, phase, reason, n::int as n from (
             select campaign, (started_at at time zone 'UTC')::date::text as day, coalesce(state->>'at', '(end)') as step, status,
                    coalesce(state->>'phase', '') as phase, coalesce(exit_reason, '') as reason, count(*) as n
             from runs group by 1, 2, 3, 4, 5, 6) r order by 1, 2, 3, 4, 5, 6`);
const funnelRollup = () =>
  rows(sql`select campaign, day::text as day, step, status, phase, reason, sum(n)::int as n from (
             select * from funnel_daily union all select * from funnel_deltas) d
           group by 1, 2, 3, 4, 5, 6 having sum(n) <> 0 order by 1, 2, 3, 4, 5, 6`);
const sendsRaw = () =>
  rows(sql`select campaign, day, step, template, status, reason, n::int as n from (
             select campaign, (created_at at time zone 'UTC')::date::text as day, step_key as step, template, status,
                    coalesce(reason, '') as reason, count(*) as n
             from sends group by 1, 2, 3, 4, 5, 6) s order by 1, 2, 3, 4, 5, 6`);
const sendsRollup = () =>
  rows(sql`select campaign, day::text as day, step, template, status, reason, sum(n)::int as n from (
             select campaign, day, step, template, status, reason, n from send_daily
             union all select campaign, day, step, template, status, reason, n from send_deltas) d
           group by 1, 2, 3, 4, 5, 6 having sum(n) <> 0 order by 1, 2, 3, 4, 5, 6`);
const recipientsRaw = () =>
  rows(sql`select campaign, contact_id::text, min(created_at)::text as first from sends where status = 'sent' group by 1, 2 order by 1, 2`);
const recipientsRollup = () =>
  rows(sql`select campaign, contact_id::text, first_sent_at::text as first from campaign_recipients order by 1, 2`);
/** Orders within 5 days (the sample's click window) after each entered contact's first entry. */
const holdoutRaw = () =>
  rows(sql`select e.campaign, e.held_out, e.contact_id::text, o.id::text as order_id, o.currency, greatest(o.total - o.refunded, 0)::text as amount
           from campaign_entries e join orders o on o.contact_id = e.contact_id
             and o.occurred_at >= e.entered_at and o.occurred_at < e.entered_at + interval '5 days'
           order by 1, 2, 3, 4`);
const holdoutRollup = () =>
  rows(sql`select campaign, held_out, contact_id::text, order_id::text, currency, amount::text from holdout_orders order by 1, 2, 3, 4`);

async function expectRollupsEqualRaw() {
  expect(await funnelRollup()).toEqual(await funnelRaw());
  expect(await sendsRollup()).toEqual(await sendsRaw());
  expect(await recipientsRollup()).toEqual(await recipientsRaw());
  expect(await holdoutRollup()).toEqual(await holdoutRaw());
}

const report = async () => {
  const res = await services.app.request('/v1/reports/abandoned-cart', { headers: { authorization: `Bearer ${API_KEY}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    sends: Record<string, number>;
    recipients: number;
    funnel: {
      runs: Array<{ step: string; status: string; phase: string | null; runs: number }>;
      sends: Array<{ step: string; status: string; reason: string | null; sends: number }>;
      exits: Array<{ reason: string; runs: number }>;
    };
    lift: {
      treated: { contacts: number; converters: number; revenue: number };
      heldOut: { contacts: number; converters: number; revenue: number };
    };
  };
};

describe(`run and send rollups on ${backend}`, () => {
  it('equal the raw rows through entries, held and sent reminders, orders, a refund, an erasure and a recompute', async () => {
    const start = at('2026-11-23T10:00:00Z');
    const ids = Array.from({ length: 16 }, (_, i) => `rr-${i}`);
    for (const id of ids) await consentAndCheckout(services, clock, id, start);
    await tickAt(start);
    await tickAt(plus(start, 1000));
    // Every tick ends by folding the triggers' deltas.
    expect((await rows<{ n: number }>(sql`select count(*)::int as n from funnel_deltas`))[0]!.n).toBe(0);
    await expectRollupsEqualRaw();
    const arms = await rows<{ id: string; status: string }>(
      sql`select c.external_id as id, r.status from runs r join contacts c on c.id = r.contact_id order by c.id`,
    );
    const heldOut = arms.filter((a) => a.status === 'holdout').map((a) => a.id);
    const treated = arms.filter((a) => a.status !== 'holdout').map((a) => a.id);
    expect(heldOut.length).toBeGreaterThan(2);
    expect(treated.length).toBeGreaterThan(4);

    // An hour later the reminders go out; four more shoppers check out at 22:30 Warsaw time, so the treated ones' are held for quiet hours.
    await tickAt(plus(start, 3_601_000));
    await tickAt(plus(start, 3_602_000));
    for (const id of ['rr-late-0', 'rr-late-1', 'rr-late-2', 'rr-late-3'])
      await consentAndCheckout(services, clock, id, at('2026-11-23T21:30:00Z'));
    await tickAt(at('2026-11-23T21:30:00Z'));
    await tickAt(at('2026-11-23T22:31:00Z'));
    const held = await rows<{ status: string; reason: string | null }>(
      sql`select s.status, s.reason from sends s join contacts c on c.id = s.contact_id where c.external_id like 'rr-late-%'`,
    );
    expect(held.length).toBeGreaterThan(0);
    expect(held).toEqual(held.map(() => ({ status: 'deferred', reason: expect.stringContaining('quiet') })));
    const r0 = await report();
    expect(r0.sends.deferred).toBe(held.length);
    expect(r0.funnel.sends.find((s) => s.status === 'deferred')?.reason).toContain('quiet');
    await expectRollupsEqualRaw();

    // Two treated and one held-out shopper buy (their runs exit); one treated order is half refunded.
    const buy = (id: string, n: number, when: Date) => ({
      id: `o-${id}`,
      type: 'order.created',
      occurred_at: when.toISOString(),
      contact: { id },
      properties: { order_id: `O-${id}`, checkout_id: `k-${id}`, total: 100 + n, currency: 'EUR' },
    });
    const buyAt = plus(start, 86_400_000);
    clock.set(buyAt);
    const orders = [buy(treated[0]!, 1, buyAt), buy(treated[1]!, 2, buyAt), buy(heldOut[0]!, 3, buyAt)];
    expect((await services.app.request('/v1/events/batch', authed({ events: orders }))).status).toBe(202);
    await tickAt(plus(buyAt, 1000));
    const refund = {
      id: 'refund-1',
      type: 'order.refunded',
      contact: { id: treated[0]! },
      properties: { order_id: `O-${treated[0]!}`, amount: '50.50' },
    };
    expect((await services.app.request('/v1/events/batch', authed({ events: [refund] }))).status).toBe(202);
    await tickAt(plus(buyAt, 2000));
    await expectRollupsEqualRaw();
    expect((await holdoutRollup()).map((r) => (r as { amount: string }).amount).sort()).toEqual(['103.00', '50.50', '102.00'].sort());

    // The report says what the raw rows say.
    const r1 = await report();
    const entered = await rows<{ held_out: boolean; n: number }>(sql`select held_out, count(*)::int as n from campaign_entries group by 1`);
    const armSize = (h: boolean) => entered.find((e) => e.held_out === h)!.n;
    expect(armSize(false) + armSize(true)).toBe(20);
    expect(r1.lift.treated).toMatchObject({ contacts: armSize(false), converters: 2, revenue: 152.5 });
    expect(r1.lift.heldOut).toMatchObject({ contacts: armSize(true), converters: 1, revenue: 103 });
    const sentTo = (await recipientsRaw()).length;
    expect(r1.recipients).toBe(sentTo);
    // The held reminders went out the next morning: sent now, with the reason they were held.
    expect(r1.sends.deferred).toBeUndefined();
    const sentRows = (await sendsRaw()) as Array<{ status: string; n: number }>;
    expect(r1.sends.sent).toBe(sentRows.filter((x) => x.status === 'sent').reduce((n, x) => n + x.n, 0));
    expect(r1.funnel.exits).toEqual([{ reason: 'exit_on:order.created', runs: 2 }]);
    const rawFunnel = await rows<{ step: string; status: string; phase: string | null; n: number }>(
      sql`select coalesce(state->>'at', '(end)') as step, status, state->>'phase' as phase, count(*)::int as n from runs group by 1, 2, 3`,
    );
    expect(new Set(r1.funnel.runs.map((f) => JSON.stringify([f.step, f.status, f.phase, f.runs])))).toEqual(
      new Set(rawFunnel.map((f) => JSON.stringify([f.step, f.status, f.phase, f.n]))),
    );

    // A GDPR erasure deletes the contact: its runs, sends, entry and holdout orders go by cascade, and so do their counts.
    const erased = await services.app.request(`/v1/contacts/${treated[1]!}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    expect(erased.status).toBe(200);
    await expectRollupsEqualRaw();
    const r2 = await report();
    expect(r2.recipients).toBe(sentTo - 1);
    expect(r2.lift.treated).toMatchObject({ contacts: armSize(false) - 1, converters: 1, revenue: 50.5 });

    // Drifted or wiped, a recompute rebuilds them from the raw rows (the holdout orders with the orders' credits, at the next tick).
    await t.database.db.execute(sql`update funnel_daily set n = n + 3`);
    await t.database.db.execute(sql`insert into send_deltas select * from send_daily`);
    await t.database.db.execute(sql`delete from campaign_recipients`);
    await t.database.db.execute(sql`delete from holdout_orders`);
    const admin = createLocalAdmin(services.config, (_config, fn) => fn(t.database));
    await admin.recomputeAttribution({ campaign: 'abandoned-cart' });
    await tickAt(plus(buyAt, 3000));
    await expectRollupsEqualRaw();
    expect((await report()).lift.heldOut).toMatchObject({ contacts: armSize(true), converters: 1, revenue: 103 });
  });
});
