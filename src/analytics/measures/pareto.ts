/**
 * Pareto view and segment profitability of customer values (value.ts). Money is summed in integer
 * minor units; shares are plain ratios.
 *
 * - `ranked`: customers sorted by value, highest first, ties by id ascending.
 * - `curve`: 21 points, at each 5 % of customers (customerShare = k/20, k = 0…20): the first
 *   ⌈k · n / 20⌉ customers of `ranked` (the most valuable ones) and the share of total revenue and
 *   of total value they bring; a share is null when its total is ≤ 0.
 * - `top20Share`: the share of total revenue brought by the top 20 % of customers by revenue
 *   (sorted by revenue, highest first, ties by id ascending); a fractional boundary is rounded up,
 *   so the top 20 % of n customers is the first ⌈n / 5⌉ (of 7 customers, 2). Null when total
 *   revenue is ≤ 0 or there are no customers.
 * - `unprofitable`: customers with value < 0 (to the minor unit), their count, share of all
 *   customers and total value.
 * - `segments`: per segment, customers, revenue, cost, value and value per customer; segments in
 *   code-unit order, customers without a segment last under `segment: null`.
 */
import { fromMinor, toMinor } from '../../attribution/money';

export interface ValuedCustomer {
  id: number;
  segment?: string;
  revenue: number;
  cost: number;
  value: number;
}

export interface CurvePoint {
  customerShare: number;
  customers: number;
  revenueShare: number | null;
  valueShare: number | null;
}

export interface SegmentProfit {
  segment: string | null;
  customers: number;
  revenue: number;
  cost: number;
  value: number;
  valuePerCustomer: number | null;
}

export interface ParetoResult {
  customers: number;
  revenue: number;
  cost: number;
  value: number;
  ranked: ValuedCustomer[];
  curve: CurvePoint[];
  top20: { customers: number; revenue: number };
  top20Share: number | null;
  unprofitable: { customers: number; share: number | null; value: number };
  segments: SegmentProfit[];
}

/**
 * What the Pareto view needs, money in integer minor units: totals; per curve point k = 0…20 the
 * number of customers ⌈k · n / 20⌉ and the sums of revenue and value of those first customers by
 * value (highest first, ties by id); the first ⌈n / 5⌉ by revenue (highest first, ties by id),
 * their count and revenue; the customers with value < 0, their count and value; per segment
 * (null: none) the count and the sums.
 */
export interface ParetoAggregate {
  customers: number;
  revenue: number;
  cost: number;
  value: number;
  curve: ReadonlyArray<{ customers: number; revenue: number; value: number }>;
  top20: { customers: number; revenue: number };
  unprofitable: { customers: number; value: number };
  segments: ReadonlyArray<{ segment: string | null; customers: number; revenue: number; cost: number; value: number }>;
}

interface Minor {
  c: ValuedCustomer;
  revenue: number;
  cost: number;
  value: number;
}

const sum = (xs: readonly Minor[], f: (m: Minor) => number): number => xs.reduce((a, m) => a + f(m), 0);
const share = (part: number, total: number): number | null => (total > 0 ? part / total : null);
const bySegment = (a: string | null, b: string | null): number => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);

function minorOf(values: readonly ValuedCustomer[], currency: string): Minor[] {
  return values.map((c) => ({
    c,
    revenue: toMinor(c.revenue, currency),
    cost: toMinor(c.cost, currency),
    value: toMinor(c.value, currency),
  }));
}

const rankByValue = (all: readonly Minor[]): Minor[] => [...all].sort((a, b) => b.value - a.value || a.c.id - b.c.id);

function aggregateMinor(all: readonly Minor[]): ParetoAggregate {
  const n = all.length;
  const byValue = rankByValue(all);
  const byRevenue = [...all].sort((a, b) => b.revenue - a.revenue || a.c.id - b.c.id);
  const curve: Array<{ customers: number; revenue: number; value: number }> = [];
  for (let k = 0; k <= 20; k++) {
    const first = byValue.slice(0, Math.ceil((k * n) / 20));
    curve.push({ customers: first.length, revenue: sum(first, (m) => m.revenue), value: sum(first, (m) => m.value) });
  }
  const top = byRevenue.slice(0, Math.ceil(n / 5));
  const losing = all.filter((m) => m.value < 0);
  const groups = new Map<string | null, Minor[]>();
  for (const m of all) {
    const k = m.c.segment ?? null;
    const list = groups.get(k);
    if (list) list.push(m);
    else groups.set(k, [m]);
  }
  return {
    customers: n,
    revenue: sum(all, (m) => m.revenue),
    cost: sum(all, (m) => m.cost),
    value: sum(all, (m) => m.value),
    curve,
    top20: { customers: top.length, revenue: sum(top, (m) => m.revenue) },
    unprofitable: { customers: losing.length, value: sum(losing, (m) => m.value) },
    segments: [...groups.entries()].map(([segment, members]) => ({
      segment,
      customers: members.length,
      revenue: sum(members, (m) => m.revenue),
      cost: sum(members, (m) => m.cost),
      value: sum(members, (m) => m.value),
    })),
  };
}

/** Step one: the aggregates of customer values, computed here (the database computes the same in src/storage). */
export function paretoAggregate(values: readonly ValuedCustomer[], currency: string): ParetoAggregate {
  return aggregateMinor(minorOf(values, currency));
}

/** Step two: everything of `pareto` but `ranked`, from the aggregates (segments in any order). */
export function paretoFromAggregates(a: ParetoAggregate, currency: string): Omit<ParetoResult, 'ranked'> {
  const major = (m: number): number => fromMinor(m, currency);
  const n = a.customers;
  const curve = a.curve.map((p, k): CurvePoint => ({
    customerShare: k / 20,
    customers: p.customers,
    revenueShare: share(p.revenue, a.revenue),
    valueShare: share(p.value, a.value),
  }));
  const segments = [...a.segments]
    .sort((x, y) => bySegment(x.segment, y.segment))
    .map((s): SegmentProfit => ({
      segment: s.segment,
      customers: s.customers,
      revenue: major(s.revenue),
      cost: major(s.cost),
      value: major(s.value),
      valuePerCustomer: s.customers > 0 ? major(s.value) / s.customers : null,
    }));
  return {
    customers: n,
    revenue: major(a.revenue),
    cost: major(a.cost),
    value: major(a.value),
    curve,
    top20: { customers: a.top20.customers, revenue: major(a.top20.revenue) },
    top20Share: n > 0 ? share(a.top20.revenue, a.revenue) : null,
    unprofitable: {
      customers: a.unprofitable.customers,
      share: n > 0 ? a.unprofitable.customers / n : null,
      value: major(a.unprofitable.value),
    },
    segments,
  };
}

export function pareto(values: readonly ValuedCustomer[], currency: string): ParetoResult {
  const all = minorOf(values, currency);
  const { customers, revenue, cost, value, ...rest } = paretoFromAggregates(aggregateMinor(all), currency);
  return { customers, revenue, cost, value, ranked: rankByValue(all).map((m) => m.c), ...rest };
}
