import { sql } from 'drizzle-orm';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type CurrencyRule, NO_SHOP_CURRENCY } from '../../src/attribution/currency';
import { byCohort, bySegment, cohortTable, pareto, type PeriodCustomer, rnvl, rnvlBy } from '../../src/analytics/measures/index';
import { applyProject } from '../../src/campaigns/apply';
import { periodLabels, retentionView, valueView, type Money } from '../../src/reports/analytics';
import { customerValueRows, periodActivity, periodAggregates, type PeriodKind } from '../../src/storage/analytics-views';
import type { Database } from '../../src/storage/db';
import { backend, useTestDatabase } from '../helpers/db';
import { at, compileInline, query } from '../helpers/engine';

/**
 * The SQL-fed retention and value views (aggregates computed in the database) against the old
 * per-customer path: every customer-period row read by `periodActivity` and every customer by
 * `customerValueRows`, fed to the pure `rnvl`, `rnvlBy`, `cohortTable` and `pareto` exactly as
 * the views did before. A seeded data set of a few hundred customers over ~14 months: several
 * segments (mixed case, empty, none), partly and fully refunded orders, zero totals with refunds
 * (negative revenue), a currency without a rate, orders after `now`, orders just around month
 * ends (a different month in Europe/Warsaw than in UTC), orders without a contact; then orders
 * 30 months back, so that cohorts fall before the window and some groups have no activity in it.
 * Compared as JSON text, so key order and every float must be the same.
 */
const t = useTestDatabase('analytics_views_sql');
const now = at('2026-12-15T12:00:00Z');

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = mulberry32(20261215);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const cents = (max: number): string => (Math.floor(rand() * max * 100) / 100).toFixed(2);

const CHANNELS: Array<string | null> = ['google', 'Google', 'facebook', 'FaceBook', 'newsletter', 'tiktok', '', null];
const CURRENCIES = ['EUR', 'EUR', 'EUR', 'EUR', 'PLN', 'PLN', 'USD', 'JPY'];
const N_CUSTOMERS = 320;

async function insertContacts(database: Database, n: number, prefix: string): Promise<number[]> {
  const rows = Array.from({ length: n }, (_, i) => {
    const channel = pick(CHANNELS);
    return { external_id: `${prefix}-${i}`, attributes: channel === null ? {} : { acquisition_channel: channel } };
  });
  const ids = await query<{ id: string | number }>(
    database,
    sql`insert into contacts (external_id, attributes)
        select external_id, attributes from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(external_id text, attributes jsonb)
        returning id`,
  );
  return ids.map((r) => Number(r.id)).sort((a, b) => a - b);
}

interface OrderRow {
  order_id: string;
  contact_id: number | null;
  total: string;
  refunded: string;
  currency: string;
  occurred_at: string;
}

let orderSeq = 0;
function order(contactId: number | null, occurredAt: Date): OrderRow {
  const r = rand();
  let total = cents(400);
  let refunded = '0.00';
  if (r < 0.08)
    refunded = total; // fully refunded: not counted at all
  else if (r < 0.16)
    refunded = (Number(total) / 3).toFixed(2); // partly refunded
  else if (r < 0.2)
    total = '0.00'; // zero total: active with no revenue
  else if (r < 0.22) ((total = '0.00'), (refunded = cents(20))); // zero total with a refund: negative revenue
  return {
    order_id: `o-${++orderSeq}`,
    contact_id: contactId,
    total,
    refunded,
    currency: pick(CURRENCIES),
    occurred_at: occurredAt.toISOString(),
  };
}

async function insertOrders(database: Database, orders: OrderRow[]): Promise<void> {
  for (let i = 0; i < orders.length; i += 500)
    await query(
      database,
      sql`insert into orders (source, order_id, contact_id, total, refunded, currency, occurred_at)
          select 'test', order_id, contact_id, total, refunded, currency, occurred_at
          from jsonb_to_recordset(${JSON.stringify(orders.slice(i, i + 500))}::jsonb)
            as r(order_id text, contact_id bigint, total numeric, refunded numeric, currency text, occurred_at timestamptz)`,
    );
}

/** Orders over ~14 months up to a month after `now`, some just before or after a month end in UTC. */
function recentOrders(ids: number[]): OrderRow[] {
  const from = at('2025-10-20T00:00:00Z').getTime();
  const to = at('2027-01-20T00:00:00Z').getTime();
  const out: OrderRow[] = [];
  for (const id of ids) {
    // A start month and a habit: some buy every month, some rarely, some come back after a pause.
    const start = from + rand() * (to - from) * 0.9;
    const gapDays = pick([12, 25, 31, 45, 80, 150]);
    const count = 1 + Math.floor(rand() * 9);
    let when = start;
    for (let k = 0; k < count && when < to; k++) {
      out.push(order(id, new Date(Math.floor(when / 60_000) * 60_000)));
      when += (gapDays * (0.4 + rand() * 1.2) + (rand() < 0.1 ? 120 : 0)) * 86_400_000;
    }
    if (rand() < 0.15) {
      // 23:30 UTC on the last day of a month: the next month in Warsaw.
      const month = Math.floor(rand() * 13);
      const d = new Date(Date.UTC(2025, 10 + month, 0, 23, 30));
      out.push(order(id, d));
    }
  }
  for (let k = 0; k < 20; k++) out.push(order(null, new Date(from + rand() * (to - from))));
  return out;
}

