import { describe, expect, it } from 'vitest';
import { customerValues, pareto } from '../../../src/analytics/measures';
import { COSTS, VALUE_CUSTOMERS } from './fixture';

// Values from value.test.ts:
//   id seg  revenue    cost    value
//    1  A    300.00   67.50   232.50
//    2  A     80.00   49.00    31.00
//    3  A     40.00   10.79    29.21
//    4  B    150.00  134.08    15.92
//    5  B     10.00   35.00   −25.00
//    6  –      0.10    2.50    −2.40
// Totals: revenue 580.10, cost 298.87, value 281.23.
describe('pareto and segment profitability', () => {
  const result = pareto(customerValues(VALUE_CUSTOMERS, COSTS, 'PLN'), 'PLN');

  it('totals and ranks by value', () => {
    expect([result.customers, result.revenue, result.cost, result.value]).toEqual([6, 580.1, 298.87, 281.23]);
    expect(result.ranked.map((c) => c.id)).toEqual([1, 2, 3, 4, 6, 5]);
  });

  it('top 20 % by revenue: ⌈6 / 5⌉ = 2 customers (1 and 4), 450 / 580.10 = 0.7757', () => {
    expect(result.top20).toEqual({ customers: 2, revenue: 450 });
    expect(result.top20Share).toBeCloseTo(450 / 580.1, 12);
    expect(result.top20Share).toBeCloseTo(0.7757, 4);
  });

  it('counts the unprofitable: 5 and 6, 2 of 6, −27.40', () => {
    expect(result.unprofitable).toEqual({ customers: 2, share: 2 / 6, value: -27.4 });
  });

  it('draws the curve at each 5 % over the value ranking', () => {
    expect(result.curve).toHaveLength(21);
    const point = (k: number) => result.curve[k]!;
    expect(point(0)).toEqual({ customerShare: 0, customers: 0, revenueShare: 0, valueShare: 0 });
    // 5 %: ⌈6 × 1/20⌉ = 1 → customer 1: 300 / 580.10, 232.50 / 281.23.
    expect(point(1).customers).toBe(1);
    expect(point(1).revenueShare).toBeCloseTo(300 / 580.1, 12);
    expect(point(1).valueShare).toBeCloseTo(232.5 / 281.23, 12);
    // 20 %: ⌈6 × 4/20⌉ = 2 → 1, 2: 380 / 580.10 (the most valuable two, not the top two by revenue).
    expect(point(4).customers).toBe(2);
    expect(point(4).revenueShare).toBeCloseTo(380 / 580.1, 12);
    // 50 %: 3 → 1, 2, 3: 420 / 580.10; value 292.71 / 281.23 > 1 (the rest destroys value).
    expect(point(10).revenueShare).toBeCloseTo(420 / 580.1, 12);
    expect(point(10).valueShare).toBeCloseTo(292.71 / 281.23, 12);
    expect(point(20)).toEqual({ customerShare: 1, customers: 6, revenueShare: 1, valueShare: 1 });
  });

  it('sums profit per segment, unsegmented last', () => {
    // A: 300 + 80 + 40 = 420; cost 67.50 + 49 + 10.79 = 127.29; value 292.71; per customer 97.57.
    // B: 150 + 10 = 160; cost 134.08 + 35 = 169.08; value −9.08; per customer −4.54.
    expect(result.segments).toEqual([
      { segment: 'A', customers: 3, revenue: 420, cost: 127.29, value: 292.71, valuePerCustomer: 97.57 },
      { segment: 'B', customers: 2, revenue: 160, cost: 169.08, value: -9.08, valuePerCustomer: -4.54 },
      { segment: null, customers: 1, revenue: 0.1, cost: 2.5, value: -2.4, valuePerCustomer: -2.4 },
    ]);
  });

  it('breaks value ties by id, and is empty-safe', () => {
    const tied = pareto(
      [
        { id: 9, revenue: 10, cost: 5, value: 5 },
        { id: 3, revenue: 10, cost: 5, value: 5 },
      ],
      'PLN',
    );
    expect(tied.ranked.map((c) => c.id)).toEqual([3, 9]);
    // ⌈2 / 5⌉ = 1: the top 20 % of two customers is one, 10 of 20.
    expect(tied.top20Share).toBe(0.5);
    const none = pareto([], 'PLN');
    expect([none.top20Share, none.unprofitable.share, none.curve[20]!.revenueShare]).toEqual([null, null, null]);
  });
});
