import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { applyProject } from '../../src/campaigns/apply';
import { compileSources } from '../../src/dsl/compile/index';
import type { Database } from '../../src/storage/db';
import { foldRollupDeltas } from '../../src/storage/rollups';
import { rowsOf } from '../../src/storage/sql-values';

/** The campaign the report is taken of (a sample campaign, with a 10 % holdout). */
export const CAMPAIGN = 'abandoned-cart';
/** "Now" of the data set: everything happens in the 90 days before it. */
const T0 = '2026-12-01T00:00:00Z';
const DAYS = 90;

/** A deterministic pseudo-random integer in [0, mod) from an expression and a seed (no session state). */
const h = (expr: string, seed: number, mod: number) => `((hashint8extended((${expr})::bigint, ${seed}) & 9223372036854775807) % ${mod})`;

/** Rows per table at a scale factor (1: 1M orders): as `bench:report` always seeded them. */
function rowsAt(scale: number) {
  const size = (n: number) => Math.max(10, Math.round(n * scale));
  return {
    contacts: size(200_000),
    runs: size(1_000_000),
    holdoutRuns: size(50_000),
    clicks: size(5_000_000),
    campaignLinkClicks: size(10_000),
    opens: size(2_000_000),
    orders: size(1_000_000),
    unsubscribes: size(5_000),
    complaints: size(300),
    otherEvents: size(200_000),
  };
}

/**
 * One campaign's data at a scale factor (1 = 200k contacts, 1M runs + 5 % holdout runs, 1M sends,
 * 2M links, 5M clicks, 2M opens, 1M orders, 5M attributions) into a migrated, empty schema: the
 * sample campaigns applied, every table the report reads filled set-based (one `insert … select`
 * each, deterministic hashes for the spread), the rollups as the migrations backfill them and the
 * tick folds them, then `vacuum analyze`. `step` times and logs each part.
 */
