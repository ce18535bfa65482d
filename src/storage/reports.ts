import { sql } from 'drizzle-orm';
import type { Tx } from './db';
import { rowsOf } from './sql-values';

/**
 * The raw counts of one campaign's report (src/reports/campaign.ts), each one set-based
 * statement over a rollup, optionally limited to the whole UTC days of [from, to): sends by
 * status and per step (by the day a send was made) and the run funnel (by the day a run started)
 * from the triggers' rollups (./rollups.ts); recipients from `campaign_recipients`; opens, clicks,
 * daily sends/clicks and revenue, and network orders from the daily rollups (`engagement_daily`,
 * `attribution_daily`; a unique click or open is a send whose FIRST human click/open fell in it);
 * unsubscribes, complaints and network clicks by their own time. No statement reads one row per
 * send, run, click or order: 1M of each stay a few hundred rows per campaign.
 */
export interface CampaignCounts {
  sends: Array<{ status: string; n: number }>;
  recipients: number;
  opens: { human: number; machine: number; uniqueHuman: number };
  clicks: { human: number; bot: number; uniqueHuman: number };
  unsubscribes: number;
  complaints: number;
  revenue: Array<{ model: string; currency: string; orders: number; revenue: string }>;
  funnel: Array<{ step: string; status: string; phase: string | null; n: number }>;
  /** Sends per step, template, status and reason (why it was held, suppressed, failed or cancelled; null: none). */
  sendsByStep: Array<{ step: string; template: string; status: string; reason: string | null; n: number }>;
  exits: Array<{ reason: string; n: number }>;
  /** Per UTC day: sent mails, human clicks, and last-click revenue per currency. */
  daily: Array<{ day: string; sends: number; clicks: number; revenue: Array<{ currency: string; revenue: string }> }>;
  /** Campaign links (minted for other channels) and UTM-landing orders, per network (`utm_source`). */
  networks: Array<{ network: string; clicks: number; botClicks: number; orders: number; currency: string | null; revenue: string }>;
}

const int = (v: unknown) => Number(v ?? 0);

