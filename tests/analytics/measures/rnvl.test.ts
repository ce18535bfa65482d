import { describe, expect, it } from 'vitest';
import { byCohort, bySegment, retention, rnvl, rnvlBy, type RnvlPeriod } from '../../../src/analytics/measures';
import { INPUT } from './fixture';

/** Asserts a money amount to the cent (|actual − expected| < 0.005). */
const cent = (actual: number | null | undefined, expected: number): void => {
  expect(actual).not.toBeNull();
  expect(actual).toBeCloseTo(expected, 2);
};

const at = (rows: RnvlPeriod[], period: string): RnvlPeriod => {
  const r = rows.find((x) => x.period === period);
  if (!r) throw new Error(`no ${period}`);
  return r;
};

describe('retention', () => {
  it('is retained / base, null for the first period', () => {
    // Jan: no previous period. Feb: active(Jan) = {1..6}, of them active in Feb {1,2,4,6} → 4/6.
    // Mar: active(Feb) = {1,2,4,6,7,8,9,10,11,12} (10), of them active in Mar {1,4,6,7,9,11,12} → 7/10.
    expect(retention(INPUT)).toEqual([
      { period: '2026-01', active: 6, base: null, retained: null, rate: null },
      { period: '2026-02', active: 10, base: 6, retained: 4, rate: 4 / 6 },
      { period: '2026-03', active: 8, base: 10, retained: 7, rate: 0.7 },
    ]);
  });
});

describe('R = N · V · L, whole base', () => {
  const rows = rnvl(INPUT);

  it('January: no factors, all revenue is new', () => {
    const jan = at(rows, '2026-01');
    expect([jan.N, jan.V, jan.L, jan.R, jan.retained]).toEqual([null, null, null, null, null]);
    // 100 + 50 + 80 + 30 + 20 + 10.10 = 290.10, all cohort 2026-01.
    expect(jan.reconciliation).toEqual({ total: 290.1, retained: 0, new: 290.1, reactivated: 0, unclassified: 0, reconciled: true });
    expect(jan.decomposition.method).toBeNull();
  });

  it('February: N = 6, L = 4/6, V = 61.35, R = 245.40; new 242.88; total 488.28', () => {
    const feb = at(rows, '2026-02');
    expect(feb.N).toBe(6);
    expect(feb.L).toBeCloseTo(4 / 6, 12);
    // Retained {1,2,4,6}: 120 + 60 + 45.50 + 19.90 = 245.40; V = 245.40 / 4 = 61.35.
    cent(feb.V, 61.35);
    cent(feb.R, 245.4);
    // N·V·L = 6 × 61.35 × 4/6 = 245.40.
    cent(feb.N! * feb.V! * feb.L!, 245.4);
    // New {7..12}: 70 + 15 + 99.99 + 5.55 + 12.34 + 40 = 242.88. Total 245.40 + 242.88 = 488.28.
    expect(feb.reconciliation).toEqual({ total: 488.28, retained: 245.4, new: 242.88, reactivated: 0, unclassified: 0, reconciled: true });
    expect(feb.customers).toEqual({ new: 6, reactivated: 0, unclassified: 0 });
    // R_Jan is not defined, so no decomposition yet.
    expect(feb.decomposition).toEqual({ method: null, delta: null, contributions: null, rounded: null });
  });

  it('March: N = 10, L = 0.7, V = 54.32, R = 380.26; reactivated 40.00; total 420.26', () => {
    const mar = at(rows, '2026-03');
    expect(mar.N).toBe(10);
    expect(mar.L).toBeCloseTo(0.7, 12);
    // Retained {1,4,6,7,9,11,12}: 90 + 50.25 + 25 + 35 + 100.01 + 20 + 60 = 380.26; V = 380.26 / 7 = 54.322857…
    cent(mar.V, 54.32);
    expect(mar.V).toBeCloseTo(380.26 / 7, 10);
    cent(mar.R, 380.26);
    cent(mar.N! * mar.V! * mar.L!, 380.26);
    // Customer 3: ordered in Jan, not in Feb, in Mar → reactivated 40.00. No new. 380.26 + 40 = 420.26.
    expect(mar.reconciliation).toEqual({ total: 420.26, retained: 380.26, new: 0, reactivated: 40, unclassified: 0, reconciled: true });
    expect(mar.customers).toEqual({ new: 0, reactivated: 1, unclassified: 0 });
  });

  it('March vs February by LMDI: N +157.30, V −37.46, L +15.02, summing to ΔR = 134.86', () => {
    const d = at(rows, '2026-03').decomposition;
    expect(d.method).toBe('lmdi');
    // ΔR = 380.26 − 245.40 = 134.86; Lm = 134.86 / ln(380.26 / 245.40) = 134.86 / 0.4379657 = 307.92366.
    // N: ln(10 / 6)               =  0.5108256 → 307.92366 ×  0.5108256 = 157.2953
    // V: ln(54.322857 / 61.35)    = −0.1216501 → 307.92366 × −0.1216501 = −37.4589
    // L: ln(0.7 / 0.666667)=ln 1.05 = 0.0487902 → 307.92366 ×  0.0487902 =  15.0236
    // 157.2953 − 37.4589 + 15.0236 = 134.8600.
    expect(d.delta).toBe(134.86);
    cent(d.contributions!.N, 157.3);
    cent(d.contributions!.V, -37.46);
    cent(d.contributions!.L, 15.02);
    expect(d.contributions!.N + d.contributions!.V + d.contributions!.L).toBeCloseTo(134.86, 9);
    // Rounded to the grosz: 157.30 − 37.46 + 15.02 = 134.86 exactly.
    expect(d.rounded).toEqual({ N: 157.3, V: -37.46, L: 15.02 });
  });
});

