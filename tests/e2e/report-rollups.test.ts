import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyProject } from '../../src/campaigns/apply';
import { createLocalAdmin } from '../../src/cli/admin-local';
import type { Services } from '../../src/runtime/services';
import { backend, useTestDatabase } from '../helpers/db';
import { at, plus, query } from '../helpers/engine';
import { API_KEY } from '../http/ingest-app';
import { cartReminder, openRuntime, sampleProject, virtualClock } from './runtime';

/**
 * Issue 14, fast at scale: the report reads `engagement_daily`, `sends.first_human_*_at` and
 * `campaign_entries` instead of raw rows. Through the real paths (dispatcher marking sends sent,
 * the tracking recorder storing clicks and opens, runs starting) the rollups must equal a count
 * from the raw rows — after human, bot and repeated clicks, human and machine opens, and after a
 * recompute that rebuilds them from scratch.
 */
const t = useTestDatabase('e2e_report_rollups');
const clock = virtualClock(at('2026-11-23T09:00:00Z'));
let services: Services;

beforeAll(async () => {
  services = await openRuntime(t.database, clock, {
    PUBLIC_URL: 'https://shop.example',
    LINK_SIGNING_KEY: 'e2e-rollups-link-signing-key',
    MAIL_POSTAL_ADDRESS: 'Demo Shop, Warszawa',
    ADMIN_API_KEYS: 'e2e-rollups-admin-key-0123',
  });
  await applyProject(services.database, sampleProject({ holdouts: { 'abandoned-cart': '0%' }, only: ['abandoned-cart'] }), clock.now());
});

async function tickAt(when: Date) {
  clock.set(when);
  await services.tick(when);
}

const reminderFor = async (id: string, start: Date) => {
  const r = await cartReminder(services, clock, id, start);
  return { link: r.link, pixel: r.pixel!, sentAt: r.sentAt };
};

type Row = { campaign: string; day: string; metric: string; n: number };
const fromRaw = () =>
  query<Row>(
    t.database,
    sql`select campaign, day::text as day, metric, n::int as n from (
          select campaign, (sent_at at time zone 'UTC')::date as day, 'sent' as metric, count(*) as n from sends where status = 'sent' group by 1, 2
          union all
          select s.campaign, (k.clicked_at at time zone 'UTC')::date, case when k.is_bot then 'click_bot' else 'click_human' end, count(*)
            from clicks k join sends s on s.id = k.send_id group by 1, 2, 3
          union all
          select s.campaign, (o.opened_at at time zone 'UTC')::date, case when o.is_bot then 'open_machine' else 'open_human' end, count(*)
            from opens o join sends s on s.id = o.send_id group by 1, 2, 3
          union all
          select s.campaign, (f.at at time zone 'UTC')::date, 'click_unique', count(*)
            from (select send_id, min(clicked_at) as at from clicks where not is_bot group by 1) f join sends s on s.id = f.send_id group by 1, 2
          union all
          select s.campaign, (f.at at time zone 'UTC')::date, 'open_unique', count(*)
            from (select send_id, min(opened_at) as at from opens where not is_bot group by 1) f join sends s on s.id = f.send_id group by 1, 2
        ) m order by 1, 2, 3`,
  );
const fromRollup = () =>
  query<Row>(t.database, sql`select campaign, day::text as day, metric, n::int as n from engagement_daily where n <> 0 order by 1, 2, 3`);
const entries = () =>
  query<{ campaign: string; contact_id: string; held_out: boolean; entered_at: string }>(
    t.database,
    sql`select campaign, contact_id::text, held_out, entered_at::text from campaign_entries order by 1, 2, 3`,
  );
const entriesFromRuns = () =>
  query<{ campaign: string; contact_id: string; held_out: boolean; entered_at: string }>(
    t.database,
    sql`select campaign, contact_id::text, status = 'holdout' as held_out, min(started_at)::text as entered_at from runs group by 1, 2, 3 order by 1, 2, 3`,
  );

describe(`report rollups on ${backend}`, () => {
  it('engagement_daily and campaign_entries equal counts from raw rows after clicks, opens, sends and a recompute', async () => {
    const human = { 'user-agent': 'Mozilla/5.0 (Macintosh) Safari/605', 'x-forwarded-for': '198.51.100.4' };
    const a = await reminderFor('r-ada', at('2026-11-23T10:00:00Z'));
    const b = await reminderFor('r-bo', at('2026-11-24T10:00:00Z'));
    // r-ada: a scanner's HEAD at delivery, then two human clicks a day apart (the second is not unique), a human and a machine open.
    clock.set(plus(a.sentAt, 2000));
    await services.app.request(a.link, { method: 'HEAD' });
    clock.set(plus(a.sentAt, 120_000));
    expect((await services.app.request(a.link, { headers: human })).status).toBe(302);
    await services.app.request(a.pixel, { headers: { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0) Thunderbird/128' } });
    await services.app.request(a.pixel, { headers: { 'user-agent': 'Mozilla/5.0', 'x-forwarded-for': '17.58.1.2' } });
    await tickAt(plus(a.sentAt, 121_000));
    // r-bo's mail is opened twice by a person, on two days; r-ada clicks again the next day, in one batch with it.
    clock.set(plus(b.sentAt, 600_000));
    await services.app.request(b.pixel, { headers: { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0) Thunderbird/128' } });
    await services.app.request(a.link, { headers: human });
    await tickAt(plus(b.sentAt, 601_000));
    clock.set(plus(b.sentAt, 86_400_000));
    await services.app.request(b.pixel, { headers: { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0) Thunderbird/128' } });
    await tickAt(plus(b.sentAt, 86_401_000));

    const raw = await fromRaw();
    expect(raw.filter((r) => r.metric === 'click_human').reduce((n, r) => n + r.n, 0)).toBe(2);
    expect(raw.filter((r) => r.metric === 'click_bot').reduce((n, r) => n + r.n, 0)).toBe(1);
    expect(raw.filter((r) => r.metric === 'open_unique').reduce((n, r) => n + r.n, 0)).toBe(2);
    expect(raw.filter((r) => r.metric === 'open_machine').reduce((n, r) => n + r.n, 0)).toBe(1);
    expect(await fromRollup()).toEqual(raw);
    expect(await entries()).toEqual(await entriesFromRuns());
    expect((await entries()).length).toBe(2);

    // The report shows what the raw rows say.
    const res = await services.app.request('/v1/reports/abandoned-cart', { headers: { authorization: `Bearer ${API_KEY}` } });
    expect(res.status).toBe(200);
    const report = (await res.json()) as Record<string, unknown>;
    expect(report).toMatchObject({
      opens: { human: 3, machine: 1, uniqueHuman: 2 },
      clicks: { human: 2, bot: 1, uniqueHuman: 1 },
    });

    // Wiped (or drifted), a recompute rebuilds them from raw rows.
    await t.database.db.execute(sql`update engagement_daily set n = n + 7`);
    await t.database.db.execute(sql`update sends set first_human_click_at = null, first_human_open_at = null`);
    await t.database.db.execute(sql`delete from campaign_entries`);
    const admin = createLocalAdmin(services.config, (_config, fn) => fn(t.database));
    await admin.recomputeAttribution({ campaign: 'abandoned-cart' });
    expect(await fromRollup()).toEqual(raw);
    expect(await entries()).toEqual(await entriesFromRuns());
    await t.database.db.execute(sql`delete from engagement_daily`);
    await admin.recomputeAttribution({});
    expect(await fromRollup()).toEqual(raw);
  });
});