export async function campaignCounts(tx: Tx, campaign: string, range: { from?: Date; to?: Date } = {}): Promise<CampaignCounts> {
  const from = range.from?.toISOString() ?? '1970-01-01T00:00:00Z';
  const to = range.to?.toISOString() ?? '9999-01-01T00:00:00Z';
  const inRange = (col: ReturnType<typeof sql.raw>) => sql`${col} >= ${from}::timestamptz and ${col} < ${to}::timestamptz`;
  // A report reads a few thousand rows at most: JIT compilation only costs, and the per-step
  // grouping must not spill to disk.
  await tx.execute(sql`set local jit = off`);
  await tx.execute(sql`set local work_mem = '64MB'`);
  // Revenue and engagement from the daily rollups (./attribution.ts, ./engagement.ts keep them in step): whole UTC days of the range.
  const dayRange = sql`day >= (${from}::timestamptz at time zone 'UTC')::date and day < (${to}::timestamptz at time zone 'UTC')::date`;
  const engagement = new Map(
    rowsOf<{ metric: string; n: unknown }>(
      await tx.execute(
        sql`select metric, sum(n)::float8 as n from engagement_daily where campaign = ${campaign} and ${dayRange} group by 1`,
      ),
    ).map((r) => [r.metric, int(r.n)]),
  );
  const metric = (name: string) => engagement.get(name) ?? 0;
  // Sends per step, template, status and reason from the send rollup (daily rows + unfolded deltas, ./rollups.ts).
  const sendsByStep = rowsOf<{ step: string; template: string; status: string; reason: string; n: unknown }>(
    await tx.execute(sql`
      select step, template, status, reason, sum(n) as n from (
        select step, template, status, reason, n, first_at from send_daily where campaign = ${campaign} and ${dayRange}
        union all
        select step, template, status, reason, n, first_at from send_deltas where campaign = ${campaign} and ${dayRange}
      ) d group by 1, 2, 3, 4 having sum(n) <> 0 order by min(first_at), 1, 3, 5 desc, 4`),
  ).map((r) => ({ step: r.step, template: r.template, status: r.status, reason: r.reason === '' ? null : r.reason, n: int(r.n) }));
  const byStatus = new Map<string, number>();
  for (const r of sendsByStep) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + r.n);
  const sends = [...byStatus].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([status, n]) => ({ status, n }));
  // Contacts sent a mail created in the range's days. From the beginning: the recipients table
  // (first mail per contact, index-only); from a later day, those first mailed before it could be
  // mailed again in it, so that count reads the range's sends (index-only over sends_campaign_status_idx).
  const [recipients] = rowsOf<{ n: unknown }>(
    await tx.execute(
      range.from === undefined
        ? sql`select count(*) as n from campaign_recipients
              where campaign = ${campaign} and first_sent_at < (${to}::timestamptz at time zone 'UTC')::date::timestamp at time zone 'UTC'`
        : sql`select count(*) as n from (select distinct contact_id from sends
              where campaign = ${campaign} and status = 'sent'
                and created_at >= (${from}::timestamptz at time zone 'UTC')::date::timestamp at time zone 'UTC'
                and created_at < (${to}::timestamptz at time zone 'UTC')::date::timestamp at time zone 'UTC') d`,
    ),
  );
  // The unsubscribe page and one-click name the send's campaign in the ledger text (src/http/unsubscribe.ts).
  const [u] = rowsOf<{ n: unknown }>(
    await tx.execute(sql`
      select count(*) as n from consent_records where source = 'unsubscribe_link' and granted = false
        and text like ${`% (${campaign}): %`} and ${inRange(sql.raw('occurred_at'))}`),
  );
  const [c] = rowsOf<{ n: unknown }>(
    await tx.execute(sql`
      select count(*) as n from events
      where type = 'email.complained' and properties->>'campaign' = ${campaign} and ${inRange(sql.raw('occurred_at'))}`),
  );
  const revenue = rowsOf<{ model: string; currency: string; orders: unknown; revenue: string }>(
    await tx.execute(sql`
      select model, currency, sum(orders)::float8 as orders, sum(revenue)::text as revenue
      from attribution_daily where campaign = ${campaign} and ${dayRange}
      group by model, currency having sum(orders) <> 0 or sum(revenue) <> 0 order by model, currency`),
  ).map((r) => ({ model: r.model, currency: r.currency, orders: Number(r.orders), revenue: r.revenue }));
  // Runs per step, status, phase and exit reason from the funnel rollup (daily rows + unfolded deltas).
  const runRows = rowsOf<{ step: string; status: string; phase: string; reason: string; n: unknown }>(
    await tx.execute(sql`
      select step, status, phase, reason, sum(n) as n from (
        select step, status, phase, reason, n from funnel_daily where campaign = ${campaign} and ${dayRange}
        union all
        select step, status, phase, reason, n from funnel_deltas where campaign = ${campaign} and ${dayRange}
      ) d group by 1, 2, 3, 4 having sum(n) <> 0`),
  ).map((r) => ({ ...r, n: int(r.n) }));
  const funnelKey = new Map<string, CampaignCounts['funnel'][number]>();
  const exitKey = new Map<string, number>();
  for (const r of runRows) {
    const phase = r.phase === '' ? null : r.phase;
    const key = JSON.stringify([r.step, r.status, phase]);
    const row = funnelKey.get(key) ?? funnelKey.set(key, { step: r.step, status: r.status, phase, n: 0 }).get(key)!;
    row.n += r.n;
    if (r.status === 'exited' || r.status === 'failed') {
      const reason = r.reason === '' ? r.status : r.reason;
      exitKey.set(reason, (exitKey.get(reason) ?? 0) + r.n);
    }
  }
  const cmp = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);
  const funnel = [...funnelKey.values()].sort((a, b) => cmp(a.step, b.step) || cmp(a.status, b.status) || cmp(a.phase, b.phase));
  const exits = [...exitKey].map(([reason, n]) => ({ reason, n })).sort((a, b) => b.n - a.n || cmp(a.reason, b.reason));
  const dailyCounts = rowsOf<{ day: string; sends: unknown; clicks: unknown }>(
    await tx.execute(sql`
      select day::text as day, sum(n) filter (where metric = 'sent') as sends, sum(n) filter (where metric = 'click_human') as clicks
      from engagement_daily where campaign = ${campaign} and metric in ('sent', 'click_human') and ${dayRange}
      group by day having sum(n) <> 0 order by day`),
  );
  const dailyRevenue = rowsOf<{ day: string; currency: string; revenue: string }>(
    await tx.execute(sql`
      select day::text as day, currency, sum(revenue)::text as revenue from attribution_daily
      where campaign = ${campaign} and model = 'last_click' and ${dayRange}
      group by 1, 2 having sum(revenue) <> 0 order by 1, 2`),
  );
  const byDay = new Map<string, CampaignCounts['daily'][number]>();
  const dayRow = (day: string) => byDay.get(day) ?? byDay.set(day, { day, sends: 0, clicks: 0, revenue: [] }).get(day)!;
  for (const r of dailyCounts) Object.assign(dayRow(r.day), { sends: int(r.sends), clicks: int(r.clicks) });
  for (const r of dailyRevenue) dayRow(r.day).revenue.push({ currency: r.currency, revenue: r.revenue });
  const daily = [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day));
  const networkClicks = rowsOf<{ network: string; human: unknown; bot: unknown }>(
    await tx.execute(sql`
      select l.network, count(*) filter (where not k.is_bot) as human, count(*) filter (where k.is_bot) as bot
      from clicks k join links l on l.id = k.link_id
      where l.campaign = ${campaign} and l.send_id is null and ${inRange(sql.raw('k.clicked_at'))} group by 1 order by 1`),
  );
  // The utm model's credits per network (the order's utm_source) from the daily rollup.
  const networkOrders = rowsOf<{ network: string; currency: string; orders: unknown; revenue: string }>(
    await tx.execute(sql`
      select network, currency, sum(orders)::float8 as orders, sum(revenue)::text as revenue
      from attribution_daily where campaign = ${campaign} and model = 'utm' and ${dayRange}
      group by 1, 2 having sum(orders) <> 0 or sum(revenue) <> 0 order by 1, 2`),
  );
  const networks = new Map<string, CampaignCounts['networks']>();
  for (const k of networkClicks)
    networks.set(k.network, [{ network: k.network, clicks: int(k.human), botClicks: int(k.bot), orders: 0, currency: null, revenue: '0' }]);
  for (const o of networkOrders) {
    const rows = networks.get(o.network) ?? [];
    const blank = rows.find((r) => r.currency === null);
    const row = {
      network: o.network,
      clicks: blank?.clicks ?? 0,
      botClicks: blank?.botClicks ?? 0,
      orders: Number(o.orders),
      currency: o.currency,
      revenue: o.revenue,
    };
    networks.set(o.network, [...rows.filter((r) => r !== blank), row]);
  }
  return {
    networks: [...networks.values()].flat(),
    sends,
    recipients: int(recipients?.n),
    opens: { human: metric('open_human'), machine: metric('open_machine'), uniqueHuman: metric('open_unique') },
    clicks: { human: metric('click_human'), bot: metric('click_bot'), uniqueHuman: metric('click_unique') },
    unsubscribes: int(u?.n),
    complaints: int(c?.n),
    revenue,
    funnel,
    sendsByStep,
    exits,
    daily,
  };
}

