/**
 * Revenue from the customer base carried into a period, R = N · V · L, for period p:
 * - N_p = |active(p−1)|: the customer base carried in;
 * - L_p = |active(p−1) ∩ active(p)| / |active(p−1)|: the retention rate (null when N_p = 0);
 * - V_p = revenue in p of the retained customers / number of retained customers (null when none
 *   is retained);
 * so R_p = N_p · V_p · L_p = revenue in p of the retained customers (R_p = 0 when N_p = 0 or
 * nobody is retained). All four are null for the first period, which has no p−1.
 *
 * Reconciliation: each customer active in p is classified, in this order, as
 * - retained: active in p−1;
 * - new: cohort = p;
 * - reactivated: first ordered before p−1 (cohort earlier than p−1, or a cohort not in `periods`,
 *   taken as earlier than all of them), not active in p−1, active in p;
 * - unclassified: anything else — the first period's customers of earlier cohorts (whether they
 *   were active in p−1 is unknown), or inconsistent data (a cohort of p−1 not active in p−1, a
 *   cohort later than p).
 * Total revenue of p = retained (R_p) + new + reactivated revenue holds, summed in integer minor
 * units, exactly when nothing is unclassified; `reconciled` states it.
 *
 * The change R_p − R_{p−1} (from the third period on) is split into N, V and L contributions by
 * LMDI-I, or by Shapley when a factor is zero or missing in either period (see decompose.ts).
 */
import { fromMinor, minorDigits } from '../../attribution/money';
import { decompose, roundContributions, type Contributions, type DecompositionMethod, type Factors } from './decompose';
import { indexPeriods, type IndexedCustomer, type PeriodCustomer, type PeriodInput } from './periods';

/** Revenue of p by class of customer, in major units. */
export interface Reconciliation {
  total: number;
  retained: number;
  new: number;
  reactivated: number;
  /** Revenue of customers active in p that fit none of the three classes; 0 when reconciled. */
  unclassified: number;
  /** total = retained + new + reactivated, to the minor unit. */
  reconciled: boolean;
}

export interface PeriodDecomposition {
  /** null for the first two periods (R_{p−1} is not defined). */
  method: DecompositionMethod | null;
  /** R_p − R_{p−1}, exact to the minor unit. */
  delta: number | null;
  /** Contributions of N, V and L in major units, unrounded; they sum to `delta` up to float error. */
  contributions: Contributions | null;
  /** The same rounded to the minor unit so that they sum to `delta` exactly (see roundContributions). */
  rounded: Contributions | null;
}

export interface RnvlPeriod extends Factors {
  period: string;
  /** |active(p)|. */
  active: number;
  /** |active(p−1) ∩ active(p)|; null for the first period. */
  retained: number | null;
  /** Revenue of the retained customers = N · V · L; null for the first period. */
  R: number | null;
  customers: { new: number; reactivated: number; unclassified: number };
  reconciliation: Reconciliation;
  decomposition: PeriodDecomposition;
}

export interface RnvlGroup {
  key: string;
  periods: RnvlPeriod[];
}

/** The four classes of a customer active in a period (see the module comment). */
export type RnvlClass = 'retained' | 'new' | 'reactivated' | 'unclassified';

/**
 * What R = N · V · L needs of one period (index i of `periods`) of a group of customers: how many
 * were active in it, how many in the period before (`base`, 0 for the first period), and per class
 * the number of customers and the sum of their revenue in integer minor units.
 */
export interface RnvlAggregate {
  active: number;
  base: number;
  count: Record<RnvlClass, number>;
  minor: Record<RnvlClass, number>;
}

/** An aggregate with nothing in it. */
export function emptyRnvlAggregate(): RnvlAggregate {
  return {
    active: 0,
    base: 0,
    count: { retained: 0, new: 0, reactivated: 0, unclassified: 0 },
    minor: { retained: 0, new: 0, reactivated: 0, unclassified: 0 },
  };
}

/** The class of a customer active in period i, given whether it was active in i − 1 and its cohort index. */
export function rnvlClassOf(i: number, activeBefore: boolean, cohortIndex: number): RnvlClass {
  return i > 0 && activeBefore ? 'retained' : cohortIndex === i ? 'new' : i > 0 && cohortIndex < i - 1 ? 'reactivated' : 'unclassified';
}

