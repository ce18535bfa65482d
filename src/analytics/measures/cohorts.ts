/**
 * Cohort retention table. Rows are cohorts (period of first order) that are among `periods`, in
 * the order of `periods`; columns k = 0, 1, 2, … are periods since the cohort's period, only as far
 * as `periods` goes. Cell k: the number of the cohort's customers active in period cohort + k and
 * its share of the cohort's size; k = 0 is the whole cohort with share 1 by definition. Customers
 * whose cohort is not one of `periods` are in no row.
 */
import { indexPeriods, type IndexedCustomer, type PeriodInput } from './periods';

export interface CohortCell {
  k: number;
  period: string;
  active: number;
  share: number;
}

export interface CohortRow {
  cohort: string;
  size: number;
  cells: CohortCell[];
}

/**
 * What the table needs of one cohort (`periods[cohortIndex]`): its size and, per period index j,
 * the number of its customers active in `periods[j]` (`active[j]`; only j > cohortIndex is read).
 */
export interface CohortAggregate {
  cohortIndex: number;
  size: number;
  active: readonly number[];
}

/** Step one: the aggregates of already indexed customers, cohorts with at least one customer, in the order of `periods`. */
export function cohortAggregates(customers: readonly IndexedCustomer[], periods: readonly string[]): CohortAggregate[] {
  const out: CohortAggregate[] = [];
  periods.forEach((_cohort, ci) => {
    const members = customers.filter((c) => c.cohortIndex === ci);
    if (members.length === 0) return;
    const active = periods.map((_p, j) => (j < ci ? 0 : members.filter((c) => c.minor[j] !== undefined).length));
    out.push({ cohortIndex: ci, size: members.length, active });
  });
  return out;
}

/** Step two: the table from the aggregates (any order; cohorts of size 0 or out of `periods` are left out). */
export function cohortTableFromAggregates(aggregates: readonly CohortAggregate[], periods: readonly string[]): CohortRow[] {
  return [...aggregates]
    .filter((a) => a.size > 0 && a.cohortIndex >= 0 && a.cohortIndex < periods.length)
    .sort((a, b) => a.cohortIndex - b.cohortIndex)
    .map(({ cohortIndex: ci, size, active }): CohortRow => {
      const cells = periods.slice(ci).map((period, k): CohortCell => {
        const n = k === 0 ? size : (active[ci + k] ?? 0);
        return { k, period, active: n, share: n / size };
      });
      return { cohort: periods[ci]!, size, cells };
    });
}

export function cohortTable(input: PeriodInput): CohortRow[] {
  const { customers, periods } = indexPeriods(input);
  return cohortTableFromAggregates(cohortAggregates(customers, periods), periods);
}
