/**
 * The hand-computed data set: 12 customers over three months, two cohorts ('2026-01': ids 1–6,
 * '2026-02': ids 7–12), two segments (A: 1, 2, 5, 7, 8, 11; B: 3, 4, 6, 9, 10, 12), amounts in PLN.
 *
 *   id seg cohort    2026-01  2026-02  2026-03
 *    1  A  2026-01    100.00   120.00    90.00   retained twice
 *    2  A  2026-01     50.00    60.00        –   churned in March
 *    3  B  2026-01     80.00        –    40.00   churned in Feb, reactivated in March
 *    4  B  2026-01     30.00    45.50    50.25   retained twice
 *    5  A  2026-01     20.00        –        –   churned in Feb
 *    6  B  2026-01     10.10    19.90    25.00   retained twice
 *    7  A  2026-02         –    70.00    35.00   new, retained
 *    8  A  2026-02         –    15.00        –   new, churned
 *    9  B  2026-02         –    99.99   100.01   new, retained
 *   10  B  2026-02         –     5.55        –   new, churned
 *   11  A  2026-02         –    12.34    20.00   new, retained
 *   12  B  2026-02         –    40.00    60.00   new, retained
 */
import type { CostConfig, PeriodCustomer, PeriodInput, ValueCustomer } from '../../../src/analytics/measures';

export const PERIODS = ['2026-01', '2026-02', '2026-03'];

const row = (id: number, segment: string, cohort: string, jan: number | null, feb: number | null, mar: number | null): PeriodCustomer => {
  const active: Record<string, number> = {};
  if (jan !== null) active['2026-01'] = jan;
  if (feb !== null) active['2026-02'] = feb;
  if (mar !== null) active['2026-03'] = mar;
  return { id, segment, cohort, active };
};

export const CUSTOMERS: PeriodCustomer[] = [
  row(1, 'A', '2026-01', 100, 120, 90),
  row(2, 'A', '2026-01', 50, 60, null),
  row(3, 'B', '2026-01', 80, null, 40),
  row(4, 'B', '2026-01', 30, 45.5, 50.25),
  row(5, 'A', '2026-01', 20, null, null),
  row(6, 'B', '2026-01', 10.1, 19.9, 25),
  row(7, 'A', '2026-02', null, 70, 35),
  row(8, 'A', '2026-02', null, 15, null),
  row(9, 'B', '2026-02', null, 99.99, 100.01),
  row(10, 'B', '2026-02', null, 5.55, null),
  row(11, 'A', '2026-02', null, 12.34, 20),
  row(12, 'B', '2026-02', null, 40, 60),
];

export const INPUT: PeriodInput = { customers: CUSTOMERS, periods: PERIODS, currency: 'PLN' };

/** Costs and customers of the value and Pareto tests (value.test.ts computes each by hand). */
export const COSTS: CostConfig = {
  acquisitionPerContact: 20,
  acquisitionByChannel: { paid: 45.5, referral: 5 },
  servicePerOrder: 2.5,
  servicePerContactPerYear: 12,
};

export const VALUE_CUSTOMERS: ValueCustomer[] = [
  { id: 1, segment: 'A', revenue: 300, orders: 4, channel: 'paid', tenureDays: 365 },
  { id: 2, segment: 'A', revenue: 80, orders: 2, channel: 'organic', tenureDays: 730 },
  { id: 3, segment: 'A', revenue: 40, orders: 1, channel: 'referral', tenureDays: 100 },
  { id: 4, segment: 'B', revenue: 150, orders: 3, channel: 'paid', tenureDays: 200, attributeCosts: { acquisition: 120 } },
  { id: 5, segment: 'B', revenue: 10, orders: 1, tenureDays: 30, attributeCosts: { service: 15 } },
  { id: 6, revenue: 0.1, orders: 1, channel: 'paid', tenureDays: 0, attributeCosts: { acquisition: 0 } },
];
