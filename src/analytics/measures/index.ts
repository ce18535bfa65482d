/**
 * Customer-analytics measures: pure functions, data in, numbers out (no I/O, no clock). Amounts
 * are in one currency (the caller converts) and are summed in integer minor units of `currency`
 * (src/attribution/money.ts), so totals reconcile to the cent. Periods are labelled strings the
 * caller provides in order; the caller assigns orders to periods in the team's zone.
 *
 * - `retention(input)`: retention rate L_p per period (retention.ts).
 * - `rnvl(input)`, `rnvlBy(input, key)` with `bySegment` / `byCohort`: R = N · V · L per period,
 *   its reconciliation with the period's total revenue (retained + new + reactivated), and the
 *   change R_p − R_{p−1} split into N, V and L contributions by LMDI-I or Shapley (rnvl.ts,
 *   decompose.ts).
 * - `cohortTable(input)`: share and count of each cohort active k periods after its first (cohorts.ts).
 * - `customerValues(customers, costs, currency)`: value = net revenue − (acquisition + service cost) (value.ts).
 * - `pareto(values, currency)`: value-ranked curve, top-20 % revenue share, unprofitable customers,
 *   segment profitability (pareto.ts).
 *
 * Each period measure and `pareto` is also split in two, so the database can compute the first
 * step (src/storage/analytics-views.ts) and Node receive only aggregates: `rnvlAggregates` →
 * `rnvlFromAggregates` (and `retentionFromAggregates`), `cohortAggregates` →
 * `cohortTableFromAggregates`, `paretoAggregate` → `paretoFromAggregates`. The one-step functions
 * are the two composed.
 */
export * from './periods';
export * from './retention';
export * from './decompose';
export * from './rnvl';
export * from './cohorts';
export * from './value';
export * from './pareto';
