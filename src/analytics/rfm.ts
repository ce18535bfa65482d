/**
 * RFM cells: a customer's recency (R) and frequency (F) scores, 1–5 each (scored in SQL over all
 * customers: src/storage/analytics.ts `rankRfm`, `applyRfm`), name one of ten cells on the usual 5 × 5 grid
 * (R down the side, F across; M, the monetary score, is kept beside them but names no cell):
 *
 *   R\F   1                2                3                4           5
 *   5     new              potential_loyalist potential_loyalist champions champions
 *   4     promising        potential_loyalist potential_loyalist loyal     loyal
 *   3     about_to_sleep   about_to_sleep   need_attention   loyal       loyal
 *   2     hibernating      hibernating      at_risk          at_risk     cant_lose
 *   1     hibernating      hibernating      at_risk          at_risk     cant_lose
 *
 * - champions: bought recently, buy often. loyal: buy often, fairly recently.
 * - potential_loyalist: recent, a few orders. new: recent, one order. promising: fairly recent, one order.
 * - need_attention: middling on both. about_to_sleep: middling recency, few orders.
 * - at_risk: bought often, long ago. cant_lose: the best customers once, long gone.
 * - hibernating: long ago, few orders.
 * Conditions use the names: `rfm: at_risk` or `rfm: [at_risk, cant_lose]`.
 */
export const RFM_CELLS = [
  'champions',
  'loyal',
  'potential_loyalist',
  'new',
  'promising',
  'need_attention',
  'about_to_sleep',
  'at_risk',
  'cant_lose',
  'hibernating',
] as const;
export type RfmCell = (typeof RFM_CELLS)[number];

/** The grid as R-score and F-score sets per cell (every (r, f) in 1..5 × 1..5 exactly once). */
export const RFM_GRID: ReadonlyArray<{ r: number[]; f: number[]; cell: RfmCell }> = [
  { r: [5], f: [4, 5], cell: 'champions' },
  { r: [3, 4], f: [4, 5], cell: 'loyal' },
  { r: [4, 5], f: [2, 3], cell: 'potential_loyalist' },
  { r: [5], f: [1], cell: 'new' },
  { r: [4], f: [1], cell: 'promising' },
  { r: [3], f: [3], cell: 'need_attention' },
  { r: [3], f: [1, 2], cell: 'about_to_sleep' },
  { r: [1, 2], f: [3, 4], cell: 'at_risk' },
  { r: [1, 2], f: [5], cell: 'cant_lose' },
  { r: [1, 2], f: [1, 2], cell: 'hibernating' },
];

/** The cell of an (R, F) pair, or undefined outside 1..5. */
export function rfmCell(r: number, f: number): RfmCell | undefined {
  return RFM_GRID.find((g) => g.r.includes(r) && g.f.includes(f))?.cell;
}

/** Lifecycle stages, in funnel order (README "Customer analytics" defines each). */
export const LIFECYCLE_STAGES = ['prospect', 'new', 'repeat', 'loyal', 'churning', 'lost'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];