export async function seedReport(
  database: Database,
  scale: number,
  step: (label: string, fn: () => Promise<unknown>) => Promise<void>,
): Promise<{ holdout: boolean }> {
  const exec = (text: string) => database.db.execute(sql.raw(text));
  const N = rowsAt(scale);
  // The sample campaigns, as `almanac apply` stores them.
  const files = readdirSync('campaigns')
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => ({ path: `campaigns/${f}`, text: readFileSync(join('campaigns', f), 'utf8') }));
  const templates = readdirSync('templates', { withFileTypes: true })
    .filter((d) => d.isDirectory() && !['layouts', 'partials'].includes(d.name))
    .map((d) => d.name);
  const compiled = compileSources(files, templates);
  if (!compiled.ok) throw new Error(`sample campaigns do not compile: ${JSON.stringify(compiled.errors)}`);
  await applyProject(database, compiled.project, new Date('2026-09-01T00:00:00Z'));
  const [version] = rowsOf<{ id: number }>(
    await exec(
      `select id::int as id from campaign_versions where kind = 'campaign' and campaign = '${CAMPAIGN}' order by version desc limit 1`,
    ),
  );
  if (!version) throw new Error(`no applied version of ${CAMPAIGN}`);
  const vid = version.id;
  const holdout = (compiled.project.campaigns.find((c) => c.id === CAMPAIGN)?.holdoutPercent ?? 0) > 0;
  const minutes = DAYS * 1440;

  await step(`contacts + consent`, async () => {
    await exec(`
    insert into contacts (external_id, email, timezone, attributes, created_at, updated_at)
    select 'c' || g, 'c' || g || '@example.com', 'Europe/Warsaw', jsonb_build_object('first_name', 'C' || g), '2026-01-01Z', '2026-01-01Z'
    from generate_series(1, ${N.contacts}) g`);
    await exec(`
    insert into consent_records (contact_id, purpose, granted, source, occurred_at)
    select id, 'email.marketing', true, 'signup', '2026-01-01Z' from contacts`);
    // Unsubscribes through the link in a mail of the campaign (the ledger text names it, src/http/unsubscribe.ts).
    await exec(`
    insert into consent_records (contact_id, purpose, granted, text, source, occurred_at)
    select 1 + ${h('g', 1, N.contacts)}, 'email.marketing', false,
           'unsubscribe page from send ' || g || ' (${CAMPAIGN}): email.marketing', 'unsubscribe_link',
           '${T0}'::timestamptz - ${h('g', 2, minutes)} * interval '1 minute'
    from generate_series(1, ${N.unsubscribes}) g`);
  });

  await step(`runs (${holdout ? '+ holdout' : 'no holdout'})`, async () => {
    // Contacts with id % 20 = 0 are the held-out ones (holdout is per contact: src/journey/holdout.ts).
    const treated = `((${h('g', 3, N.contacts)}) / 20 * 20 + 1 + ${h('g', 4, 19)})`;
    await exec(`
    insert into runs (campaign_version_id, campaign, contact_id, entry_key, correlation_key, state, status, next_wake_at, exit_reason, started_at, ended_at, updated_at)
    select ${vid}, '${CAMPAIGN}', c, 'checkout:' || g, 'k' || g,
           jsonb_build_object('v', 1, 'at', case when st = 'active' then 'steps[2]' else null end,
                              'phase', case when st = 'active' then 'awaiting' else 'done' end, 'splits', '{}'::jsonb,
                              'trigger', jsonb_build_object('type', 'checkout.started', 'occurredAt', t, 'properties', jsonb_build_object('checkout_id', 'k' || g, 'total', 20 + g % 200))),
           st, case when st = 'active' then t + interval '1 day' end,
           case st when 'exited' then 'event:order.created' when 'failed' then 'template_error' end,
           t, case when st <> 'active' then t + interval '1 day' end, t
    from (select g, least(${treated}, ${N.contacts}) as c, '${T0}'::timestamptz - ${h('g', 5, minutes)} * interval '1 minute' as t,
                 case when g % 100 < 80 then 'completed' when g % 100 < 91 then 'exited' when g % 100 < 92 then 'failed' else 'active' end as st
          from generate_series(1, ${N.runs}) g) x`);
    if (holdout)
      await exec(`
      insert into runs (campaign_version_id, campaign, contact_id, entry_key, state, status, started_at, ended_at, updated_at)
      select ${vid}, '${CAMPAIGN}', 20 * (1 + ${h('g', 6, Math.max(1, Math.floor(N.contacts / 20)))}), 'checkout:h' || g,
             '{"v":1,"at":null,"phase":"done","splits":{}}'::jsonb, 'holdout', t, t, t
      from (select g, '${T0}'::timestamptz - ${h('g', 7, minutes)} * interval '1 minute' as t from generate_series(1, ${N.holdoutRuns}) g) x
      on conflict do nothing`);
  });

  await step(`sends (one per treated run)`, async () => {
    await exec(`
    insert into sends (run_id, step_key, contact_id, campaign, campaign_version_id, template, purpose, priority, payload, status, reason, attempts,
                       not_before, provider_message_id, created_at, sent_at, settled_at, approved_at)
    select r.id, step, r.contact_id, '${CAMPAIGN}', ${vid}, tpl, 'email.marketing', 80, '{}'::jsonb, st,
           case st when 'suppressed' then 'no_consent' when 'deferred' then 'cap:email.marketing' when 'failed' then 'ses: MessageRejected' end,
           case when st = 'sent' then 1 else 0 end, r.started_at + interval '1 hour',
           case when st = 'sent' then 'ses-' || r.id end, r.started_at + interval '1 hour',
           case when st = 'sent' then r.started_at + interval '62 minutes' end,
           case when st in ('sent', 'suppressed', 'failed') then r.started_at + interval '62 minutes' end,
           case when st in ('sent', 'failed') then r.started_at + interval '61 minutes' end
    from (select r.*,
                 case when r.id % 10 < 6 then 'steps[1]' when r.id % 10 < 8 then 'steps[2].on_timeout[0].branch[0].steps[0]'
                      else 'steps[2].on_timeout[0].branch.otherwise[0]' end as step,
                 case when r.id % 10 < 6 then 'cart-reminder' when r.id % 10 < 8 then 'cart-discount' else 'cart-last-call' end as tpl,
                 case when r.id % 100 < 90 then 'sent' when r.id % 100 < 94 then 'suppressed' when r.id % 100 < 97 then 'deferred' else 'failed' end as st
          from runs r where r.status <> 'holdout') r
    order by r.id`);
  });

  await step(`links (2 per send + 3 campaign links)`, async () => {
    await exec(`
    insert into links (send_id, position, url, created_at)
    select s.id, p, 'https://shop.example.com/' || case p when 0 then 'cart' else 'products' end, s.created_at
    from sends s cross join generate_series(0, 1) p order by s.id, p`);
    await exec(`
    insert into links (send_id, position, url, campaign, network)
    select null, 0, 'https://shop.example.com/cart?utm_source=' || n, '${CAMPAIGN}', n from unnest('{facebook,google,sms}'::text[]) n`);
  });

  await step(`clicks (~3 % bots)`, async () => {
    // Each click picks a link of a sent mail; its contact and time follow the send (within 3 days of it).
    const [m] = rowsOf<{ max: number }>(await exec(`select max(id)::int as max from links where send_id is not null`));
    const links = m!.max;
    await exec(`
    insert into clicks (link_id, send_id, contact_id, clicked_at, ip, user_agent, is_bot, bot_reason)
    select l.id, s.id, s.contact_id, least(s.sent_at + ${h('g', 9, 4320)} * interval '1 minute', '${T0}'::timestamptz),
           '10.0.' || (g % 250) || '.' || (g % 200), 'Mozilla/5.0', b, case when b then 'scanner_ua' end
    from (select g, 1 + ${h('g', 8, links)} as lid, ${h('g', 10, 100)} < 3 as b from generate_series(1, ${Math.ceil(N.clicks / 0.88)}) g) x
    join links l on l.id = x.lid join sends s on s.id = l.send_id
    where s.status = 'sent'
    limit ${N.clicks - N.campaignLinkClicks}`);
    await exec(`
    insert into clicks (link_id, send_id, contact_id, clicked_at, is_bot, bot_reason)
    select l.id, null, null, '${T0}'::timestamptz - ${h('g', 11, minutes)} * interval '1 minute', g % 20 = 0, case when g % 20 = 0 then 'scanner_ua' end
    from generate_series(1, ${N.campaignLinkClicks}) g join links l on l.send_id is null and l.position = 0 and l.network = (array['facebook','google','sms'])[1 + g % 3]`);
  });

  await step(`opens (~40 % machine)`, async () => {
    const [m] = rowsOf<{ max: number }>(await exec(`select max(id)::int as max from sends`));
    await exec(`
    insert into opens (send_id, contact_id, opened_at, ip, user_agent, is_bot, bot_reason)
    select s.id, s.contact_id, least(s.sent_at + ${h('g', 13, 2880)} * interval '1 minute', '${T0}'::timestamptz), '10.1.0.1', 'Mozilla/5.0', b,
           case when b then 'apple_mpp' end
    from (select g, 1 + ${h('g', 12, m!.max)} as sid, ${h('g', 14, 100)} < 40 as b from generate_series(1, ${Math.ceil(N.opens / 0.88)}) g) x
    join sends s on s.id = x.sid where s.status = 'sent'
    limit ${N.opens}`);
  });

  await step(`orders (EUR, ~2 % PLN)`, async () => {
    await exec(`
    insert into orders (source, order_id, contact_id, checkout_id, total, currency, items, refunded, landing_url, utm_source, utm_medium, utm_campaign, occurred_at, created_at, attributed_at)
    select 'shopify', 'o' || g, 1 + ${h('g', 15, N.contacts)}, 'k' || g, tot, case when g % 50 = 0 then 'PLN' else 'EUR' end,
           '[{"sku":"A1","qty":1}]'::jsonb, case when g % 20 = 0 then round(tot / 2, 2) else 0 end,
           case when u is not null then 'https://shop.example.com/?utm_source=' || u end, u, case when u is not null then 'cpc' end,
           case when u is not null then '${CAMPAIGN}' end, t, t, t + interval '1 minute'
    from (select g, round((10 + ${h('g', 16, 30000)} / 100.0)::numeric, 2) as tot,
                 '${T0}'::timestamptz - ${h('g', 17, minutes)} * interval '1 minute' as t,
                 case ${h('g', 18, 20)} when 0 then 'facebook' when 1 then 'google' end as u
          from generate_series(1, ${N.orders}) g) x`);
  });

  await step(`attributions (5 models, weight 1) + daily rollup`, async () => {
    const [m] = rowsOf<{ max: number }>(await exec(`select max(id)::int as max from sends`));
    await exec(`
    insert into attributions (order_id, send_id, campaign, model, touch, weight, revenue, created_at)
    select o.id, 1 + ${h('o.id', 19, m!.max)}, '${CAMPAIGN}', m, case when m = 'utm' then 'utm' else 'click' end, 1,
           greatest(o.total - o.refunded, 0), o.attributed_at
    from orders o cross join unnest('{last_click,first_click,linear,time_decay,utm}'::text[]) m`);
    // What src/storage/attribution.ts rollUp maintains, for every order at once.
    await exec(`
    insert into attribution_daily (campaign, model, day, currency, network, orders, revenue)
    select a.campaign, a.model, (o.occurred_at at time zone 'UTC')::date, o.currency,
           case when a.model = 'utm' then coalesce(o.utm_source, '(none)') else '' end, sum(a.weight), sum(a.revenue)
    from attributions a join orders o on o.id = a.order_id group by 1, 2, 3, 4, 5`);
  });

  await step(`events (complaints + other traffic)`, async () => {
    await exec(`
    insert into events (dedupe_key, type, contact_id, properties, occurred_at, received_at, source, processed_at)
    select 'e' || g, case when g <= ${N.complaints} then 'email.complained' else 'checkout.started' end, 1 + ${h('g', 20, N.contacts)},
           case when g <= ${N.complaints} then jsonb_build_object('campaign', '${CAMPAIGN}', 'send_id', g) else jsonb_build_object('checkout_id', 'k' || g) end,
           t, t, 'bench', t
    from (select g, '${T0}'::timestamptz - ${h('g', 21, minutes)} * interval '1 minute' as t from generate_series(1, ${N.complaints + N.otherEvents}) g) x`);
  });
  await step(`report rollups (engagement_daily, first touches, entries)`, async () => {
    // The same set-based backfill as migrations/0013_report_rollups.sql.
    await exec(`update sends s set first_human_click_at = k.at
    from (select send_id, min(clicked_at) as at from clicks where not is_bot and send_id is not null group by 1) k where s.id = k.send_id`);
    await exec(`update sends s set first_human_open_at = o.at
    from (select send_id, min(opened_at) as at from opens where not is_bot group by 1) o where s.id = o.send_id`);
    await exec(`
    insert into engagement_daily (campaign, day, metric, n)
    select campaign, day, metric, sum(n) from (
      select campaign, (sent_at at time zone 'UTC')::date as day, 'sent' as metric, count(*) as n
        from sends where status = 'sent' and sent_at is not null group by 1, 2
      union all
      select s.campaign, (k.clicked_at at time zone 'UTC')::date, case when k.is_bot then 'click_bot' else 'click_human' end, count(*)
        from clicks k join sends s on s.id = k.send_id group by 1, 2, 3
      union all
      select s.campaign, (o.opened_at at time zone 'UTC')::date, case when o.is_bot then 'open_machine' else 'open_human' end, count(*)
        from opens o join sends s on s.id = o.send_id group by 1, 2, 3
      union all
      select campaign, (first_human_click_at at time zone 'UTC')::date, 'click_unique', count(*)
        from sends where first_human_click_at is not null group by 1, 2
      union all
      select campaign, (first_human_open_at at time zone 'UTC')::date, 'open_unique', count(*)
        from sends where first_human_open_at is not null group by 1, 2
    ) m group by 1, 2, 3`);
    await exec(`insert into campaign_entries (campaign, contact_id, held_out, entered_at)
    select campaign, contact_id, status = 'holdout', min(started_at) from runs group by 1, 2, 3`);
    // What the attribution phase writes per order (src/storage/attribution.ts replaceHoldoutOrders), 5-day click window.
    await exec(`insert into holdout_orders (campaign, held_out, contact_id, order_id, currency, amount)
    select e.campaign, e.held_out, e.contact_id, o.id, o.currency, greatest(o.total - o.refunded, 0)
    from campaign_entries e join orders o on o.contact_id = e.contact_id and o.occurred_at >= e.entered_at
      and o.occurred_at < e.entered_at + interval '5 days'`);
    // The run and send rollups were kept by their triggers while seeding; fold their deltas as the tick does.
    await database.db.transaction((tx) => foldRollupDeltas(tx));
  });
  await step('vacuum analyze', () => exec('vacuum analyze'));
  return { holdout };
}