/** Random customer_metrics rows (value may be null, negative or above revenue) for the value view. */
async function insertMetrics(database: Database, ids: number[]): Promise<void> {
  const rows = ids
    .filter(() => rand() < 0.9)
    .map((id) => {
      const orders = rand() < 0.1 ? 0 : 1 + Math.floor(rand() * 6);
      const revenue = rand() < 0.05 ? '0.00' : cents(900);
      const r = rand();
      const value = r < 0.15 ? null : r < 0.35 ? `-${cents(80)}` : r < 0.4 ? revenue : (Number(revenue) - Number(cents(60))).toFixed(2);
      return { contact_id: id, orders, revenue, value };
    });
  // Ties in value and revenue, for the order by id.
  for (const r of rows.slice(0, 12)) ((r.revenue = '100.00'), (r.value = '40.00'));
  await query(
    database,
    sql`insert into customer_metrics (contact_id, orders, revenue, value, stage, stage_since, computed_at)
        select contact_id, orders, revenue, value, 'new', now(), now()
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(contact_id bigint, orders int, revenue numeric, value numeric)`,
  );
}

/** What retentionView computed before the aggregation moved into SQL: per customer-period rows into the pure measures. */
async function oldRetention(database: Database, money: Money, timezone: string, period: PeriodKind) {
  const MAX: Record<PeriodKind, number> = { month: 24, quarter: 12, year: 10 };
  return database.db.transaction(async (tx) => {
    const rows = await periodActivity(tx, { zone: timezone, period, rates: money.rates, now });
    const labels = periodLabels(now, timezone, period, MAX[period]);
    const earliest = rows.reduce<string | null>((a, r) => (a === null || r.period < a ? r.period : a), null);
    const periods = labels.slice(
      Math.max(0, Math.min(labels.length - 2, earliest === null ? Infinity : labels.findIndex((l) => l >= earliest))),
    );
    const byId = new Map<number, PeriodCustomer & { active: Record<string, number> }>();
    for (const r of rows) {
      const c = byId.get(r.contactId) ?? { id: r.contactId, cohort: r.cohort, ...(r.segment ? { segment: r.segment } : {}), active: {} };
      c.active[r.period] = r.revenue;
      byId.set(r.contactId, c);
    }
    const input = { customers: [...byId.values()], periods, currency: money.currency ?? 'EUR' };
    return {
      periods,
      rnvl: rnvl(input),
      bySegment: rnvlBy(input, bySegment),
      byCohort: rnvlBy(input, byCohort),
      cohorts: cohortTable(input),
      customers: byId.size,
    };
  });
}

/** What valueView computed before: every customer into `pareto`. */
async function oldValue(database: Database, money: Money) {
  return database.db.transaction(async (tx) => {
    const rows = await customerValueRows(tx);
    const { ranked: _ranked, ...rest } = pareto(
      rows.map((r) => ({
        id: r.contactId,
        ...(r.segment ? { segment: r.segment } : {}),
        revenue: r.revenue,
        cost: Math.round((r.revenue - r.value) * 100) / 100,
        value: r.value,
      })),
      money.currency ?? 'EUR',
    );
    return rest;
  });
}

const RULES: Array<[string, CurrencyRule]> = [
  ['EUR with a PLN rate (USD and JPY without)', { shop: 'EUR', rates: { PLN: 0.23 } }],
  ['no shop currency (the most common one)', NO_SHOP_CURRENCY],
  ['JPY (no minor unit: cents rounded again, half up)', { shop: 'JPY', rates: { EUR: 160.37, PLN: 37.1, USD: 149.5 } }],
  ['KWD (three minor digits)', { shop: 'KWD', rates: { EUR: 0.331, PLN: 0.0767 } }],
];
const KINDS: PeriodKind[] = ['month', 'quarter', 'year'];

async function expectSameRetention(label: string): Promise<{ customers: number; periods: number }> {
  let seen = { customers: 0, periods: 0 };
  for (const [, rule] of RULES)
    for (const period of KINDS) {
      const view = await retentionView(t.database, rule, now, { period });
      const old = await oldRetention(t.database, view.currency, view.timezone, period);
      const { customers, ...expected } = old;
      const actual = { periods: view.periods, rnvl: view.rnvl, bySegment: view.bySegment, byCohort: view.byCohort, cohorts: view.cohorts };
      expect(JSON.stringify(actual), `${label}: ${rule.shop ?? 'common'} by ${period}`).toBe(JSON.stringify(expected));
      expect(actual).toEqual(expected);
      if (period === 'month') seen = { customers, periods: view.periods.length };
    }
  return seen;
}

