import { sql } from 'drizzle-orm';
import type { Tx } from './db';
import { rowsOf } from './sql-values';

/**
 * The raw counts of one campaign's report (src/reports/campaign.ts), each one set-based
 * statement, optionally limited to [from, to): sends by status and per step, recipients and the
 * funnel by the sends' / runs' creation time; opens, clicks, daily sends/clicks and revenue from
 * the daily rollups (`engagement_daily`, `attribution_daily`) over the whole UTC days of the range
 * (a unique click or open is a send whose FIRST human click/open fell in it); unsubscribes,
 * complaints and network clicks/orders by their own time.
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
  // Index-only over sends_campaign_status_idx.
  const sends = rowsOf<{ status: string; n: unknown }>(
    await tx.execute(
      sql`select status, count(*) as n from sends where campaign = ${campaign} and ${inRange(sql.raw('created_at'))} group by status order by status`,
    ),
  ).map((r) => ({ status: r.status, n: int(r.n) }));
  const [recipients] = rowsOf<{ n: unknown }>(
    await tx.execute(
      sql`select count(*) as n from (select distinct contact_id from sends
            where campaign = ${campaign} and status = 'sent' and ${inRange(sql.raw('created_at'))}) d`,
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
  const funnel = rowsOf<{ step: string | null; status: string; phase: string | null; n: unknown }>(
    await tx.execute(sql`
      select coalesce(state->>'at', '(end)') as step, status, state->>'phase' as phase, count(*) as n
      from runs where campaign = ${campaign} and ${inRange(sql.raw('started_at'))}
      group by 1, 2, 3 order by 1, 2, 3`),
  ).map((r) => ({ step: r.step ?? '(end)', status: r.status, phase: r.phase, n: int(r.n) }));
  const sendsByStep = rowsOf<{ step: string; template: string; status: string; reason: string | null; n: unknown }>(
    await tx.execute(sql`
      select step_key as step, template, status, reason, count(*) as n from sends
      where campaign = ${campaign} and ${inRange(sql.raw('created_at'))}
      group by 1, 2, 3, 4 order by min(created_at), 1, 3, 5 desc, 4`),
  ).map((r) => ({ step: r.step, template: r.template, status: r.status, reason: r.reason, n: int(r.n) }));
  const exits = rowsOf<{ reason: string; n: unknown }>(
    await tx.execute(sql`
      select coalesce(exit_reason, status) as reason, count(*) as n from runs
      where campaign = ${campaign} and status in ('exited', 'failed') and ${inRange(sql.raw('started_at'))}
      group by 1 order by 2 desc, 1`),
  ).map((r) => ({ reason: r.reason, n: int(r.n) }));
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
  const networkOrders = rowsOf<{ network: string; currency: string; orders: unknown; revenue: string }>(
    await tx.execute(sql`
      select coalesce(o.utm_source, '(none)') as network, o.currency, sum(a.weight)::float8 as orders, sum(a.revenue)::text as revenue
      from attributions a join orders o on o.id = a.order_id
      where a.campaign = ${campaign} and a.model = 'utm' and ${inRange(sql.raw('o.occurred_at'))} group by 1, 2 order by 1, 2`),
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

/**
 * The holdout arms of a campaign: per arm (held out or treated) the contacts who entered, how
 * many ordered within `windowMs` after entering, and each buyer's revenue in that window (total −
 * refunded), per currency: the caller converts or picks one (src/attribution/currency.ts), never
 * this query.
 */
export async function holdoutArms(
  tx: Tx,
  campaign: string,
  windowMs: number,
): Promise<Array<{ heldOut: boolean; contacts: number; buyers: Array<{ revenue: Array<{ currency: string; amount: number }> }> }>> {
  // Per arm the entered contacts (campaign_entries, kept by ./engagement.ts), then buyers only:
  // entries joined to their orders in the window, per buyer and currency.
  const rows = rowsOf<{ held_out: boolean; contact_id: unknown; n: unknown; currency: string | null; amount: string | null }>(
    await tx.execute(sql`
      select held_out, null::bigint as contact_id, count(*) as n, null::text as currency, null::text as amount
        from campaign_entries where campaign = ${campaign} group by 1
      union all
      select e.held_out, e.contact_id, null, o.currency, sum(greatest(o.total - o.refunded, 0))::text
        from campaign_entries e join orders o on o.contact_id = e.contact_id and o.occurred_at >= e.entered_at
          and o.occurred_at < e.entered_at + ${Math.round(windowMs)}::bigint * interval '1 millisecond'
        where e.campaign = ${campaign}
        group by 1, 2, 4
      order by 1, 2 nulls first, 4`),
  );
  type Arm = { heldOut: boolean; contacts: number; buyers: Array<{ revenue: Array<{ currency: string; amount: number }> }> };
  const arms = new Map<boolean, Arm>();
  const buyers = new Map<string, { revenue: Array<{ currency: string; amount: number }> }>();
  for (const r of rows) {
    const arm = arms.get(r.held_out) ?? arms.set(r.held_out, { heldOut: r.held_out, contacts: 0, buyers: [] }).get(r.held_out)!;
    if (r.contact_id === null) {
      arm.contacts = int(r.n);
      continue;
    }
    const key = `${r.held_out}:${String(r.contact_id)}`;
    let buyer = buyers.get(key);
    if (!buyer) {
      buyer = { revenue: [] };
      buyers.set(key, buyer);
      arm.buyers.push(buyer);
    }
    buyer.revenue.push({ currency: r.currency!, amount: Number(r.amount) });
  }
  return [...arms.values()];
}