/** Step one of R = N · V · L: the per-period aggregates of already indexed customers, one per period. */
export function rnvlAggregates(customers: readonly IndexedCustomer[], periods: readonly string[]): RnvlAggregate[] {
  return periods.map((_period, i): RnvlAggregate => {
    const a = emptyRnvlAggregate();
    for (const c of customers) {
      if (i > 0 && c.minor[i - 1] !== undefined) a.base++;
      const revenue = c.minor[i];
      if (revenue === undefined) continue;
      const cls = rnvlClassOf(i, c.minor[i - 1] !== undefined, c.cohortIndex);
      a.active++;
      a.count[cls]++;
      a.minor[cls] += revenue;
    }
    return a;
  });
}

interface Raw {
  factors: Factors;
  retainedMinor: number | null;
}

/**
 * Step two of R = N · V · L: factors, R, reconciliation and decomposition from the per-period
 * aggregates (`aggregates[i]` for `periods[i]`), however they were computed (rnvlAggregates here,
 * or the database).
 */
export function rnvlFromAggregates(aggregates: readonly RnvlAggregate[], periods: readonly string[], currency: string): RnvlPeriod[] {
  const scale = 10 ** minorDigits(currency);
  const raws: Raw[] = [];
  return periods.map((period, i): RnvlPeriod => {
    const { active, base, count, minor } = aggregates[i] ?? emptyRnvlAggregate();
    const total = minor.retained + minor.new + minor.reactivated + minor.unclassified;
    const raw: Raw =
      i === 0
        ? { factors: { N: null, V: null, L: null }, retainedMinor: null }
        : {
            factors: {
              N: base,
              V: count.retained > 0 ? fromMinor(minor.retained, currency) / count.retained : null,
              L: base > 0 ? count.retained / base : null,
            },
            retainedMinor: minor.retained,
          };
    raws.push(raw);
    const prev = i > 0 ? raws[i - 1]! : undefined;
    let decomposition: PeriodDecomposition = { method: null, delta: null, contributions: null, rounded: null };
    if (prev && prev.retainedMinor !== null && raw.retainedMinor !== null) {
      const deltaMinor = raw.retainedMinor - prev.retainedMinor;
      const { method, contributions } = decompose(prev.factors, raw.factors);
      const inMinor = { N: contributions.N * scale, V: contributions.V * scale, L: contributions.L * scale };
      const rounded = roundContributions(inMinor, deltaMinor);
      decomposition = {
        method,
        delta: fromMinor(deltaMinor, currency),
        contributions,
        rounded: { N: fromMinor(rounded.N, currency), V: fromMinor(rounded.V, currency), L: fromMinor(rounded.L, currency) },
      };
    }
    const major = (m: number): number => fromMinor(m, currency);
    return {
      period,
      active,
      ...raw.factors,
      retained: i === 0 ? null : count.retained,
      R: raw.retainedMinor === null ? null : major(raw.retainedMinor),
      customers: { new: count.new, reactivated: count.reactivated, unclassified: count.unclassified },
      reconciliation: {
        total: major(total),
        retained: major(minor.retained),
        new: major(minor.new),
        reactivated: major(minor.reactivated),
        unclassified: major(minor.unclassified),
        reconciled: total === minor.retained + minor.new + minor.reactivated,
      },
      decomposition,
    };
  });
}

/** R = N · V · L, reconciliation and decomposition of already indexed customers. */
export function rnvlOf(customers: readonly IndexedCustomer[], periods: readonly string[], currency: string): RnvlPeriod[] {
  return rnvlFromAggregates(rnvlAggregates(customers, periods), periods, currency);
}

/** R = N · V · L per period for the whole base. */
export function rnvl(input: PeriodInput): RnvlPeriod[] {
  const indexed = indexPeriods(input);
  return rnvlOf(indexed.customers, indexed.periods, indexed.currency);
}

/**
 * R = N · V · L per period within each group of customers sharing `key(customer)`; customers whose
 * key is undefined are in no group. Groups are ordered by key (code-unit order).
 */
export function rnvlBy(input: PeriodInput, key: (customer: PeriodCustomer) => string | undefined): RnvlGroup[] {
  const indexed = indexPeriods(input);
  return groupBy(indexed.customers, key).map(([k, members]) => ({ key: k, periods: rnvlOf(members, indexed.periods, indexed.currency) }));
}

/** Group key: the customer's segment (customers without one are left out). */
export const bySegment = (c: PeriodCustomer): string | undefined => c.segment;
/** Group key: the customer's acquisition cohort. */
export const byCohort = (c: PeriodCustomer): string => c.cohort;

/** Customers grouped by key, groups in code-unit order of key, members in input order. */
export function groupBy<T extends { customer: PeriodCustomer }>(
  items: readonly T[],
  key: (customer: PeriodCustomer) => string | undefined,
): Array<[string, T[]]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item.customer);
    if (k === undefined) continue;
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