async function expectSameValue(): Promise<void> {
  for (const [, rule] of RULES) {
    const view = await valueView(t.database, rule);
    const expected = await oldValue(t.database, view.currency);
    expect(JSON.stringify(view.pareto), rule.shop ?? 'common').toBe(JSON.stringify(expected));
    expect(view.pareto).toEqual(expected);
  }
}

let ids: number[] = [];

describe(`SQL-fed retention and value views equal the per-customer path on ${backend}`, () => {
  it('an empty base: no orders, no metrics (the last two periods, zero customers)', async () => {
    const seen = await expectSameRetention('empty');
    expect(seen).toEqual({ customers: 0, periods: 2 });
    await expectSameValue();
    ids = await insertContacts(t.database, N_CUSTOMERS, 'c');
    await insertOrders(t.database, recentOrders(ids));
    await insertMetrics(t.database, ids);
  });

  it('retention, R = N·V·L by segment and cohort, cohort table: UTC (no calendar), ~14 months', async () => {
    const seen = await expectSameRetention('UTC');
    expect(seen.customers).toBeGreaterThan(250);
    expect(seen.periods).toBeGreaterThanOrEqual(14);
    expect(seen.periods).toBeLessThan(24);
    // The data set exercises every class.
    const view = await retentionView(t.database, { shop: 'EUR', rates: { PLN: 0.23 } }, now);
    const sum = (f: (p: (typeof view.rnvl)[number]) => number) => view.rnvl.reduce((a, p) => a + f(p), 0);
    expect(sum((p) => p.retained ?? 0)).toBeGreaterThan(0);
    expect(sum((p) => p.customers.new)).toBeGreaterThan(0);
    expect(sum((p) => p.customers.reactivated)).toBeGreaterThan(0);
    expect(view.rnvl.some((p) => p.decomposition.method !== null)).toBe(true);
    expect(view.bySegment.map((g) => g.key)).toEqual(['facebook', 'google', 'newsletter', 'tiktok']);
  });

  it('the database returns aggregates only: rows ∝ groups × periods × classes, not customers', async () => {
    const periods = periodLabels(now, 'UTC', 'month', 24);
    const rows = await t.database.db.transaction((tx) =>
      periodAggregates(tx, { zone: 'UTC', period: 'month', rates: { EUR: 1 }, now, periods, minorDigits: 2 }),
    );
    const groups = 1 + rows.groups.length;
    expect(rows.cells.length).toBeLessThanOrEqual(groups * periods.length * 4);
    expect(rows.groups.filter((g) => g.kind === 'segment').length).toBe(4);
  });

  it('the value view: totals, the curve, top 20 %, the unprofitable, segments', async () => {
    await expectSameValue();
    const view = await valueView(t.database, { shop: 'EUR', rates: {} });
    expect(view.pareto.customers).toBeGreaterThan(200);
    expect(view.pareto.unprofitable.customers).toBeGreaterThan(0);
    expect(view.pareto.segments.at(-1)!.segment).toBeNull();
  });

  it('in the calendar’s zone (Europe/Warsaw): month ends fall in the next month', async () => {
    const project = compileInline(
      {
        'campaigns/calendar.yaml': readFileSync('campaigns/calendar.yaml', 'utf8'),
        'campaigns/segments.yaml': readFileSync('campaigns/segments.yaml', 'utf8'),
      },
      readdirSync('templates'),
    );
    await applyProject(t.database, project, now);
    expect((await retentionView(t.database, NO_SHOP_CURRENCY, now)).timezone).toBe('Europe/Warsaw');
    await expectSameRetention('Warsaw');
  });

  it('with orders 30 months back: the full 24 months, cohorts before the window, groups without activity in it', async () => {
    const old = await insertContacts(t.database, 40, 'old');
    const orders: OrderRow[] = [];
    // Old customers who never came back, and some of the recent ones who first ordered long ago.
    for (const id of [...old, ...ids.filter(() => rand() < 0.2)])
      orders.push(order(id, new Date(at('2024-05-01T00:00:00Z').getTime() + rand() * 200 * 86_400_000)));
    // A segment only old customers have.
    await query(t.database, sql`update contacts set attributes = '{"acquisition_channel": "Print"}' where id = ${old[0]!}`);
    await insertOrders(t.database, orders);
    const seen = await expectSameRetention('Warsaw, 30 months');
    expect(seen.periods).toBe(24);
    const view = await retentionView(t.database, NO_SHOP_CURRENCY, now);
    expect(view.bySegment.map((g) => g.key)).toContain('print');
    expect(view.byCohort.some((g) => g.key < view.periods[0]!)).toBe(true);
  });
});
