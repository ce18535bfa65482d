import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromMinor, minorDigits, toMinor } from '../../../src/attribution/money';
import {
  byCohort,
  bySegment,
  cohortAggregates,
  cohortTable,
  cohortTableFromAggregates,
  decompose,
  emptyRnvlAggregate,
  indexPeriods,
  pareto,
  paretoAggregate,
  paretoFromAggregates,
  retention,
  retentionFromAggregates,
  rnvl,
  rnvlAggregates,
  rnvlBy,
  rnvlClassOf,
  rnvlFromAggregates,
  roundContributions,
  type CohortRow,
  type IndexedCustomer,
  type PeriodCustomer,
  type PeriodDecomposition,
  type PeriodInput,
  type RnvlAggregate,
  type RnvlPeriod,
  type ValuedCustomer,
} from '../../../src/analytics/measures';
import { INPUT } from './fixture';

/**
 * The measures split into an aggregation step and a step from the aggregates (what the database
 * computes for the views): on random inputs, the split functions equal the one-pass
 * implementations they replaced, copied here verbatim as the reference (`legacy*`), and
 * aggregates built the way the storage path builds them (per customer-period rows classed one by
 * one, `base` = active of the period before, groups in any order) give the same output.
 */

// ---- the implementations before the split, verbatim ----

function legacyRnvlOf(customers: readonly IndexedCustomer[], periods: readonly string[], currency: string): RnvlPeriod[] {
  const scale = 10 ** minorDigits(currency);
  const raws: Array<{ factors: { N: number | null; V: number | null; L: number | null }; retainedMinor: number | null }> = [];
  return periods.map((period, i): RnvlPeriod => {
    const minor = { total: 0, retained: 0, new: 0, reactivated: 0, unclassified: 0 };
    const count = { active: 0, retained: 0, new: 0, reactivated: 0, unclassified: 0 };
    let base = 0;
    for (const c of customers) {
      if (i > 0 && c.minor[i - 1] !== undefined) base++;
      const revenue = c.minor[i];
      if (revenue === undefined) continue;
      const cls =
        i > 0 && c.minor[i - 1] !== undefined
          ? 'retained'
          : c.cohortIndex === i
            ? 'new'
            : i > 0 && c.cohortIndex < i - 1
              ? 'reactivated'
              : 'unclassified';
      minor.total += revenue;
      minor[cls] += revenue;
      count.active++;
      count[cls]++;
    }
    const raw =
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
      active: count.active,
      ...raw.factors,
      retained: i === 0 ? null : count.retained,
      R: raw.retainedMinor === null ? null : major(raw.retainedMinor),
      customers: { new: count.new, reactivated: count.reactivated, unclassified: count.unclassified },
      reconciliation: {
        total: major(minor.total),
        retained: major(minor.retained),
        new: major(minor.new),
        reactivated: major(minor.reactivated),
        unclassified: major(minor.unclassified),
        reconciled: minor.total === minor.retained + minor.new + minor.reactivated,
      },
      decomposition,
    };
  });
}

function legacyCohortTable(input: PeriodInput): CohortRow[] {
  const { customers, periods } = indexPeriods(input);
  const rows: CohortRow[] = [];
  periods.forEach((cohort, ci) => {
    const members = customers.filter((c) => c.cohortIndex === ci);
    if (members.length === 0) return;
    const size = members.length;
    const cells = periods.slice(ci).map((period, k) => {
      const active = k === 0 ? size : members.filter((c) => c.minor[ci + k] !== undefined).length;
      return { k, period, active, share: active / size };
    });
    rows.push({ cohort, size, cells });
  });
  return rows;
}

