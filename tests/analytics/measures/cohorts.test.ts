import { describe, expect, it } from 'vitest';
import { cohortTable } from '../../../src/analytics/measures';
import { INPUT } from './fixture';

describe('cohort retention table', () => {
  it('counts each cohort active k periods after its first, only as far as the periods go', () => {
    // 2026-01 (ids 1–6): Feb {1,2,4,6} = 4 of 6; Mar {1,3,4,6} = 4 of 6 (3 came back, 2 left).
    // 2026-02 (ids 7–12): Mar {7,9,11,12} = 4 of 6; no k = 2 column (there is no April).
    expect(cohortTable(INPUT)).toEqual([
      {
        cohort: '2026-01',
        size: 6,
        cells: [
          { k: 0, period: '2026-01', active: 6, share: 1 },
          { k: 1, period: '2026-02', active: 4, share: 4 / 6 },
          { k: 2, period: '2026-03', active: 4, share: 4 / 6 },
        ],
      },
      {
        cohort: '2026-02',
        size: 6,
        cells: [
          { k: 0, period: '2026-02', active: 6, share: 1 },
          { k: 1, period: '2026-03', active: 4, share: 4 / 6 },
        ],
      },
    ]);
  });

  it('skips periods without a cohort and cohorts outside the periods', () => {
    const rows = cohortTable({
      periods: ['q1', 'q2', 'q3'],
      currency: 'EUR',
      customers: [
        { id: 1, cohort: 'q2', active: { q2: 1, q3: 2 } },
        { id: 2, cohort: 'q2', active: { q2: 1 } },
        { id: 3, cohort: 'q2', active: { q2: 1 } },
        { id: 4, cohort: 'q0', active: { q1: 1 } },
      ],
    });
    expect(rows).toEqual([
      {
        cohort: 'q2',
        size: 3,
        cells: [
          { k: 0, period: 'q2', active: 3, share: 1 },
          { k: 1, period: 'q3', active: 1, share: 1 / 3 },
        ],
      },
    ]);
  });
});