describe('R = N · V · L per segment', () => {
  const groups = rnvlBy(INPUT, bySegment);

  it('has segments A and B, whose totals add up to the whole base', () => {
    expect(groups.map((g) => g.key)).toEqual(['A', 'B']);
    const whole = rnvl(INPUT);
    whole.forEach((w, i) => {
      const sum = groups.reduce((a, g) => a + Math.round(g.periods[i]!.reconciliation.total * 100), 0);
      expect(sum).toBe(Math.round(w.reconciliation.total * 100));
    });
  });

  it('A: Feb N 3, L 2/3, V 90, R 180; Mar N 5, L 0.6, V 48.33, R 145; LMDI −35 = 82.69 − 100.63 − 17.05 (rounded: −100.64)', () => {
    const [, feb, mar] = groups[0]!.periods;
    // A in Jan {1,2,5} = 170. Feb: retained {1,2} = 120 + 60 = 180 → V 90; new {7,8,11} = 70 + 15 + 12.34 = 97.34.
    expect([feb!.N, feb!.retained]).toEqual([3, 2]);
    expect(feb!.L).toBeCloseTo(2 / 3, 12);
    cent(feb!.V, 90);
    cent(feb!.R, 180);
    expect(feb!.reconciliation).toEqual({ total: 277.34, retained: 180, new: 97.34, reactivated: 0, unclassified: 0, reconciled: true });
    // Mar: active(Feb) ∩ A = {1,2,7,8,11} (5); retained {1,7,11}: 90 + 35 + 20 = 145 → V 48.333…, L 3/5.
    expect([mar!.N, mar!.retained]).toEqual([5, 3]);
    expect(mar!.L).toBeCloseTo(0.6, 12);
    cent(mar!.V, 48.33);
    cent(mar!.R, 145);
    expect(mar!.reconciliation).toEqual({ total: 145, retained: 145, new: 0, reactivated: 0, unclassified: 0, reconciled: true });
    // ΔR = 145 − 180 = −35; Lm = −35 / ln(145/180) = −35 / −0.2162231 = 161.86984.
    // N: ln(5/3)          =  0.5108256 → 82.6873
    // V: ln(48.3333/90)   = −0.6216882 → −100.6326
    // L: ln(0.6/0.666667) = −0.1053605 → −17.0547      sum −35.0000
    const d = mar!.decomposition;
    expect(d.method).toBe('lmdi');
    expect(d.delta).toBe(-35);
    cent(d.contributions!.N, 82.69);
    cent(d.contributions!.V, -100.63);
    cent(d.contributions!.L, -17.05);
    // Rounded 82.69 − 100.63 − 17.05 = −34.99: the missing −0.01 goes to the largest in magnitude, V.
    expect(d.rounded).toEqual({ N: 82.69, V: -100.64, L: -17.05 });
  });

  it('B: Feb N 3, L 2/3, V 32.70, R 65.40; Mar N 5, L 0.8, V 58.815, R 235.26, reactivated 40; LMDI 169.86 = 67.78 + 77.89 + 24.19', () => {
    const [, feb, mar] = groups[1]!.periods;
    // Feb: retained {4,6}: 45.50 + 19.90 = 65.40 → V 32.70; new {9,10,12}: 99.99 + 5.55 + 40 = 145.54; total 210.94.
    expect([feb!.N, feb!.retained]).toEqual([3, 2]);
    cent(feb!.V, 32.7);
    cent(feb!.R, 65.4);
    expect(feb!.reconciliation).toEqual({ total: 210.94, retained: 65.4, new: 145.54, reactivated: 0, unclassified: 0, reconciled: true });
    // Mar: active(Feb) ∩ B = {4,6,9,10,12} (5); retained {4,6,9,12}: 50.25 + 25 + 100.01 + 60 = 235.26 → V 58.815, L 0.8.
    expect([mar!.N, mar!.retained]).toEqual([5, 4]);
    expect(mar!.L).toBeCloseTo(0.8, 12);
    cent(mar!.V, 58.815);
    cent(mar!.R, 235.26);
    // Customer 3 reactivated: 40.00. Total 235.26 + 40 = 275.26.
    expect(mar!.reconciliation).toEqual({ total: 275.26, retained: 235.26, new: 0, reactivated: 40, unclassified: 0, reconciled: true });
    // ΔR = 235.26 − 65.40 = 169.86; Lm = 169.86 / ln(235.26/65.40) = 169.86 / 1.2801690 = 132.68560.
    // N: ln(5/3)          = 0.5108256 → 67.7792
    // V: ln(58.815/32.70) = 0.5870218 → 77.8893
    // L: ln(0.8/0.666667) = 0.1823216 → 24.1914     sum 169.8600
    const d = mar!.decomposition;
    expect(d.method).toBe('lmdi');
    expect(d.delta).toBe(169.86);
    cent(d.contributions!.N, 67.78);
    cent(d.contributions!.V, 77.89);
    cent(d.contributions!.L, 24.19);
    expect(d.rounded).toEqual({ N: 67.78, V: 77.89, L: 24.19 });
  });
});

