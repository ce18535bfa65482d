/**
 * The journey engine: a pure `step(plan, state, input, now) → { state, effects }` per contact and
 * run, plus the helpers the scheduler and `almanac plan` need. No I/O anywhere in this folder.
 */
export { step } from './step';
export { initialState, RUN_STATE_VERSION } from './state';
export type { Effect, RunState, StepInput, StepResult } from './state';
export { migrateState } from './migrate';
export { drawKey, isHeldOut } from './holdout';
export { bucketOf } from './hash';
export { indexPlan, listStepKeys, nextKey, parentKeys, stepsByKey, entryOf } from './navigate';
export type { PlanIndex, StepSlot } from './navigate';
