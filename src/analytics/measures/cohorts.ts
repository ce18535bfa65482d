/**
 * Cohort retention table. Rows are cohorts (period of first order) that are among `periods`, in
 * the order of `periods`; columns k = 0, 1, 2, … are periods since the cohort's period, only as far
 * as `periods` goes. Cell k: the number of the cohort's customers active in period cohort + k and
 * its share of the cohort's size; k = 0 is the whole cohort with share 1 by definition. Customers
 * whose cohort is not one of `periods` are in no row.
 */
import { indexPeriods, type PeriodInput } from './periods';

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

export function cohortTable(input: PeriodInput): CohortRow[] {
  const { customers, periods } = indexPeriods(input);
  const rows: CohortRow[] = [];
  periods.forEach((cohort, ci) => {
    const members = customers.filter((c) => c.cohortIndex === ci);
    if (members.length === 0) return;
    const size = members.length;
    const cells = periods.slice(ci).map((period, k): CohortCell => {
      const active = k === 0 ? size : members.filter((c) => c.minor[ci + k] !== undefined).length;
      return { k, period, active, share: active / size };
    });
    rows.push({ cohort, size, cells });
  });
  return rows;
}