/** One holdout arm, as the lift (src/attribution/lift.ts GroupInput) takes it: revenue as sums over all its contacts. */
export interface HoldoutArm {
  heldOut: boolean;
  contacts: number;
  /** Contacts with any order in the window (a fully refunded one too). */
  converters: number;
  revenue: { sum: number; sumSquares: number };
}

/**
 * The holdout arms of a campaign: per arm (held out or treated) the contacts who entered
 * (`campaign_entries`), how many ordered within the campaign's click window after entering, and
 * the sum and sum of squares of each converter's revenue in that window (`holdout_orders`, kept by
 * the attribution phase) in one currency: each buyer's amount per currency × `rates` (currency →
 * rate into the report's currency; a currency without one adds nothing), rounded to `digits`
 * per amount as src/attribution/currency.ts does. TWO statements, both over per-campaign indexes.
 */
export async function holdoutArms(
  tx: Tx,
  campaign: string,
  rates: ReadonlyArray<{ currency: string; rate: number }>,
  digits: number,
): Promise<HoldoutArm[]> {
  const arms = new Map<boolean, HoldoutArm>();
  const arm = (heldOut: boolean) =>
    arms.get(heldOut) ?? arms.set(heldOut, { heldOut, contacts: 0, converters: 0, revenue: { sum: 0, sumSquares: 0 } }).get(heldOut)!;
  for (const r of rowsOf<{ held_out: boolean; n: unknown }>(
    await tx.execute(sql`select held_out, count(*) as n from campaign_entries where campaign = ${campaign} group by 1`),
  ))
    arm(r.held_out).contacts = int(r.n);
  const json = JSON.stringify(rates.map((r) => ({ currency: r.currency, rate: String(r.rate) })));
  for (const r of rowsOf<{ held_out: boolean; converters: unknown; sum: unknown; squares: unknown }>(
    await tx.execute(sql`
      with r as (select * from jsonb_to_recordset(${json}::jsonb) as r(currency text, rate numeric)),
      b as (
        select h.held_out, h.contact_id, sum(coalesce(round(h.amount * r.rate, ${digits}::int), 0)) as v
        from (select held_out, contact_id, currency, sum(amount) as amount from holdout_orders where campaign = ${campaign} group by 1, 2, 3) h
        left join r on r.currency = h.currency
        group by 1, 2
      )
      select held_out, count(*) as converters, sum(v)::float8 as sum, sum(v * v)::float8 as squares from b group by 1`),
  )) {
    const a = arm(r.held_out);
    a.converters = int(r.converters);
    a.revenue = { sum: Number(r.sum ?? 0), sumSquares: Number(r.squares ?? 0) };
  }
  return [...arms.values()];
}

/** The currency most of a holdout's converters bought in (ties: alphabetical), or null: the lift's currency when nothing else names one. */
export async function holdoutCurrency(tx: Tx, campaign: string): Promise<string | null> {
  const [row] = rowsOf<{ currency: string }>(
    await tx.execute(sql`
      select currency from (select distinct held_out, contact_id, currency from holdout_orders where campaign = ${campaign}) b
      group by 1 order by count(*) desc, 1 limit 1`),
  );
  return row?.currency ?? null;
}