describe('R = N · V · L per acquisition cohort', () => {
  const groups = rnvlBy(INPUT, byCohort);

  it('cohort 2026-01: Feb as the whole base; Mar N 4, L 0.75, V 55.08, R 165.25; LMDI −80.15 = −82.18 − 21.84 + 23.87', () => {
    expect(groups.map((g) => g.key)).toEqual(['2026-01', '2026-02']);
    const [, feb, mar] = groups[0]!.periods;
    // Feb: identical to the whole base's retained part (nobody of cohort 2026-01 is new in Feb).
    expect(feb!.N).toBe(6);
    cent(feb!.R, 245.4);
    expect(feb!.reconciliation).toEqual({ total: 245.4, retained: 245.4, new: 0, reactivated: 0, unclassified: 0, reconciled: true });
    // Mar: active(Feb) = {1,2,4,6}; retained {1,4,6}: 90 + 50.25 + 25 = 165.25 → V 55.0833, L 3/4; reactivated 3: 40.
    expect([mar!.N, mar!.retained]).toEqual([4, 3]);
    expect(mar!.L).toBeCloseTo(0.75, 12);
    cent(mar!.V, 55.08);
    expect(mar!.reconciliation).toEqual({ total: 205.25, retained: 165.25, new: 0, reactivated: 40, unclassified: 0, reconciled: true });
    // ΔR = 165.25 − 245.40 = −80.15; Lm = −80.15 / ln(165.25/245.40) = −80.15 / −0.3954301 = 202.69071.
    // N: ln(4/6)              = −0.4054651 → −82.1840
    // V: ln(55.083333/61.35)  = −0.1077480 → −21.8395
    // L: ln(0.75/0.666667)    =  0.1177830 →  23.8735     sum −80.1500
    const d = mar!.decomposition;
    expect(d.method).toBe('lmdi');
    expect(d.delta).toBe(-80.15);
    cent(d.contributions!.N, -82.18);
    cent(d.contributions!.V, -21.84);
    cent(d.contributions!.L, 23.87);
    expect(d.rounded).toEqual({ N: -82.18, V: -21.84, L: 23.87 });
  });

  it('cohort 2026-02: nothing carried into Feb (N 0, R 0), so March falls back to Shapley: three equal thirds of 215.01', () => {
    const [jan, feb, mar] = groups[1]!.periods;
    expect(jan!.reconciliation.total).toBe(0);
    // Feb: active(Jan) ∩ cohort = ∅ → N 0, L and V undefined, R 0; all 242.88 is new.
    expect([feb!.N, feb!.V, feb!.L, feb!.R]).toEqual([0, null, null, 0]);
    expect(feb!.reconciliation).toEqual({ total: 242.88, retained: 0, new: 242.88, reactivated: 0, unclassified: 0, reconciled: true });
    // Mar: N 6; retained {7,9,11,12}: 35 + 100.01 + 20 + 60 = 215.01 → V 53.7525, L 4/6.
    expect([mar!.N, mar!.retained]).toEqual([6, 4]);
    cent(mar!.V, 53.7525);
    cent(mar!.R, 215.01);
    // Shapley from (0, 0, 0) to (6, 53.7525, 2/3): every cross term with a 0 vanishes, so each
    // factor gets ΔX · (Y₁Z₁)/3 = N₁V₁L₁/3 = 215.01 / 3 = 71.67.
    const d = mar!.decomposition;
    expect(d.method).toBe('shapley');
    expect(d.delta).toBe(215.01);
    cent(d.contributions!.N, 71.67);
    cent(d.contributions!.V, 71.67);
    cent(d.contributions!.L, 71.67);
    expect(d.rounded).toEqual({ N: 71.67, V: 71.67, L: 71.67 });
  });
});