function legacyPareto(values: readonly ValuedCustomer[], currency: string) {
  type M = { c: ValuedCustomer; revenue: number; cost: number; value: number };
  const sum = (xs: readonly M[], f: (m: M) => number): number => xs.reduce((a, m) => a + f(m), 0);
  const share = (part: number, total: number): number | null => (total > 0 ? part / total : null);
  const major = (m: number): number => fromMinor(m, currency);
  const all: M[] = values.map((c) => ({
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
  const curve = [];
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
  const groups = new Map<string | null, M[]>();
  for (const m of all) {
    const k = m.c.segment ?? null;
    const list = groups.get(k);
    if (list) list.push(m);
    else groups.set(k, [m]);
  }
  const order = (a: string | null, b: string | null): number => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);
  const segments = [...groups.entries()]
    .sort(([a], [b]) => order(a, b))
    .map(([segment, members]) => {
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

// ---- generators ----

const CURRENCY = fc.constantFrom('PLN', 'EUR', 'JPY', 'KWD');
const money = fc.integer({ min: -2_000_00, max: 2_000_000_00 }).map((c) => c / 100);

/** Random period inputs: up to 7 periods, cohorts in them or before them (or, inconsistently, later), some customers with no segment. */
const periodInput: fc.Arbitrary<PeriodInput> = fc
  .record({ nPeriods: fc.integer({ min: 1, max: 7 }), currency: CURRENCY })
  .chain(({ nPeriods, currency }) => {
    const periods = Array.from({ length: nPeriods }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`);
    const customer = fc.record({
      cohort: fc.constantFrom(...periods, '2025-12', '2025-06'),
      segment: fc.option(fc.constantFrom('A', 'B', 'b', 'Z'), { nil: undefined }),
      active: fc.array(fc.option(money, { nil: undefined, freq: 2 }), { minLength: nPeriods, maxLength: nPeriods }),
    });
    return fc.array(customer, { maxLength: 40 }).map((cs) => ({
      periods,
      currency,
      customers: cs.map((c, id): PeriodCustomer => {
        const active: Record<string, number> = {};
        c.active.forEach((v, i) => {
          if (v !== undefined) active[periods[i]!] = v;
        });
        return { id, cohort: c.cohort, ...(c.segment ? { segment: c.segment } : {}), active };
      }),
    }));
  });

const valued: fc.Arbitrary<{ values: ValuedCustomer[]; currency: string }> = fc.record({
  currency: CURRENCY,
  values: fc
    .uniqueArray(
      fc.record({
        id: fc.integer({ min: 0, max: 999 }),
        segment: fc.option(fc.constantFrom('paid', 'organic', 'Referral'), { nil: undefined }),
        revenue: fc.oneof(money, fc.constant(100)),
        cost: fc.oneof(money, fc.constant(40)),
      }),
      { selector: (x) => x.id, maxLength: 60 },
    )
    .map((xs) =>
      xs.map((x): ValuedCustomer => ({
        id: x.id,
        ...(x.segment ? { segment: x.segment } : {}),
        revenue: x.revenue,
        cost: x.cost,
        value: Math.round((x.revenue - x.cost) * 100) / 100,
      })),
    ),
});

/** The aggregates built as the storage path builds them: one customer-period at a time, `base` from the active count before. */
function rowWiseAggregates(customers: readonly IndexedCustomer[], periods: readonly string[]): RnvlAggregate[] {
  const out = periods.map(() => emptyRnvlAggregate());
  for (const c of customers)
    c.minor.forEach((m, i) => {
      if (m === undefined) return;
      const cls = rnvlClassOf(i, i > 0 && c.minor[i - 1] !== undefined, c.cohortIndex);
      out[i]!.active++;
      out[i]!.count[cls]++;
      out[i]!.minor[cls] += m;
    });
  out.forEach((a, i) => (a.base = i > 0 ? out[i - 1]!.active : 0));
  return out;
}

describe('R = N·V·L from aggregates', () => {
  it('on the hand-computed fixture: rnvlFromAggregates(rnvlAggregates(…)) is rnvl, and the old implementation', () => {
    const { customers, periods, currency } = indexPeriods(INPUT);
    const fromAggregates = rnvlFromAggregates(rnvlAggregates(customers, periods), periods, currency);
    expect(fromAggregates).toEqual(rnvl(INPUT));
    expect(fromAggregates).toEqual(legacyRnvlOf(customers, periods, currency));
  });

  it('on random inputs, whole base and per segment and cohort, equal to the old implementation; base is the active count before', () => {
    fc.assert(
      fc.property(periodInput, (input) => {
        const { customers, periods, currency } = indexPeriods(input);
        const aggregates = rnvlAggregates(customers, periods);
        aggregates.forEach((a, i) => expect(a.base).toBe(i > 0 ? aggregates[i - 1]!.active : 0));
        expect(rowWiseAggregates(customers, periods)).toEqual(aggregates);
        expect(rnvlFromAggregates(rowWiseAggregates(customers, periods), periods, currency)).toEqual(
          legacyRnvlOf(customers, periods, currency),
        );
        expect(rnvl(input)).toEqual(legacyRnvlOf(customers, periods, currency));
        for (const key of [bySegment, byCohort])
          for (const g of rnvlBy(input, key)) {
            const members = customers.filter((c) => key(c.customer) === g.key);
            expect(g.periods).toEqual(legacyRnvlOf(members, periods, currency));
            expect(rnvlFromAggregates(rowWiseAggregates(members, periods), periods, currency)).toEqual(g.periods);
          }
      }),
      { numRuns: 150 },
    );
  });

  it('retention from the same aggregates equals retention', () => {
    fc.assert(
      fc.property(periodInput, (input) => {
        const { customers, periods } = indexPeriods(input);
        expect(retentionFromAggregates(rowWiseAggregates(customers, periods), periods)).toEqual(retention(input));
      }),
      { numRuns: 200 },
    );
  });
});

describe('cohort table from aggregates', () => {
  it('equals the old implementation on the fixture and on random inputs, aggregates in any order', () => {
    expect(cohortTable(INPUT)).toEqual(legacyCohortTable(INPUT));
    fc.assert(
      fc.property(periodInput, (input) => {
        const { customers, periods } = indexPeriods(input);
        const expected = legacyCohortTable(input);
        expect(cohortTable(input)).toEqual(expected);
        const aggregates = cohortAggregates(customers, periods);
        expect(cohortTableFromAggregates([...aggregates].reverse(), periods)).toEqual(expected);
        // As the storage path builds them: sizes per cohort, active per period from the cohort group's aggregates.
        const fromGroups = periods
          .map((_p, ci) => {
            const members = customers.filter((c) => c.cohortIndex === ci);
            return { cohortIndex: ci, size: members.length, active: rowWiseAggregates(members, periods).map((a) => a.active) };
          })
          .filter((a) => a.size > 0);
        expect(cohortTableFromAggregates(fromGroups, periods)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('pareto from aggregates', () => {
  it('pareto equals the old implementation; paretoFromAggregates(paretoAggregate(…)) is pareto without `ranked`', () => {
    fc.assert(
      fc.property(valued, ({ values, currency }) => {
        const expected = legacyPareto(values, currency);
        expect(JSON.stringify(pareto(values, currency))).toBe(JSON.stringify(expected));
        const { ranked: _ranked, ...rest } = expected;
        const aggregate = paretoAggregate(values, currency);
        expect(aggregate.curve).toHaveLength(21);
        expect(JSON.stringify(paretoFromAggregates(aggregate, currency))).toBe(JSON.stringify(rest));
        // Segments in any order (the database returns them unordered).
        expect(paretoFromAggregates({ ...aggregate, segments: [...aggregate.segments].reverse() }, currency)).toEqual(rest);
      }),
      { numRuns: 300 },
    );
  });

  it('no customers: zero totals, null shares', () => {
    expect(paretoFromAggregates(paretoAggregate([], 'EUR'), 'EUR')).toEqual((({ ranked: _r, ...rest }) => rest)(legacyPareto([], 'EUR')));
  });
});
