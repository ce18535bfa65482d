/**
 * Retention per period. Active customers in period p: those with an entry for p. Retention rate
 * L_p = |active(p−1) ∩ active(p)| / |active(p−1)|: the share of customers active in the previous
 * period still active in this one; null for the first period or when active(p−1) is empty.
 */
import { indexPeriods, type IndexedCustomer, type PeriodInput } from './periods';
import type { RnvlAggregate } from './rnvl';

export interface RetentionPeriod {
  period: string;
  /** |active(p)|. */
  active: number;
  /** |active(p−1)|; null for the first period. */
  base: number | null;
  /** |active(p−1) ∩ active(p)|; null for the first period. */
  retained: number | null;
  /** retained / base; null for the first period or when base is 0. */
  rate: number | null;
}

/** Retention of already indexed customers (see periods.ts), one row per period. */
export function retentionOf(customers: readonly IndexedCustomer[], periods: readonly string[]): RetentionPeriod[] {
  return periods.map((period, i) => {
    const active = customers.filter((c) => c.minor[i] !== undefined).length;
    if (i === 0) return { period, active, base: null, retained: null, rate: null };
    const base = customers.filter((c) => c.minor[i - 1] !== undefined).length;
    const retained = customers.filter((c) => c.minor[i - 1] !== undefined && c.minor[i] !== undefined).length;
    return { period, active, base, retained, rate: base > 0 ? retained / base : null };
  });
}

/** Retention rate of the whole base per period. */
export function retention(input: PeriodInput): RetentionPeriod[] {
  const indexed = indexPeriods(input);
  return retentionOf(indexed.customers, indexed.periods);
}

/** Retention from the per-period aggregates of R = N · V · L (rnvl.ts): active, base and the retained count. */
export function retentionFromAggregates(aggregates: readonly RnvlAggregate[], periods: readonly string[]): RetentionPeriod[] {
  return periods.map((period, i) => {
    const a = aggregates[i];
    const active = a?.active ?? 0;
    if (i === 0) return { period, active, base: null, retained: null, rate: null };
    const base = a?.base ?? 0;
    const retained = a?.count.retained ?? 0;
    return { period, active, base, retained, rate: base > 0 ? retained / base : null };
  });
}