describe('reconciliation flags what fits no class', () => {
  it('a customer of an earlier, unlisted cohort in the first period, and a cohort later than its order, are unclassified', () => {
    const rows = rnvl({
      periods: ['2026-01', '2026-02'],
      currency: 'PLN',
      customers: [
        { id: 1, cohort: '2025-12', active: { '2026-01': 10 } },
        { id: 2, cohort: '2026-02', active: { '2026-01': 5, '2026-02': 7 } },
        { id: 3, cohort: '2026-01', active: { '2026-01': 1.01 } },
      ],
    });
    // Jan: 1 is of an earlier cohort (status in Dec unknown), 2 claims a later cohort: both unclassified.
    expect(rows[0]!.reconciliation).toEqual({ total: 16.01, retained: 0, new: 1.01, reactivated: 0, unclassified: 15, reconciled: false });
    // Feb: 2 was active in Jan → retained.
    expect(rows[1]!.reconciliation).toEqual({ total: 7, retained: 7, new: 0, reactivated: 0, unclassified: 0, reconciled: true });
  });

  it('refuses duplicate periods and non-finite revenue', () => {
    expect(() => rnvl({ periods: ['a', 'a'], currency: 'PLN', customers: [] })).toThrow(/duplicate/);
    expect(() => rnvl({ periods: ['a'], currency: 'PLN', customers: [{ id: 1, cohort: 'a', active: { a: Number.NaN } }] })).toThrow(
      /finite/,
    );
  });
});
