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

interface Minor {
  c: ValuedCustomer;
  revenue: number;
  cost: number;
  value: number;
}

const sum = (xs: readonly Minor[], f: (m: Minor) => number): number => xs.reduce((a, m) => a + f(m), 0);
const share = (part: number, total: number): number | null => (total > 0 ? part / total : null);

export function pareto(values: readonly ValuedCustomer[], currency: string): ParetoResult {
  const major = (m: number): number => fromMinor(m, currency);
  const all: Minor[] = values.map((c) => ({
    c,
    revenue: toMinor(c.revenue, currency),
    cost: toMinor(c.cost, currency),
    value: toMinor(c.value, currency),
  }));
  const n = all.length;
  const totalRevenue = sum(all, (m) => m.revenue);
  const totalValue = sum(all, (m) => m.value);
  const byValue = [...all].sort((a, b) => b.value - a.value || a.c.id - b.c.id);
  const byRevenue = [...all].sort((a, b) => b.revenue - a.revenue || a.c.id - b.c.id);

  const curve: CurvePoint[] = [];
  for (let k = 0; k <= 20; k++) {
    const first = byValue.slice(0, Math.ceil((k * n) / 20));
    curve.push({
      customerShare: k / 20,
      customers: first.length,
      revenueShare: share(
        sum(first, (m) => m.revenue),
        totalRevenue,
      ),
      valueShare: share(
        sum(first, (m) => m.value),
        totalValue,
      ),
    });
  }

  const top = byRevenue.slice(0, Math.ceil(n / 5));
  const topRevenue = sum(top, (m) => m.revenue);
  const losing = all.filter((m) => m.value < 0);

  const groups = new Map<string | null, Minor[]>();
  for (const m of all) {
    const k = m.c.segment ?? null;
    const list = groups.get(k);
    if (list) list.push(m);
    else groups.set(k, [m]);
  }
  const order = (a: string | null, b: string | null): number => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);
  const segments = [...groups.entries()]
    .sort(([a], [b]) => order(a, b))
    .map(([segment, members]): SegmentProfit => {
      const value = sum(members, (m) => m.value);
      return {
        segment,
        customers: members.length,
        revenue: major(sum(members, (m) => m.revenue)),
        cost: major(sum(members, (m) => m.cost)),
        value: major(value),
        valuePerCustomer: members.length > 0 ? major(value) / members.length : null,
      };
    });

  return {
    customers: n,
    revenue: major(totalRevenue),
    cost: major(sum(all, (m) => m.cost)),
    value: major(totalValue),
    ranked: byValue.map((m) => m.c),
    curve,
    top20: { customers: top.length, revenue: major(topRevenue) },
    top20Share: n > 0 ? share(topRevenue, totalRevenue) : null,
    unprofitable: { customers: losing.length, share: n > 0 ? losing.length / n : null, value: major(sum(losing, (m) => m.value)) },
    segments,
  };
}
