import { sql } from 'drizzle-orm';
import type { Tx } from './db';
import { rowsOf } from './sql-values';

/**
 * The raw counts of one campaign's report (src/reports/campaign.ts), each one set-based
 * statement over the campaign's sends, runs, clicks, opens, consent withdrawals, complaints and
 * attributions, optionally limited to sends/orders in [from, to).
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
  const sends = rowsOf<{ status: string; n: unknown }>(
    await tx.execute(
      sql`select status, count(*) as n from sends where campaign = ${campaign} and ${inRange(sql.raw('created_at'))} group by status order by status`,
    ),
  ).map((r) => ({ status: r.status, n: int(r.n) }));
  const [recipients] = rowsOf<{ n: unknown }>(
    await tx.execute(
      sql`select count(distinct contact_id) as n from sends where campaign = ${campaign} and status = 'sent' and ${inRange(sql.raw('created_at'))}`,
    ),
  );
  const [o] = rowsOf<{ human: unknown; machine: unknown; unique_human: unknown }>(
    await tx.execute(sql`
      select count(*) filter (where not o.is_bot) as human, count(*) filter (where o.is_bot) as machine,
             count(distinct o.send_id) filter (where not o.is_bot) as unique_human
      from opens o join sends s on s.id = o.send_id where s.campaign = ${campaign} and ${inRange(sql.raw('o.opened_at'))}`),
  );
  const [k] = rowsOf<{ human: unknown; bot: unknown; unique_human: unknown }>(
    await tx.execute(sql`
      select count(*) filter (where not k.is_bot) as human, count(*) filter (where k.is_bot) as bot,
             count(distinct k.send_id) filter (where not k.is_bot) as unique_human
      from clicks k join sends s on s.id = k.send_id where s.campaign = ${campaign} and ${inRange(sql.raw('k.clicked_at'))}`),
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
  // Revenue from the daily rollup (src/storage/attribution.ts keeps it in step): whole UTC days of the range.
  const dayRange = sql`day >= (${from}::timestamptz at time zone 'UTC')::date and day < (${to}::timestamptz at time zone 'UTC')::date`;
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
      with d as (
        select (sent_at at time zone 'UTC')::date as day, count(*) as sends, 0 as clicks
          from sends where campaign = ${campaign} and status = 'sent' and ${inRange(sql.raw('sent_at'))} group by 1
        union all
        select (k.clicked_at at time zone 'UTC')::date, 0, count(*) from clicks k join sends s on s.id = k.send_id
          where s.campaign = ${campaign} and not k.is_bot and ${inRange(sql.raw('k.clicked_at'))} group by 1
      )
      select day::text as day, sum(sends) as sends, sum(clicks) as clicks from d group by day order by day`),
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
    opens: { human: int(o?.human), machine: int(o?.machine), uniqueHuman: int(o?.unique_human) },
    clicks: { human: int(k?.human), bot: int(k?.bot), uniqueHuman: int(k?.unique_human) },
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
  const rows = rowsOf<{ held_out: boolean; contact_id: unknown; revenue: Array<{ currency: string; amount: string }> | null }>(
    await tx.execute(sql`
      with entered as (
        select status = 'holdout' as held_out, contact_id, min(started_at) as started_at
        from runs where campaign = ${campaign} group by 1, 2
      )
      select e.held_out, e.contact_id,
             (select json_agg(json_build_object('currency', b.currency, 'amount', b.amount::text) order by b.currency)
                from (select o.currency, sum(greatest(o.total - o.refunded, 0)) as amount from orders o
                       where o.contact_id = e.contact_id and o.occurred_at >= e.started_at
                         and o.occurred_at < e.started_at + ${Math.round(windowMs)}::bigint * interval '1 millisecond'
                       group by o.currency) b) as revenue
      from entered e`),
  );
  type Arm = { heldOut: boolean; contacts: number; buyers: Array<{ revenue: Array<{ currency: string; amount: number }> }> };
  const arms = new Map<boolean, Arm>();
  for (const r of rows) {
    const arm = arms.get(r.held_out) ?? { heldOut: r.held_out, contacts: 0, buyers: [] };
    arm.contacts++;
    const revenue = typeof r.revenue === 'string' ? (JSON.parse(r.revenue) as typeof r.revenue) : r.revenue;
    if (revenue?.length) arm.buyers.push({ revenue: revenue.map((x) => ({ currency: x.currency, amount: Number(x.amount) })) });
    arms.set(r.held_out, arm);
  }
  return [...arms.values()];
}
