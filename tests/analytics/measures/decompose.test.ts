import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decompose, lmdi, logMean, rnvl, shapley, type Factors, type PeriodCustomer } from '../../../src/analytics/measures';

const product = (f: Factors): number => (f.N ?? 0) * (f.V ?? 0) * (f.L ?? 0);

describe('logMean', () => {
  it('is (a − b) / (ln a − ln b), and a when a = b', () => {
    expect(logMean(5, 5)).toBe(5);
    // (e² − e) / (2 − 1) = e² − e
    expect(logMean(Math.E ** 2, Math.E)).toBeCloseTo(Math.E ** 2 - Math.E, 12);
    expect(logMean(2, 1)).toBeCloseTo(1 / Math.LN2, 12);
    expect(logMean(1, 2)).toBeCloseTo(1 / Math.LN2, 12);
  });
});

describe('zero factor → Shapley', () => {
  // Jan: 1–4 active (10 each). Feb: 1, 2 retained with 25 each; 5, 6, 7 new with 1 each.
  // Mar: nobody of Feb comes back; 10 is new with 5.
  const customers: PeriodCustomer[] = [
    { id: 1, cohort: 'jan', active: { jan: 10, feb: 25 } },
    { id: 2, cohort: 'jan', active: { jan: 10, feb: 25 } },
    { id: 3, cohort: 'jan', active: { jan: 10 } },
    { id: 4, cohort: 'jan', active: { jan: 10 } },
    { id: 5, cohort: 'feb', active: { feb: 1 } },
    { id: 6, cohort: 'feb', active: { feb: 1 } },
    { id: 7, cohort: 'feb', active: { feb: 1 } },
    { id: 10, cohort: 'mar', active: { mar: 5 } },
  ];
  const [, feb, mar] = rnvl({ customers, periods: ['jan', 'feb', 'mar'], currency: 'PLN' });

  it('computes the factors: Feb (4, 25, 0.5) → R 50; Mar (5, none, 0) → R 0', () => {
    expect([feb!.N, feb!.V, feb!.L, feb!.R]).toEqual([4, 25, 0.5, 50]);
    expect([mar!.N, mar!.V, mar!.L, mar!.R]).toEqual([5, null, 0, 0]);
    expect(mar!.reconciliation).toEqual({ total: 5, retained: 0, new: 5, reactivated: 0, unclassified: 0, reconciled: true });
  });

  it('splits ΔR = −50 as N +4.17, V −27.08, L −27.08', () => {
    // Shapley, with V₁ = 0 (no retained customer) and L₁ = 0:
    // N: ΔN · [(V₀L₀ + V₁L₁)/3 + (V₀L₁ + V₁L₀)/6] =   1  · [(12.5 + 0)/3 + (0 + 0)/6]   =   4.1667
    // V: ΔV · [(N₀L₀ + N₁L₁)/3 + (N₀L₁ + N₁L₀)/6] = −25  · [(2 + 0)/3 + (0 + 2.5)/6]    = −27.0833
    // L: ΔL · [(N₀V₀ + N₁V₁)/3 + (N₀V₁ + N₁V₀)/6] = −0.5 · [(100 + 0)/3 + (0 + 125)/6] = −27.0833
    // 4.1667 − 27.0833 − 27.0833 = −50.
    const d = mar!.decomposition;
    expect(d.method).toBe('shapley');
    expect(d.delta).toBe(-50);
    expect(d.contributions!.N).toBeCloseTo(4.1667, 4);
    expect(d.contributions!.V).toBeCloseTo(-27.0833, 4);
    expect(d.contributions!.L).toBeCloseTo(-27.0833, 4);
    // Rounded 4.17 − 27.08 − 27.08 = −49.99; the missing −0.01 goes to V or L (equal magnitude).
    const r = d.rounded!;
    expect(r.N).toBe(4.17);
    expect(Math.round((r.N + r.V + r.L) * 100)).toBe(-5000);
    expect([r.V, r.L].sort()).toEqual([-27.08, -27.09]);
  });

  it('lmdi itself refuses non-positive factors', () => {
    expect(lmdi({ N: 4, V: 25, L: 0.5 }, { N: 5, V: null, L: 0 })).toBeNull();
    expect(lmdi({ N: 4, V: -1, L: 0.5 }, { N: 5, V: 2, L: 0.5 })).toBeNull();
    expect(decompose({ N: 4, V: 25, L: 0.5 }, { N: 5, V: 20, L: 0.4 }).method).toBe('lmdi');
  });

  it('Shapley and LMDI agree on the sign and the total when all factors are positive', () => {
    const a = { N: 10, V: 50, L: 0.4 };
    const b = { N: 12, V: 45, L: 0.5 };
    const s = shapley(a, b);
    const l = lmdi(a, b)!;
    const delta = product(b) - product(a);
    expect(s.N + s.V + s.L).toBeCloseTo(delta, 9);
    expect(l.N + l.V + l.L).toBeCloseTo(delta, 9);
    expect(Math.sign(s.V)).toBe(Math.sign(l.V));
  });
});

