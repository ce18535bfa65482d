import type { CampaignPlan, StepKind } from '../dsl/plan';
import { indexPlan } from './navigate';
import type { RunState } from './state';

/** The step kind a waiting phase sits on. */
const waitsOn: Partial<Record<RunState['phase'], StepKind>> = { sleeping: 'wait', awaiting: 'wait_until', sending: 'send' };

/**
 * Move a run to a `migrate: true` version: it stays at the step with the same key, keeping its
 * `wakeAt`, its split choices (for splits that still exist) and its trigger. A run whose step
 * vanished cannot be placed and exits 'step_removed:<key>'; a finished run moves as it is.
 *
 * When the key now names a step of another kind than the run was waiting on (a path key shifted
 * by an inserted step), the run becomes 'ready' at that step with the same `wakeAt`: at the time
 * it would have woken, it executes the new step rather than skipping it. A changed duration does
 * not move a pending `wakeAt`; the new one applies from the next wait on. A run waiting for its
 * send or webhook call (`sending`) keeps waiting whatever the key names now: that row exists and
 * will be settled, and only its settle wakes the run (a 'ready' run with no wake would never move).
 */
export function migrateState(_oldPlan: CampaignPlan, newPlan: CampaignPlan, state: RunState): { state: RunState } | { exit: string } {
  if (state.phase === 'done' || state.at === null) return { state };
  const index = indexPlan(newPlan);
  const slot = index.get(state.at);
  if (!slot) return { exit: `step_removed:${state.at}` };
  const splits = Object.fromEntries(Object.entries(state.splits).filter(([key]) => index.get(key)?.step.kind === 'split'));
  const expected = waitsOn[state.phase];
  const phase = expected === undefined || expected === slot.step.kind || state.phase === 'sending' ? state.phase : 'ready';
  const { taken: _taken, ...rest } = state;
  return { state: { ...rest, phase, splits } };
}