const factor = fc.oneof(fc.constant(0), fc.constant(null), fc.double({ min: 1e-3, max: 1e4, noNaN: true }));
const factors = fc.record({ N: factor, V: factor, L: factor });

describe('properties', () => {
  it('the three contributions sum to ΔR (1e-9 relative to the largest of |R₀|, |R₁| and the contributions), whichever method applies', () => {
    fc.assert(
      fc.property(factors, factors, (a, b) => {
        const { contributions: c } = decompose(a, b);
        const r0 = product(a);
        const r1 = product(b);
        const scale = Math.max(Math.abs(r0), Math.abs(r1), Math.abs(c.N), Math.abs(c.V), Math.abs(c.L), Number.MIN_VALUE);
        expect(Math.abs(c.N + c.V + c.L - (r1 - r0)) / scale).toBeLessThanOrEqual(1e-9);
      }),
      { numRuns: 500 },
    );
  });

  // Consistent random histories: each customer's cohort is its first active period.
  const history = fc.integer({ min: 2, max: 5 }).chain((nPeriods) =>
    fc.record({
      nPeriods: fc.constant(nPeriods),
      rows: fc.array(
        fc.array(fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: undefined }), { minLength: nPeriods, maxLength: nPeriods }),
        {
          maxLength: 30,
        },
      ),
      segments: fc.array(fc.constantFrom('A', 'B'), { minLength: 30, maxLength: 30 }),
    }),
  );

  it('reconciliation holds to the cent and contributions sum to ΔR on random consistent data', () => {
    fc.assert(
      fc.property(history, ({ nPeriods, rows, segments }) => {
        const periods = Array.from({ length: nPeriods }, (_, i) => `p${i}`);
        const customers: PeriodCustomer[] = [];
        rows.forEach((cents, id) => {
          const first = cents.findIndex((x) => x !== undefined);
          if (first < 0) return;
          const active: Record<string, number> = {};
          cents.forEach((x, i) => {
            if (x !== undefined) active[periods[i]!] = x / 100;
          });
          customers.push({ id, cohort: periods[first]!, segment: segments[id]!, active });
        });
        for (const row of rnvl({ customers, periods, currency: 'PLN' })) {
          const rc = row.reconciliation;
          expect(rc.reconciled).toBe(true);
          expect(Math.round(rc.retained * 100) + Math.round(rc.new * 100) + Math.round(rc.reactivated * 100)).toBe(
            Math.round(rc.total * 100),
          );
          const expectedTotal = customers.reduce((a, c) => a + Math.round((c.active[row.period] ?? 0) * 100), 0);
          expect(Math.round(rc.total * 100)).toBe(expectedTotal);
          if (row.N !== null) expect(row.R).toBeCloseTo(row.N === 0 || row.retained === 0 ? 0 : row.N * row.V! * row.L!, 6);
          const d = row.decomposition;
          if (d.contributions && d.delta !== null && d.rounded) {
            const c = d.contributions;
            const scale = Math.max(
              Math.abs(row.R!),
              Math.abs(row.R! - d.delta),
              Math.abs(c.N),
              Math.abs(c.V),
              Math.abs(c.L),
              Number.MIN_VALUE,
            );
            expect(Math.abs(c.N + c.V + c.L - d.delta) / scale).toBeLessThanOrEqual(1e-9);
            expect(Math.round(d.rounded.N * 100) + Math.round(d.rounded.V * 100) + Math.round(d.rounded.L * 100)).toBe(
              Math.round(d.delta * 100),
            );
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
